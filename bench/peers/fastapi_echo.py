#!/usr/bin/python3
"""Echo-envelope peer on FastAPI + uvicorn (the seed's stack), for hotline-bench.

  /usr/bin/python3 fastapi_echo.py PORT

Listens on 127.0.0.1:PORT at /web (and /) and answers each text message
{"pkg_id":N,"req_id":R,"data":D} with {"pkg_id":N,"req_id":R,
"status_code":0,"data":D}, as bench/peers/python_websockets_echo.py does,
including pkg_id 2 (subscribe) and 3 (publish to every subscriber).
Invalid JSON or a missing pkg_id/req_id gets status_code 2. Debian's
python3-fastapi and python3-uvicorn (websockets protocol), one process,
access log off.
"""
import json
import sys

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
SUBSCRIBERS = set()


def reply(pkg_id, req_id, status, data):
    return json.dumps({"pkg_id": pkg_id, "req_id": req_id,
                       "status_code": status, "data": data},
                      separators=(",", ":"))


async def serve(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            text = await ws.receive_text()
            try:
                msg = json.loads(text)
                pkg_id, req_id = msg["pkg_id"], msg["req_id"]
            except (ValueError, KeyError, TypeError):
                await ws.send_text(reply(None, None, 2, {"message": "invalid envelope"}))
                continue
            out = reply(pkg_id, req_id, 0, msg.get("data"))
            if pkg_id == 2:
                SUBSCRIBERS.add(ws)
            elif pkg_id == 3:
                for s in list(SUBSCRIBERS):
                    if s is not ws:
                        try:
                            await s.send_text(out)
                        except Exception:  # a subscriber that went away
                            SUBSCRIBERS.discard(s)
            await ws.send_text(out)
    except WebSocketDisconnect:
        pass
    except Exception:  # noqa: BLE001 -- ConnectionClosed, RuntimeError:
        pass  # the load generator hangs up without waiting for the reply
    finally:
        SUBSCRIBERS.discard(ws)


app.add_api_websocket_route("/web", serve)
app.add_api_websocket_route("/", serve)

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False, ws="websockets", ws_max_size=2 ** 24,
                ws_ping_interval=None, lifespan="off", backlog=4096)
