// g's StreamServer echo (gevent's echoserver loop). Prints its port on stdout.
import { run } from '@g/hub';
import { StreamServer } from '@g/net';

function* echo(sock) {
  for (;;) {
    const data = yield* sock.recv(4096);
    if (data.length === 0) break;
    yield* sock.sendall(data);
  }
}

const server = new StreamServer(['127.0.0.1', 0], echo, { spawn: 1000 });
process.on('SIGTERM', () => process.exit(0));
await run(function* () {
  yield* server.start();
  console.log(server.serverPort);
  yield* server.serveForever();
});
