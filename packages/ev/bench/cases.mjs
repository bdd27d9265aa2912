// One benchmark case in a fresh process (run by bench/run.mjs):
//   node --expose-gc cases.mjs <impl: ev|node> <case> <n> <repeats> <warmup> [arg]
// prints one JSON line: { times: [seconds per measured repeat], extra: {...} }
import { Loop, NOWAIT, Timer } from '../dist/index.js';

const [impl, kase, nArg, repArg, warmArg, arg] = process.argv.slice(2);
const N = Number(nArg);
const REPEATS = Number(repArg);
const WARMUP = Number(warmArg);

function heap() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

// start+fire: N timers with random times within 0.1 s, from the first start to the last fire.
async function fireEv() {
  let count = 0;
  const cb = () => {
    count++;
  };
  const t0 = performance.now();
  const loop = new Loop();
  for (let i = 0; i < N; i++) new Timer(loop, Math.random() * 0.1).start(cb);
  await loop.run();
  const dt = (performance.now() - t0) / 1000;
  if (count !== N) throw new Error(`ev fired ${count} of ${N}`);
  loop.destroy();
  return dt;
}

function fireNode() {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = performance.now();
    const cb = () => {
      if (++count === N) resolve((performance.now() - t0) / 1000);
    };
    for (let i = 0; i < N; i++) setTimeout(cb, Math.random() * 100);
  });
}

// Bytes per pending timer (JS heap + array buffers, after GC).
function memEv() {
  const loop = new Loop();
  const cb = () => {};
  const base = heap();
  for (let i = 0; i < N; i++) new Timer(loop, 100 + Math.random() * 100).start(cb);
  const used = heap() - base;
  loop.destroy();
  return used / N;
}

function memNode() {
  const cb = () => {};
  const handles = new Array(N);
  const base = heap();
  for (let i = 0; i < N; i++) handles[i] = setTimeout(cb, 100_000 + Math.random() * 100_000);
  const used = heap() - base - 8 * N; // minus the handles array itself
  for (const h of handles) clearTimeout(h);
  return used / N;
}

// churn: N timers pending (a timeout per request). A pass visits every timer once, oldest
// first ('advancing': deadlines 1 µs apart, each stop removes the heap's root; 'fifo': equal
// deadlines, as when started in one iteration) or in a random order ('random'), stopping it
// and starting it again with a fresh 30 s timeout. Operations = stops + starts (2N a pass).
function permutation(n, fifo) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  if (!fifo) {
    for (let i = n - 1; i > 0; i--) {
      const j = (Math.random() * (i + 1)) | 0;
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }
  return p;
}

function churnEvSetup(fifo, advancing) {
  const loop = new Loop();
  const cb = () => {};
  const timers = new Array(N);
  // 'advancing': every timeout is 1 µs later than the one before (time moves between
  // requests), so each stop of the oldest removes the heap's root.
  let tick = 0;
  for (let i = 0; i < N; i++) {
    const t = new Timer(loop, advancing ? 30 + ++tick * 1e-6 : 30);
    t.start(cb);
    timers[i] = t;
  }
  const order = permutation(N, fifo);
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const t = timers[order[i]];
      t.stop();
      t.set(advancing ? 30 + ++tick * 1e-6 : 30);
      t.start();
    }
    return (performance.now() - t0) / 1000;
  };
}

function churnNodeSetup(fifo) {
  const cb = () => {};
  const handles = new Array(N);
  for (let i = 0; i < N; i++) handles[i] = setTimeout(cb, 30_000);
  const order = permutation(N, fifo);
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const k = order[i];
      clearTimeout(handles[k]);
      handles[k] = setTimeout(cb, 30_000);
    }
    return (performance.now() - t0) / 1000;
  };
}

// iterate: N iterations of run(NOWAIT) with `arg` idle watchers active.
function iterateEv(idles) {
  const loop = new Loop();
  const cb = () => {};
  for (let i = 0; i < idles; i++) loop.idle().start(cb);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) loop.run(NOWAIT);
  const dt = (performance.now() - t0) / 1000;
  loop.destroy();
  return dt;
}

const times = [];
const extra = {};
if (kase === 'fire') {
  const f = impl === 'ev' ? fireEv : fireNode;
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const dt = await f();
    if (i >= WARMUP) times.push(dt);
  }
  extra.bytesPerTimer = impl === 'ev' ? memEv() : memNode();
} else if (kase === 'churn') {
  const fifo = arg !== 'random';
  const pass = impl === 'ev' ? churnEvSetup(fifo, arg === 'advancing') : churnNodeSetup(fifo);
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const dt = pass();
    if (i >= WARMUP) times.push(dt);
  }
} else if (kase === 'iterate') {
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const dt = iterateEv(Number(arg));
    if (i >= WARMUP) times.push(dt);
  }
} else {
  throw new Error(`unknown case ${kase}`);
}
console.log(JSON.stringify({ times, extra }));
process.exit(0);
