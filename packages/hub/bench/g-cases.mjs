// One @g/hub benchmark case per process (run by run.mjs):
//   node [--expose-gc] bench/g-cases.mjs <case> <warmup> <repeats> [distUrl]
// prints one JSON line { case, unit, samples } (one figure per measured repeat).
// Runs on a Node-backend hub (real time), against the built dist/.
import { pathToFileURL } from 'node:url';

const [, , name, warmupArg = '2', repeatsArg = '5', distArg] = process.argv;
const warmup = Number(warmupArg);
const repeats = Number(repeatsArg);
const dist = distArg ?? new URL('../dist/index.js', import.meta.url).href;
const g = await import(dist.startsWith('file:') ? dist : pathToFileURL(dist).href);
const {
  spawn,
  spawnLater,
  sleep,
  joinall,
  killall,
  Timeout,
  beginWait,
  toHub,
  currentHubGreenlet,
  createHub,
} = g;

// A Node-backend hub (real time); G_ASYNC_CONTEXT=0 turns off the per-greenlet async context.
const hub = createHub({ backend: 'node', asyncContext: process.env.G_ASYNC_CONTEXT !== '0' });
const run = (fn) => hub.run(fn);

const now = () => performance.now() / 1000;

/** Runs `once` (an Op factory run in a greenlet) warmup + repeats times; returns measured figures. */
async function sample(once) {
  const out = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const v = await run(once);
    if (r >= warmup) out.push(v);
  }
  return out;
}

// Bodies: one shared generator function with arguments (no closure per greenlet).
function* returnArg(i) {
  return i;
}
function* sleeper(d) {
  yield* sleep(d);
}
function* yielder(n) {
  for (let i = 0; i < n; i++) yield* sleep(0);
}
function* waiter() {
  // gevent's Waiter: a bare wait on the hub, woken by nobody (the wait protocol itself).
  const me = currentHubGreenlet('waiter');
  beginWait(me, 'waiter');
  yield* toHub(me);
}
function noop() {}
function* sleep10() {
  yield* sleep(10);
}

const N = 100_000;

const cases = {
  // spawn + join, one at a time
  spawn_join_seq: () => ({
    unit: 'greenlets/s',
    once: function* () {
      const t0 = now();
      for (let i = 0; i < N; i++) yield* spawn(returnArg, i).join();
      return N / (now() - t0);
    },
  }),
  spawn_join_seq_closure: () => ({
    unit: 'greenlets/s',
    once: function* () {
      const t0 = now();
      for (let i = 0; i < N; i++)
        yield* spawn(function* () {
          return i;
        }).join();
      return N / (now() - t0);
    },
  }),
  // spawn all, then joinall
  spawn_all_joinall: () => ({
    unit: 'greenlets/s',
    once: function* () {
      const t0 = now();
      const gs = new Array(N);
      for (let i = 0; i < N; i++) gs[i] = spawn(returnArg, i);
      yield* joinall(gs);
      return N / (now() - t0);
    },
  }),
  ...Object.fromEntries(
    [2, 100, 1000].map((k) => [
      `sleep0_${k}`,
      () => ({
        unit: 'yields/s',
        once: function* () {
          const per = Math.ceil(1_000_000 / k);
          const t0 = now();
          const gs = new Array(k);
          for (let i = 0; i < k; i++) gs[i] = spawn(yielder, per);
          yield* joinall(gs);
          return (per * k) / (now() - t0);
        },
      }),
    ]),
  ),
  // 100,000 greenlets sleeping random delays under 0.1 s: time until all have run
  timed_sleep_100k: () => ({
    unit: 's',
    once: function* () {
      const t0 = now();
      const gs = new Array(N);
      for (let i = 0; i < N; i++) gs[i] = spawn(sleeper, Math.random() * 0.1);
      yield* joinall(gs);
      return now() - t0;
    },
  }),
  timed_spawn_later_100k: () => ({
    unit: 's',
    once: function* () {
      const t0 = now();
      const gs = new Array(N);
      for (let i = 0; i < N; i++) gs[i] = spawnLater(Math.random() * 0.1, noop);
      yield* joinall(gs);
      return now() - t0;
    },
  }),
  timeout_churn: () => ({
    unit: 'start+cancel/s',
    once: function* () {
      const M = 1_000_000;
      const t0 = now();
      for (let i = 0; i < M; i++) Timeout.startNew(10).cancel();
      const dt = now() - t0;
      yield* sleep(0);
      return M / dt;
    },
  }),
  timeout_churn_reused: () => ({
    unit: 'start+cancel/s',
    once: function* () {
      const M = 1_000_000;
      const t = new Timeout(10);
      const t0 = now();
      for (let i = 0; i < M; i++) {
        t.start();
        t.cancel();
      }
      const dt = now() - t0;
      yield* sleep(0);
      return M / dt;
    },
  }),
};

// Heap (and RSS) per blocked greenlet: needs --expose-gc.
function memCase(kind, count) {
  return () => ({
    unit: 'B/greenlet',
    memory: true,
    once: async () => {
      const gc = globalThis.gc;
      gc();
      gc();
      const h0 = process.memoryUsage().heapUsed;
      const r0 = process.memoryUsage().rss;
      const gs = await run(function* () {
        const gs = new Array(count);
        for (let i = 0; i < count; i++) gs[i] = kind === 'sleep' ? spawn(sleep10) : spawn(waiter);
        yield* sleep(0);
        yield* sleep(0);
        return gs;
      });
      gc();
      gc();
      const mu = process.memoryUsage();
      const heap = (mu.heapUsed - h0) / count;
      const rss = (mu.rss - r0) / count;
      await run(killall(gs, { block: false }));
      await hub.join();
      return { heap, rss };
    },
  });
}
cases.heap_sleep_100k = memCase('sleep', 100_000);
cases.heap_sleep_1m = memCase('sleep', 1_000_000);
cases.heap_waiter_100k = memCase('waiter', 100_000);
cases.heap_waiter_1m = memCase('waiter', 1_000_000);

const make = cases[name];
if (!make) {
  console.error(`unknown case ${name}; cases: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
const c = make();
let samples;
if (c.memory) {
  samples = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const v = await c.once();
    if (r >= warmup) samples.push(v);
  }
} else {
  samples = await sample(c.once);
}
console.log(JSON.stringify({ case: name, unit: c.unit, samples }));
