// Plain node:http hello world: the baseline. Prints its port on stdout.
import * as http from 'node:http';

const body = 'Hello, World!\n';
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
