#!/usr/bin/python3
"""Echo-envelope peer on Python websockets, for hotline-bench.

  python_websockets_echo.py PORT

Listens on 127.0.0.1:PORT (any path) and answers each text message
{"pkg_id":N,"req_id":R,"data":D} with {"pkg_id":N,"req_id":R,
"status_code":0,"data":D}. Two pkg_ids drive the broadcast mode:
  2  subscribe: the connection receives every publication from now on
  3  publish:   {"pkg_id":3,"req_id":R,"status_code":0,"data":D} goes to
                every subscriber, and the publisher gets the same reply
Invalid JSON or a missing pkg_id/req_id gets status_code 2.
PING_INTERVAL=SECONDS in the environment makes it ping every connection.
"""
import asyncio
import json
import os
import sys

import websockets

SUBSCRIBERS = set()


def reply(pkg_id, req_id, status, data):
    return json.dumps({"pkg_id": pkg_id, "req_id": req_id,
                       "status_code": status, "data": data},
                      separators=(",", ":"))


async def handler(ws, path=None):
    try:
        async for text in ws:
            try:
                msg = json.loads(text)
                pkg_id, req_id = msg["pkg_id"], msg["req_id"]
            except (ValueError, KeyError, TypeError):
                await ws.send(reply(None, None, 2, {"message": "invalid envelope"}))
                continue
            out = reply(pkg_id, req_id, 0, msg.get("data"))
            if pkg_id == 2:
                SUBSCRIBERS.add(ws)
            elif pkg_id == 3:
                websockets.broadcast(SUBSCRIBERS, out)
            await ws.send(out)
    except websockets.ConnectionClosed:
        pass  # the load generator hangs up without waiting
    finally:
        SUBSCRIBERS.discard(ws)


async def main(port):
    async with websockets.serve(handler, "127.0.0.1", port,
                                max_size=2 ** 24,
                                ping_interval=float(os.environ.get("PING_INTERVAL", 0)) or None):
        await asyncio.Future()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        asyncio.run(main(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass
