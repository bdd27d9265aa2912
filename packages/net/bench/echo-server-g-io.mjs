// The echo loop of echo-server-g.mjs written on @g/ev io watchers instead of stream events
// (the other way @g/net could have waited): a paused net.Socket, an io READ watcher per
// connection, `raw.read()` to consume. Measured once, for the choice in BENCHMARKS.md.
import * as net from 'node:net';
import { READ } from '@g/ev';
import { beginWait, currentHubGreenlet, getHub, run, spawn, toHub, wake } from '@g/hub';

function onReadable(w) {
  wake(w.data, w.data._seq, 1);
}

function* echo(raw) {
  const g = currentHubGreenlet('echo');
  const w = getHub().loop.io(raw, READ);
  w.data = g;
  let ended = false;
  raw.on('end', () => (ended = true));
  raw.on('error', () => (ended = true));
  try {
    for (;;) {
      let chunk = raw.read();
      while (chunk === null) {
        if (ended || raw.destroyed) return;
        beginWait(g, 'recv');
        w.start(onReadable);
        try {
          yield* toHub(g);
        } finally {
          w.stop();
        }
        chunk = raw.read();
      }
      raw.write(chunk);
    }
  } finally {
    raw.destroy();
  }
}

const server = net.createServer({ noDelay: true, pauseOnConnect: true });
process.on('SIGTERM', () => process.exit(0));
await run(function* () {
  server.on('connection', (raw) => spawn(echo, raw));
  yield* until_listening();
  console.log(server.address().port);
  // Keep the hub's main greenlet waiting forever.
  const g = currentHubGreenlet('serve');
  beginWait(g, 'serve');
  getHub().loop.ref();
  yield* toHub(g);
});

function* until_listening() {
  const g = currentHubGreenlet('listen');
  const seq = beginWait(g, 'listen');
  server.listen(0, '127.0.0.1', () => wake(g, seq, 1));
  getHub().loop.ref();
  yield* toHub(g);
  getHub().loop.unref();
}
