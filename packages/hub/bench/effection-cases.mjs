// Effection peer of the @g/hub benchmarks (run by run.mjs):
//   node [--expose-gc] bench/effection-cases.mjs <case> <warmup> <repeats>
// prints one JSON line { case, unit, samples }. Same cases and sizes as g-cases.mjs, in
// Effection's idiom: spawn() returns a Task (yield* task joins it), sleep(ms) is a timer,
// suspend() waits forever. Effection has no Timeout: the churn cases print null.
import { run, sleep, spawn, suspend } from 'effection';

const [, , name, warmupArg = '2', repeatsArg = '5'] = process.argv;
const warmup = Number(warmupArg);
const repeats = Number(repeatsArg);
const now = () => performance.now() / 1000;
const N = 100_000;

// Bodies: one shared generator function with arguments, as for g and gevent.
function* returnArg(i) {
  return i;
}
function* sleeper(ms) {
  yield* sleep(ms);
}
function* yielder(n) {
  for (let i = 0; i < n; i++) yield* sleep(0);
}
function* noop() {}

async function sample(once) {
  const out = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const v = await run(once);
    if (r >= warmup) out.push(v);
  }
  return out;
}

const cases = {
  spawn_join_seq: {
    unit: 'greenlets/s',
    *once() {
      const t0 = now();
      for (let i = 0; i < N; i++) yield* yield* spawn(() => returnArg(i));
      return N / (now() - t0);
    },
  },
  spawn_all_joinall: {
    unit: 'greenlets/s',
    *once() {
      const t0 = now();
      const tasks = new Array(N);
      for (let i = 0; i < N; i++) tasks[i] = yield* spawn(() => returnArg(i));
      for (let i = 0; i < N; i++) yield* tasks[i];
      return N / (now() - t0);
    },
  },
  ...Object.fromEntries(
    [2, 100, 1000].map((k) => [
      `sleep0_${k}`,
      {
        unit: 'yields/s',
        // sleep(0) is a setTimeout(0) (about 1 ms each): fewer yields per greenlet.
        *once() {
          const per = Math.max(2, Math.ceil(2000 / k));
          const t0 = now();
          const tasks = [];
          for (let i = 0; i < k; i++) tasks.push(yield* spawn(() => yielder(per)));
          for (const t of tasks) yield* t;
          return (per * k) / (now() - t0);
        },
      },
    ]),
  ),
  timed_sleep_100k: {
    unit: 's',
    *once() {
      const t0 = now();
      const tasks = new Array(N);
      for (let i = 0; i < N; i++) tasks[i] = yield* spawn(() => sleeper(Math.random() * 100));
      for (let i = 0; i < N; i++) yield* tasks[i];
      return now() - t0;
    },
  },
  timed_spawn_later_100k: {
    unit: 's',
    *once() {
      const t0 = now();
      const tasks = new Array(N);
      for (let i = 0; i < N; i++)
        tasks[i] = yield* spawn(function* () {
          yield* sleep(Math.random() * 100);
          yield* noop();
        });
      for (let i = 0; i < N; i++) yield* tasks[i];
      return now() - t0;
    },
  },
};

function memCase(kind, count) {
  return {
    unit: 'B/greenlet',
    memory: true,
    async once() {
      const gc = globalThis.gc;
      gc();
      gc();
      const h0 = process.memoryUsage().heapUsed;
      const r0 = process.memoryUsage().rss;
      let heap = 0;
      let rss = 0;
      await run(function* () {
        for (let i = 0; i < count; i++)
          yield* spawn(kind === 'sleep' ? () => sleep(10_000) : suspend);
        yield* sleep(0);
        gc();
        gc();
        const mu = process.memoryUsage();
        heap = (mu.heapUsed - h0) / count;
        rss = (mu.rss - r0) / count;
        // returning halts every child task
      });
      return { heap, rss };
    },
  };
}
cases.heap_sleep_100k = memCase('sleep', 100_000);
cases.heap_waiter_100k = memCase('waiter', 100_000);
cases.heap_sleep_1m = memCase('sleep', 1_000_000);
cases.heap_waiter_1m = memCase('waiter', 1_000_000);

const c = cases[name];
let samples;
let unit = c?.unit ?? null;
if (name.startsWith('timeout_churn') || name === 'spawn_join_seq_closure') {
  // No Timeout in Effection; its spawn always takes a closure (the closure row is the same).
  samples = name === 'spawn_join_seq_closure' ? await sample(cases.spawn_join_seq.once) : null;
  unit = name === 'spawn_join_seq_closure' ? 'greenlets/s' : null;
} else if (!c) {
  console.error(`unknown case ${name}`);
  process.exit(2);
} else if (c.memory) {
  samples = [];
  for (let r = 0; r < warmup + repeats; r++) {
    const v = await c.once();
    if (r >= warmup) samples.push(v);
  }
} else {
  samples = await sample(c.once);
}
console.log(JSON.stringify({ case: name, unit, samples }));
