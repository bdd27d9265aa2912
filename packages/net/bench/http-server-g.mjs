// g's HttpServer hello world (one shared generator function as the handler). Prints its port.
import { run } from '@g/hub';
import { HttpServer } from '@g/net';

const body = 'Hello, World!\n';
function* hello(_req, res) {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  yield* res.end(body);
}

const server = new HttpServer(['127.0.0.1', 0], hello, { spawn: 1000 });
process.on('SIGTERM', () => process.exit(0));
await run(function* () {
  yield* server.start();
  console.log(server.serverPort);
  yield* server.serveForever();
});
