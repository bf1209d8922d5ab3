// Node `ws` peer for bench/run: the same two protocols as baseline_echo and baseline_broadcast
// (bench/load/wire.hpp), written the way ws's own README writes an echo and a broadcast server,
// so troupe can be compared with Node on this machine.
//
//   node server.js --mode echo|broadcast --host 127.0.0.1 --port 8080 [--threads N (ignored)]
//
// echo: every frame goes back verbatim. broadcast: the first frame names the room and is echoed
// as the join acknowledgement; every later frame goes to each member of that room, the sender
// included. Node runs JavaScript on one thread, so --threads is accepted and ignored.
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

function parse_args(argv) {
  const opts = { mode: 'echo', host: '127.0.0.1', port: 8080 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i], value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--mode') opts.mode = value;
    else if (key === '--host') opts.host = value;
    else if (key === '--port') opts.port = Number(value);
    else if (key !== '--threads') throw new Error(`unknown option ${key}`);
  }
  if (opts.mode !== 'echo' && opts.mode !== 'broadcast') throw new Error(`unknown mode ${opts.mode}`);
  return opts;
}

const opts = parse_args(process.argv.slice(2));
// ws 8 leaves permessage-deflate off on servers; say so, as the baselines do not compress either.
const wss = new WebSocketServer({ host: opts.host, port: opts.port, perMessageDeflate: false });
const rooms = new Map();  // room name -> Set of sockets

wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  if (opts.mode === 'echo') {
    ws.on('message', (data, is_binary) => ws.send(data, { binary: is_binary }));
    return;
  }
  let room = null;
  ws.on('message', (data, is_binary) => {
    if (room === null) {
      const name = data.toString();
      room = rooms.get(name);
      if (!room) rooms.set(name, (room = new Set()));
      room.add(ws);
      ws.send(name);
      return;
    }
    for (const member of room) {
      if (member.readyState === WebSocket.OPEN) member.send(data, { binary: is_binary });
    }
  });
  ws.on('close', () => { if (room) room.delete(ws); });
});
wss.on('listening', () => console.log(`node ws ${opts.mode} server on ${opts.host}:${opts.port}`));
