// @g/sync benchmark: `pnpm --filter @g/sync bench` (or `node bench/run.mjs`) after a build.
//
// Runs each case of bench/cases.mjs in its own Node process (against dist/), each followed at
// once by its gevent peer (bench/sync_bench.py with /usr/bin/python3, one process per case, so
// that both see the same machine load), and prints one markdown report:
// figures side by side from this one run, with ratios. Each cell is the median (min-max) of
// warm repeats (the first repeats of each process are discarded as JIT warm-up). Options:
// --quick (fewer repeats), --out <file> (also write the report there).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIdx = argv.indexOf('--out');
const outFile = outIdx >= 0 ? argv[outIdx + 1] : null;

// Each case runs ROUNDS times, alternating a g process and a gevent process, so that a burst
// of load from other processes on this shared machine hits both sides alike; the samples of
// all rounds are pooled: ROUNDS * REPEATS warm repeats for g, ROUNDS * PY_REPEATS for gevent.
const ROUNDS = quick ? 1 : 3;
// Six discarded repeats: until about the fifth, V8 is still compiling the hot paths on its
// background threads (the CPU time of a repeat then exceeds its wall time; the Semaphore
// case, with 100 greenlets, takes longest). CPython has no JIT: one warm-up is enough there.
const WARMUP = quick ? 1 : 6;
const REPEATS = 3;
const PY_WARMUP = 1;
const PY_REPEATS = quick ? 3 : 2;
const PYTHON = '/usr/bin/python3';

if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: build first (npx tsup, or pnpm --filter @g/sync build)');
  process.exit(1);
}

const loadStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

// ---------------------------------------------------------------- JS cases

const ROWS = [
  // [case, what, unit, gevent target ratio]
  ['queue-pingpong', 'Queue put/get ping-pong (two greenlets, two queues)', 'round trips/s', 8],
  ['channel-handoff', 'Channel hand-off (a producer, a consumer)', 'hand-offs/s', 8],
  ['event-roundtrip', 'Event set/wait round trip (two events)', 'round trips/s', 8],
  [
    'semaphore-100',
    'Semaphore(1), 100 greenlets: acquire, sleep(0), release',
    'acquire-release/s',
    8,
  ],
  ['pool-imap', 'Pool(100).imap over 100,000 items (plain function)', 'items/s', 8],
];
const JS_CASES = [...ROWS.map((r) => r[0]), 'effection-queue-pingpong', 'hub-floor-pingpong'];

function pythonHasGevent() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import gevent'], { stdio: 'ignore' }).status === 0;
}
let pySkip = null;
if (!pythonHasGevent() && process.getuid?.() === 0) {
  process.stderr.write('python3-gevent missing: apt-get install -y python3-gevent...\n');
  spawnSync('apt-get', ['install', '-y', 'python3-gevent'], { stdio: 'ignore' });
}
if (!pythonHasGevent()) {
  pySkip = `${PYTHON} with python3-gevent is not installed (apt-get install -y python3-gevent as root)`;
}

/** One gevent case in its own process; null (and pySkip set) if it cannot run. */
function runPython(name) {
  if (pySkip !== null) return null;
  process.stderr.write(`gevent ${name}...\n`);
  const r = spawnSync(
    PYTHON,
    [join(here, 'sync_bench.py'), String(PY_WARMUP), String(PY_REPEATS), name],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) {
    pySkip = `the gevent run failed: ${(r.stderr || '').trim().split('\n').pop()}`;
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// Each JS case and its gevent peer run back to back, ROUNDS times.
const js = {};
let py = null;
const pool = (into, name, sample) => {
  if (into[name] === undefined) into[name] = { cpu: [], wall: [] };
  into[name].cpu.push(...sample.cpu);
  into[name].wall.push(...sample.wall);
};
for (const name of JS_CASES) {
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`js ${name} (round ${round + 1}/${ROUNDS})...\n`);
    const out = execFileSync(
      process.execPath,
      [join(here, 'cases.mjs'), name, String(WARMUP), String(REPEATS)],
      { encoding: 'utf8', maxBuffer: 1 << 20, cwd: join(here, '..') },
    );
    pool(js, name, JSON.parse(out.trim().split('\n').pop()));
    if (ROWS.some((r) => r[0] === name)) {
      const r = runPython(name);
      if (r !== null) {
        py ??= { python: r.python, gevent: r.gevent, cases: {} };
        pool(py.cases, name, r.cases[name]);
      }
    }
  }
}

// ---------------------------------------------------------------- report

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** ops/s from ns/op samples. */
const rate = (xs) => xs.map((ns) => 1e9 / ns);
const fmtRate = (x) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
const cell = (ns) => {
  if (!ns) return 'skipped';
  const r = rate(ns);
  return `${fmtRate(median(r))} (${fmtRate(Math.min(...r))}-${fmtRate(Math.max(...r))})`;
};
const ratioOf = (fastNs, slowNs) => (fastNs && slowNs ? median(slowNs) / median(fastNs) : null);
const fmtRatio = (x) => (x === null ? '-' : `${x.toFixed(2)}x`);
const J = (name, m = 'cpu') => js[name]?.[m] ?? null;
const P = (name, m = 'cpu') => py?.cases[name]?.[m] ?? null;

const cpu = (() => {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1];
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
})();
const loadEnd = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

const lines = [];
const p = (s = '') => lines.push(s);
p(
  `Machine: ${cpus().length} cores (nproc), ${cpu}; Node ${process.version}; ` +
    (py ? `CPython ${py.python} with gevent ${py.gevent}` : `gevent skipped: ${pySkip}`) +
    `; Effection ${JSON.parse(readFileSync(join(here, '..', 'node_modules', 'effection', 'package.json'), 'utf8')).version}.`,
);
p(
  `Command: \`node bench/run.mjs${quick ? ' --quick' : ''}\` (in packages/sync, after \`npx tsup\`), ` +
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${loadStart} at the start, ${loadEnd} at the end.`,
);
p(
  `Each cell: operations per second of **CPU time** (user + system of the process), median (min-max) of ` +
    `${ROUNDS * REPEATS} warm repeats: ${ROUNDS} rounds, each a fresh Node process (${WARMUP} repeats discarded, ` +
    `${REPEATS} kept) followed at once by a fresh gevent process (${PY_WARMUP} discarded, ${PY_REPEATS} kept), so ` +
    `gevent's cells pool ${ROUNDS * PY_REPEATS} repeats. CPU time, because the machine is shared: it does not count the time another ` +
    'process held the core. Wall-clock figures of the same repeats are in the second table. Bodies are shared ' +
    'generator functions (no closure per greenlet); g runs on the default hub (Node backend).',
);
p();
p('| case | unit | g | gevent | g / gevent | target |');
p('|---|---|---:|---:|---:|---|');
const verdicts = [];
for (const [name, what, unit, target] of ROWS) {
  const r = ratioOf(J(name), P(name));
  const ok = r === null ? null : r >= target;
  verdicts.push([what, r, target, ok]);
  p(
    `| ${what} | ${unit} | ${cell(J(name))} | ${cell(P(name))} | ${fmtRatio(r)} | >= ${target}x: ${ok === null ? 'not measured' : ok ? 'met' : '**missed**'} |`,
  );
}
const eff = ratioOf(J('queue-pingpong'), J('effection-queue-pingpong'));
p(
  `| Effection \`createQueue\` ping-pong (the same shape) | round trips/s | ${cell(J('queue-pingpong'))} (g Queue) | ${cell(J('effection-queue-pingpong'))} (Effection) | ${fmtRatio(eff)} (g / Effection) | >= 3x: ${eff === null ? 'not measured' : eff >= 3 ? 'met' : '**missed**'} |`,
);
const floorShare = ratioOf(J('queue-pingpong'), J('hub-floor-pingpong'));
p(
  `| hub floor: a one-slot mailbox on @g/hub's wait protocol with minimal hand-written Ops (not a primitive; the least a blocking ping-pong costs on this hub) | round trips/s | ${cell(J('hub-floor-pingpong'))} | - | g Queue reaches ${floorShare === null ? '-' : `${(100 * floorShare).toFixed(0)}%`} of it | - |`,
);
p();
p('Wall-clock, the same repeats (operations per second, median):');
p();
p('| case | g | gevent | g / gevent |');
p('|---|---:|---:|---:|');
for (const name of [...ROWS.map((r) => r[0]), 'effection-queue-pingpong', 'hub-floor-pingpong']) {
  const a = J(name, 'wall');
  const b = P(name, 'wall');
  p(
    `| ${name} | ${a ? fmtRate(median(rate(a))) : '-'} | ${b ? fmtRate(median(rate(b))) : '-'} | ${fmtRatio(ratioOf(a, b))} |`,
  );
}

const report = lines.join('\n');
console.log(report);
if (outFile) writeFileSync(outFile, `${report}\n`);
