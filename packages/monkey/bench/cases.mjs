// One benchmark case in this process: node cases.mjs <impl> <case> <n> <repeats> <warmup>
//   impl: native (Node's own timers), node (patched, default hub), virtual (patched, a
//   virtual-clock hub). Prints one JSON line: { times: [seconds of each warm repeat] }.
// Runs against the built dist/ of @g/monkey (and @g/hub).
import fs from 'node:fs';
import tp from 'node:timers/promises';
import { createHub, run } from '@g/hub';
import { patchAll, setBlockingMode } from '@g/monkey';

const [impl, kase, nArg, repArg, warmArg] = process.argv.slice(2);
const N = Number(nArg);
const REPEATS = Number(repArg);
const WARMUP = Number(warmArg);

// The real clock, read before patching (the virtual case patches process.hrtime).
const hrtimeBigint = process.hrtime.bigint;
let hub = null;
if (impl === 'virtual') {
  hub = createHub({ backend: 'virtual' });
  patchAll({ hub, signals: false, blocking: kase.startsWith('guard') ? 'warn' : false });
} else if (impl === 'node') {
  patchAll({ signals: false, blocking: kase.startsWith('guard') ? 'warn' : false });
} else if (impl !== 'native') {
  throw new Error(`unknown impl ${impl}`);
}
// The timers as the program sees them (patched or not), read after patching.
const { setTimeout: st, setImmediate: si, clearTimeout: ct } = globalThis;

function noop() {}

const cases = {
  // A chain of N immediates, each set by the previous one's callback.
  immediateChain(n) {
    return new Promise((resolve) => {
      let left = n;
      const step = () => {
        if (--left === 0) resolve();
        else si(step);
      };
      si(step);
    });
  },
  // N timers of 1..10 ms set at once; resolves when all have run.
  fanout(n) {
    return new Promise((resolve) => {
      let left = n;
      const done = () => {
        if (--left === 0) resolve();
      };
      for (let i = 0; i < n; i++) st(done, 1 + (i % 10));
    });
  },
  // N concurrent `await setTimeout(1)` of timers/promises.
  promiseSleeps(n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = tp.setTimeout(1);
    return Promise.all(all);
  },
  // N timers created and cleared (a timeout per request that finishes in time).
  createClear(n) {
    for (let i = 0; i < n; i++) ct(st(noop, 30_000));
  },
  // N Date.now() calls.
  dateNow(n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Date.now() & 1;
    return s;
  },
  // N fs.statSync calls outside greenlets (the guard checks one field).
  guardMain(n) {
    for (let i = 0; i < n; i++) fs.statSync('.');
  },
  // N fs.statSync calls inside a greenlet, guard in 'off' mode (installed, silent).
  guardOff(n) {
    setBlockingMode('off');
    return run(function* () {
      for (let i = 0; i < n; i++) fs.statSync('.');
    });
  },
  // N fs.statSync calls inside a greenlet from one call site, guard in 'warn' mode (the
  // first warns; every call captures its caller's stack frame).
  guardWarn(n) {
    setBlockingMode('warn');
    return run(function* () {
      for (let i = 0; i < n; i++) fs.statSync('.');
    });
  },
};

const fn = cases[kase];
if (fn === undefined) throw new Error(`unknown case ${kase}`);
// The guard's one warning, kept off stderr.
process.removeAllListeners('warning');
process.on('warning', noop);
const times = [];
for (let r = 0; r < WARMUP + REPEATS; r++) {
  const t0 = hrtimeBigint();
  await fn(N);
  const dt = Number(hrtimeBigint() - t0) / 1e9;
  if (r >= WARMUP) times.push(dt);
}
process.stdout.write(`${JSON.stringify({ times })}\n`);
