// One benchmark case per process (run by run.mjs): `node bench/cases.mjs <case> <warmup> <repeats> [dist]`
// prints one JSON line { case, unit, samples } with one figure per measured repeat.
//
// Depth: the number of generator frames between the greenlet's body and the switch op, i.e.
// helper generators the body runs with `yield*` before the innermost one calls
// `yield* other.switch()`. Depth 0 switches in the body itself. "persistent": the chain is
// built once and every switch passes through it (suspend and resume each cross depth + 1
// generator frames). "re-created": every switch calls a fresh chain of `depth` helpers.
import { pathToFileURL } from 'node:url';

const [, , name, warmupArg = '2', repeatsArg = '7', distArg] = process.argv;
const warmup = Number(warmupArg);
const repeats = Number(repeatsArg);
const dist = distArg ?? new URL('../dist/index.js', import.meta.url).href;
const { Greenlet, getmain } = await import(
  dist.startsWith('file:') ? dist : pathToFileURL(dist).href
);

// Every timed section is measured twice: wall-clock time (`now`) and the CPU time this process
// spent (`cpu`, user + system, all threads). On a machine shared with other work the CPU time
// is the steadier figure; run.mjs reports both.
const now = () => process.hrtime.bigint();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
let cpuStart = 0;
let cpuElapsed = 0;
const timer = {
  start() {
    cpuStart = cpu();
    return now();
  },
  stop(t0) {
    const wall = Number(now() - t0);
    cpuElapsed = cpu() - cpuStart;
    return wall;
  },
};

/** Runs `once` warmup + repeats times; each run returns [elapsed wall ns, operations]. */
function sample(once) {
  const wall = [];
  const cpuNs = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const [ns, ops] = once();
    if (r >= warmup) {
      wall.push(ns / ops);
      cpuNs.push(cpuElapsed / ops);
    }
  }
  return { wall, cpu: cpuNs };
}

// ---------------------------------------------------------------- switch ping-pong

function* loopAt(depth, other, n) {
  if (depth > 1) return yield* loopAt(depth - 1, other, n);
  for (let i = 0; i < n; i++) yield* other.switch(i);
}

function* switchAt(depth, other, v) {
  if (depth > 1) return yield* switchAt(depth - 1, other, v);
  return yield* other.switch(v);
}

/** ns per switch: two greenlets switch to each other `rounds` times each. */
function pingPong(depth, rounds, recreate) {
  let ping = null;
  let pong = null;
  const body = (getOther) =>
    recreate
      ? function* () {
          for (let i = 0; i < rounds; i++) yield* switchAt(depth, getOther(), i);
        }
      : depth === 0
        ? function* () {
            const other = getOther();
            for (let i = 0; i < rounds; i++) yield* other.switch(i);
          }
        : function* () {
            yield* loopAt(depth, getOther(), rounds);
          };
  ping = new Greenlet(body(() => pong));
  pong = new Greenlet(body(() => ping));
  const t0 = timer.start();
  ping.switch();
  // ping finished after `rounds` switches to pong and `rounds` back; pong stays suspended.
  return [timer.stop(t0), 2 * rounds];
}

// ---------------------------------------------------------------- create + switch + finish

function* add(a, b) {
  return a + b;
}

/** ns per greenlet: create, first switch with two args, body returns at once. */
function createShared(n) {
  let sum = 0;
  const t0 = timer.start();
  for (let i = 0; i < n; i++) sum += new Greenlet(add).switch(i, 1);
  const ns = timer.stop(t0);
  if (sum !== (n * (n + 1)) / 2) throw new Error('wrong sum');
  return [ns, n];
}

function createClosure(n) {
  let sum = 0;
  const t0 = timer.start();
  for (let i = 0; i < n; i++) {
    sum += new Greenlet(function* () {
      return i + 1;
    }).switch();
  }
  const ns = timer.stop(t0);
  if (sum !== (n * (n + 1)) / 2) throw new Error('wrong sum');
  return [ns, n];
}

// ---------------------------------------------------------------- floors and peers

/** ns per next(): a bare generator resumed in a loop (the floor of any generator switch). */
function bareGenerator(n) {
  function* g() {
    let x = 0;
    for (;;) x += yield x;
  }
  const it = g();
  it.next();
  const t0 = timer.start();
  for (let i = 0; i < n; i++) it.next(i);
  return [timer.stop(t0), n];
}

/** ns per hand-over: two async functions ping-pong through promises (each await is one). */
async function asyncPingPong(rounds) {
  let wakeA;
  let wakeB;
  const waitA = () => new Promise((r) => (wakeA = r));
  let pB = new Promise((r) => (wakeB = r));
  const b = (async () => {
    for (;;) {
      const v = await pB;
      if (v < 0) return;
      pB = new Promise((r) => (wakeB = r));
      wakeA(v);
    }
  })();
  const t0 = timer.start();
  for (let i = 0; i < rounds; i++) {
    const p = waitA();
    wakeB(i);
    await p;
  }
  const ns = timer.stop(t0);
  wakeB(-1);
  await b;
  return [ns, 2 * rounds];
}

async function sampleAsync(once) {
  const wall = [];
  const cpuNs = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const [ns, ops] = await once();
    if (r >= warmup) {
      wall.push(ns / ops);
      cpuNs.push(cpuElapsed / ops);
    }
  }
  return { wall, cpu: cpuNs };
}

// ---------------------------------------------------------------- memory

/**
 * Bytes of heap per suspended greenlet: heapUsed after minus before creating n greenlets
 * that each switched back to main once, divided by n. The array holding them is allocated
 * before the first reading, so it is not counted. Needs --expose-gc.
 */
function suspendedBytes(n, closure) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const main = getmain();
  function* body(i) {
    yield* main.switch();
    return i;
  }
  const out = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const keep = new Array(n).fill(null);
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) {
      const g = closure
        ? new Greenlet(function* () {
            yield* main.switch();
            return i;
          })
        : new Greenlet(body);
      if (closure) g.switch();
      else g.switch(i);
      keep[i] = g;
    }
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    if (!keep[n - 1].active) throw new Error('not suspended');
    if (r >= warmup) out.push((after - before) / n);
    keep.fill(null);
  }
  return { bytes: out };
}

// ---------------------------------------------------------------- dispatch

const M = 1_000_000;
const cases = {
  'switch-d0': () => sample(() => pingPong(0, M, false)),
  'switch-d1': () => sample(() => pingPong(1, M, false)),
  'switch-d5': () => sample(() => pingPong(5, M / 2, false)),
  'switch-d20': () => sample(() => pingPong(20, M / 5, false)),
  'switch-d1-recreated': () => sample(() => pingPong(1, M, true)),
  'switch-d5-recreated': () => sample(() => pingPong(5, M / 2, true)),
  'switch-d20-recreated': () => sample(() => pingPong(20, M / 10, true)),
  'create-shared': () => sample(() => createShared(M)),
  'create-closure': () => sample(() => createClosure(M)),
  'bare-generator': () => sample(() => bareGenerator(4 * M)),
  'async-pingpong': () => sampleAsync(() => asyncPingPong(M / 2)),
  'memory-shared': () => suspendedBytes(M, false),
  'memory-closure': () => suspendedBytes(M, true),
};

const run = cases[name];
if (run === undefined) {
  console.error(`unknown case ${name}; one of: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
// { case, wall, cpu } (ns per operation) or { case, bytes } (memory cases).
console.log(JSON.stringify({ case: name, ...(await run()) }));
