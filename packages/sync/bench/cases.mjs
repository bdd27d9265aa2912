// One benchmark case per process (run by run.mjs):
//   node bench/cases.mjs <case> <warmup> <repeats>
// prints one JSON line { case, unit, ops, cpu: [ns/op...], wall: [ns/op...] } with one figure
// per measured repeat (the warmup repeats are run and discarded).
//
// Every @g/sync case runs under the default hub (Node backend), with shared generator
// functions as bodies (no closure per greenlet). The same shapes are in sync_bench.py.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [, , name, warmupArg = '2', repeatsArg = '7'] = process.argv;
const warmup = Number(warmupArg);
const repeats = Number(repeatsArg);

// G_SYNC_DIST: another build of @g/sync to measure (A/B runs); default ../dist.
const sync = await import(
  pathToFileURL(process.env.G_SYNC_DIST ?? join(here, '..', 'dist', 'index.js')).href
);
const hub = await import('@g/hub'); // the copy dist/ imports
const { run, spawn, sleep } = hub;
const { Queue, Channel, Event, Semaphore, Pool } = sync;

// ------------------------------------------------------------------ @g/sync cases

function* queuePeer(q1, q2, n) {
  for (let i = 0; i < n; i++) yield* q2.put(yield* q1.get());
}

/** Queue ping-pong: one round trip = put to q1, the peer gets it and puts it back on q2. */
async function queuePingPong(n) {
  await run(function* () {
    const q1 = new Queue();
    const q2 = new Queue();
    const peer = spawn(queuePeer, q1, q2, n);
    for (let i = 0; i < n; i++) {
      yield* q1.put(i);
      yield* q2.get();
    }
    yield* peer.join();
  });
  return n;
}

function* channelConsumer(ch, n) {
  for (let i = 0; i < n; i++) yield* ch.get();
}

/** Channel hand-off: a producer puts n items, a consumer gets them. */
async function channelHandoff(n) {
  await run(function* () {
    const ch = new Channel();
    const consumer = spawn(channelConsumer, ch, n);
    for (let i = 0; i < n; i++) yield* ch.put(i);
    yield* consumer.join();
  });
  return n;
}

function* eventPeer(ping, pong, n) {
  for (let i = 0; i < n; i++) {
    yield* ping.wait();
    ping.clear();
    pong.set();
  }
}

/** Event round trip: set ping, the peer wakes, clears it and sets pong. */
async function eventRoundTrip(n) {
  await run(function* () {
    const ping = new Event();
    const pong = new Event();
    const peer = spawn(eventPeer, ping, pong, n);
    for (let i = 0; i < n; i++) {
      ping.set();
      yield* pong.wait();
      pong.clear();
    }
    yield* peer.join();
  });
  return n;
}

function* semWorker(sem, rounds) {
  for (let i = 0; i < rounds; i++) {
    yield* sem.acquire();
    yield* sleep(0); // hold it across a switch: every acquire contends
    sem.release();
  }
}

/** Semaphore(1) with 100 greenlets: each acquires, yields once while holding, releases. */
async function semaphore100(n) {
  const rounds = Math.ceil(n / 100);
  await run(function* () {
    const sem = new Semaphore(1);
    const gs = [];
    for (let i = 0; i < 100; i++) gs.push(spawn(semWorker, sem, rounds));
    for (const g of gs) yield* g.join();
  });
  return rounds * 100;
}

function double(x) {
  return x * 2;
}

function* range(n) {
  for (let i = 0; i < n; i++) yield i;
}

/** Pool(100).imap over n items (a plain function; results read in order). */
async function poolImap(n) {
  await run(function* () {
    const pool = new Pool(100);
    const it = pool.imap(double, range(n));
    let count = 0;
    for (let r = yield* it.next(); !r.done; r = yield* it.next()) count++;
    if (count !== n) throw new Error(`imap gave ${count} of ${n}`);
  });
  return n;
}

// ------------------------------------------------------------------ the hub's floor

// What any hand-off costs on @g/hub alone: a one-slot mailbox on the wait protocol
// (beginWait / wake / toHub) with the least possible around it: hand-written iterator Ops
// wrapped by trackOp, as @g/sync's hot Ops are, and no waiter list. Not a @g/sync primitive:
// the lower bound of a ping-pong of two blocking hand-offs per round trip on this hub.
const { beginWait, wake, toHub, currentHubGreenlet } = hub;
const { trackOp } = await import('@g/greenlet');

function mailbox() {
  return { g: null, seq: 0, v: undefined, has: false };
}
const DONE = Object.freeze({ done: true, value: undefined });
class RecvOp {
  constructor(m) {
    this.m = m;
    this.sw = null;
  }
  [Symbol.iterator]() {
    return this;
  }
  next(v) {
    const m = this.m;
    if (this.sw === null) {
      if (m.has) {
        m.has = false;
        return { done: true, value: m.v };
      }
      const g = currentHubGreenlet('recv');
      m.g = g;
      m.seq = beginWait(g, 'recv');
      this.sw = toHub(g)[Symbol.iterator]();
      return this.sw.next();
    }
    const r = this.sw.next(v);
    m.g = null;
    return r;
  }
  throw(e) {
    this.m.g = null;
    return this.sw.throw(e);
  }
  return(v) {
    this.m.g = null;
    return this.sw.return(v);
  }
}
class SendOp {
  constructor(m, v) {
    this.m = m;
    this.v = v;
  }
  [Symbol.iterator]() {
    return this;
  }
  next() {
    const m = this.m;
    if (m.g !== null && wake(m.g, m.seq, this.v)) m.g = null;
    else {
      m.v = this.v;
      m.has = true;
    }
    return DONE;
  }
}
const recv = (m) => trackOp(new RecvOp(m), 'recv');
const send = (m, v) => trackOp(new SendOp(m, v), 'send');

function* floorPeer(a, b, n) {
  for (let i = 0; i < n; i++) yield* send(b, yield* recv(a));
}

async function hubFloorPingPong(n) {
  await run(function* () {
    const a = mailbox();
    const b = mailbox();
    const peer = spawn(floorPeer, a, b, n);
    for (let i = 0; i < n; i++) {
      yield* send(a, i);
      yield* recv(b);
    }
    yield* peer.join();
  });
  return n;
}

// ------------------------------------------------------------------ Effection

const effection = await import('effection');

/** Effection createQueue ping-pong, the same shape as queuePingPong. */
async function effectionQueuePingPong(n) {
  const { run: erun, spawn: espawn, createQueue } = effection;
  await erun(function* () {
    const q1 = createQueue();
    const q2 = createQueue();
    const peer = yield* espawn(function* () {
      for (let i = 0; i < n; i++) {
        const r = yield* q1.next();
        q2.add(r.value);
      }
    });
    for (let i = 0; i < n; i++) {
      q1.add(i);
      yield* q2.next();
    }
    yield* peer;
  });
  return n;
}

// ------------------------------------------------------------------ driver

const CASES = {
  'queue-pingpong': [queuePingPong, 200_000, 'round trip'],
  'channel-handoff': [channelHandoff, 200_000, 'hand-off'],
  'event-roundtrip': [eventRoundTrip, 200_000, 'round trip'],
  'semaphore-100': [semaphore100, 200_000, 'acquire-release'],
  'pool-imap': [poolImap, 100_000, 'item'],
  'effection-queue-pingpong': [effectionQueuePingPong, 100_000, 'round trip'],
  'hub-floor-pingpong': [hubFloorPingPong, 200_000, 'round trip'],
};

const entry = CASES[name];
if (!entry) {
  console.error(`unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}
const [fn, n, unit] = entry;
const cpu = [];
const wall = [];
for (let r = 0; r < warmup + repeats; r++) {
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  const ops = await fn(n);
  const dw = Number(process.hrtime.bigint() - w0);
  const dc = process.cpuUsage(c0);
  if (r >= warmup) {
    cpu.push(((dc.user + dc.system) * 1000) / ops);
    wall.push(dw / ops);
  }
}
console.log(JSON.stringify({ case: name, unit, ops: n, cpu, wall }));
