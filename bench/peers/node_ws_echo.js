#!/usr/bin/env node
// Echo-envelope peer on Node `ws`, for hotline-bench.
//
//   node node_ws_echo.js PORT
//
// Listens on 127.0.0.1:PORT (any path) and answers each text message
// {"pkg_id":N,"req_id":R,"data":D} with {"pkg_id":N,"req_id":R,
// "status_code":0,"data":D}, as bench/peers/python_websockets_echo.py does.
// Broadcast mode, the same protocol as the Python peer:
//   pkg_id 2  subscribe: the connection receives every publication from now on
//   pkg_id 3  publish: the reply goes to every subscriber (a loop over the
//             clients: one serialization, one send per subscriber), and to
//             the publisher
// Invalid JSON or a missing pkg_id/req_id gets status_code 2.
// `ws` is looked up in bench/.peers/node_modules (bench/run.sh installs it).
'use strict';
const path = require('path');
let WebSocket;
try {
  WebSocket = require(path.join(__dirname, '..', '.peers', 'node_modules', 'ws'));
} catch (e) {
  WebSocket = require('ws');
}

const port = parseInt(process.argv[2], 10);
if (!port) {
  console.error('usage: node_ws_echo.js PORT');
  process.exit(2);
}
const subscribers = new Set();
const wss = new WebSocket.WebSocketServer({
  host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 1 << 24,
  clientTracking: false,
});

wss.on('connection', (ws) => {
  ws.on('message', (buf, isBinary) => {
    let msg;
    try {
      msg = JSON.parse(buf);
      if (msg === null || typeof msg !== 'object' || !('pkg_id' in msg) ||
          !('req_id' in msg))
        throw new Error('envelope');
    } catch (e) {
      ws.send(JSON.stringify({ pkg_id: null, req_id: null, status_code: 2,
        data: { message: 'invalid envelope' } }));
      return;
    }
    const out = JSON.stringify({ pkg_id: msg.pkg_id, req_id: msg.req_id,
      status_code: 0, data: msg.data === undefined ? null : msg.data });
    if (msg.pkg_id === 2) {
      subscribers.add(ws);
    } else if (msg.pkg_id === 3) {
      for (const s of subscribers)
        if (s !== ws && s.readyState === WebSocket.OPEN) s.send(out);
    }
    ws.send(out);
  });
  ws.on('close', () => subscribers.delete(ws));
  ws.on('error', () => subscribers.delete(ws));
});
wss.on('listening', () => console.log(`node ws ${WebSocket.prototype.constructor.name} listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
