// The echo loop of echo-server-g-io.mjs with the same bare code, but waiting on the
// stream's own 'data' events (the mechanism @g/net's Socket uses) instead of an io watcher.
// With --batched, the wake-ups of one Node turn are made together from one setImmediate
// (the batch @g/net's Socket uses) instead of at once. Measured for the choice in
// BENCHMARKS.md.
import * as net from 'node:net';
import { beginWait, currentHubGreenlet, getHub, run, spawn, toHub, wake } from '@g/hub';

const pending = [];
let scheduled = false;
function flush() {
  scheduled = false;
  for (let i = 0; i < pending.length; i++) {
    const g = pending[i];
    wake(g, g._seq, 1);
  }
  pending.length = 0;
}
function deferWake(g) {
  pending.push(g);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
function wakeNow(g) {
  wake(g, g._seq, 1);
}
const wakeUp = process.argv.includes('--batched') ? deferWake : wakeNow;

function* echo(raw) {
  const g = currentHubGreenlet('echo');
  const q = [];
  let waiting = false;
  let ended = false;
  raw.on('data', (c) => {
    q.push(c);
    if (waiting) wakeUp(g);
  });
  raw.on('end', () => {
    ended = true;
    if (waiting) wake(g, g._seq, 1);
  });
  raw.on('error', () => (ended = true));
  raw.resume();
  const loop = getHub().loop;
  try {
    for (;;) {
      while (q.length === 0) {
        if (ended || raw.destroyed) return;
        beginWait(g, 'recv');
        waiting = true;
        loop.ref();
        try {
          yield* toHub(g);
        } finally {
          waiting = false;
          loop.unref();
        }
      }
      raw.write(q.shift());
    }
  } finally {
    raw.destroy();
  }
}

const server = net.createServer({ noDelay: true, pauseOnConnect: true });
process.on('SIGTERM', () => process.exit(0));
await run(function* () {
  server.on('connection', (raw) => spawn(echo, raw));
  const g = currentHubGreenlet('listen');
  const seq = beginWait(g, 'listen');
  server.listen(0, '127.0.0.1', () => wake(g, seq, 1));
  getHub().loop.ref();
  yield* toHub(g);
  console.log(server.address().port);
  beginWait(g, 'serve');
  yield* toHub(g);
});
