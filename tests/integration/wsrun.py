#!/usr/bin/python3
"""Send envelopes over one WebSocket connection and print each reply.

  wsrun.py URL JSON...   one reply line per request, in order (loopback only;
                         each reply waited for at most 10 s)
"""
import asyncio
import sys

import websockets


async def main(url, messages):
    async with websockets.connect(url, open_timeout=5) as ws:
        for m in messages:
            await ws.send(m)
            print(await asyncio.wait_for(ws.recv(), 10), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
