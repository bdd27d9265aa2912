// @g/greenlet benchmark: `pnpm --filter @g/greenlet bench` (or `node bench/run.mjs`) after a build.
//
// Runs every case of bench/cases.mjs in its own Node process (against dist/), the CPython
// greenlet peer (bench/greenlet_bench.py with /usr/bin/python3) in one process, and prints one
// markdown report: figures side by side from this one run, with ratios. Timings are the median
// of warm repeats (the first repeats of each process are discarded as JIT warm-up), with the
// min-max spread. Options: --quick (fewer repeats, for a smoke run), --out <file> (also write
// the report there).
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

const WARMUP = quick ? 1 : 2;
const REPEATS = quick ? 3 : 7;
const MEM_WARMUP = 1;
const MEM_REPEATS = quick ? 2 : 5;
const PY_WARMUP = 1;
const PY_REPEATS = quick ? 3 : 5;
const PYTHON = '/usr/bin/python3';

const dist = join(here, '..', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error(
    'dist/index.js is missing: build first (npx tsup, or pnpm --filter @g/greenlet build)',
  );
  process.exit(1);
}

// ---------------------------------------------------------------- JS cases

function runCase(name, flags = []) {
  const memory = name.startsWith('memory');
  const args = [
    ...flags,
    join(here, 'cases.mjs'),
    name,
    String(memory ? MEM_WARMUP : WARMUP),
    String(memory ? MEM_REPEATS : REPEATS),
  ];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

const JS_CASES = [
  'switch-d0',
  'switch-d1',
  'switch-d5',
  'switch-d20',
  'switch-d1-recreated',
  'switch-d5-recreated',
  'switch-d20-recreated',
  'create-shared',
  'create-closure',
  'bare-generator',
  'async-pingpong',
];
const loadStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const js = {};
for (const name of JS_CASES) {
  process.stderr.write(`js ${name}...\n`);
  js[name] = runCase(name);
}
for (const name of ['memory-shared', 'memory-closure']) {
  process.stderr.write(`js ${name}...\n`);
  js[name] = runCase(name, ['--expose-gc', '--max-old-space-size=4096']);
}

// ---------------------------------------------------------------- CPython greenlet

function pythonHasGreenlet() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import greenlet'], { stdio: 'ignore' }).status === 0;
}

let py = null;
let pySkip = null;
if (!pythonHasGreenlet() && process.getuid?.() === 0) {
  process.stderr.write('python3-greenlet missing: apt-get install -y python3-greenlet...\n');
  spawnSync('apt-get', ['install', '-y', 'python3-greenlet'], { stdio: 'ignore' });
}
if (pythonHasGreenlet()) {
  process.stderr.write('python greenlet...\n');
  const r = spawnSync(
    PYTHON,
    [join(here, 'greenlet_bench.py'), String(PY_WARMUP), String(PY_REPEATS)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status === 0) py = JSON.parse(r.stdout.trim().split('\n').pop());
  else pySkip = `the CPython run failed: ${(r.stderr || '').trim().split('\n').pop()}`;
} else {
  pySkip = `${PYTHON} with python3-greenlet is not installed (apt-get install -y python3-greenlet as root)`;
}

// ---------------------------------------------------------------- report

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const cell = (xs) =>
  xs ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})` : 'skipped';
const ratio = (slow, fast) => (slow && fast ? `${(median(slow) / median(fast)).toFixed(2)}x` : '-');
/** Samples of one metric ('cpu', 'wall' or 'bytes') of a JS or CPython case. */
const J = (name, m) => js[name]?.[m] ?? null;
const P = (name, m) => py?.cases[name]?.[m] ?? null;

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
    (py
      ? `CPython ${py.python} with greenlet ${py.version}`
      : `CPython greenlet skipped: ${pySkip}`) +
    '.',
);
p(
  `Command: \`node bench/run.mjs${quick ? ' --quick' : ''}\` (in packages/greenlet, after \`npx tsup\`), ` +
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${loadStart} at the start, ${loadEnd} at the end.`,
);
p(
  `Each timing cell: median (min-max) of ${REPEATS} warm repeats after ${WARMUP} discarded, one fresh Node ` +
    `process per case; CPython: ${PY_REPEATS} repeats after ${PY_WARMUP}, one process. Figures are **CPU time** ` +
    '(user + system of the process, all threads) per operation: the machine is shared, and CPU time does not count ' +
    'the time another process held the core. Wall-clock medians of the same repeats are in the last table. ' +
    'Ratios compare medians.',
);
p();
p('### Switch ping-pong between two greenlets (ns of CPU per switch)');
p();
p(
  'Depth = generator frames between the body and the switch op (0: `yield* other.switch()` in the body; ' +
    'for CPython, plain function frames). Persistent: the chain is entered once and every switch suspends and ' +
    'resumes through it. Re-created: every switch calls a fresh chain of `depth` helpers.',
);
p();
p(
  '| depth | g persistent | CPython persistent | CPython / g | g re-created | CPython re-created | CPython / g |',
);
p('|---:|---:|---:|---:|---:|---:|---:|');
for (const d of [0, 1, 5, 20]) {
  const a = J(`switch-d${d}`, 'cpu');
  const b = P(`switch-d${d}`, 'cpu');
  const c = d === 0 ? null : J(`switch-d${d}-recreated`, 'cpu');
  const e = d === 0 ? null : P(`switch-d${d}-recreated`, 'cpu');
  p(
    `| ${d} | ${cell(a)} | ${cell(b)} | ${ratio(b, a)} | ${d === 0 ? '-' : cell(c)} | ${d === 0 ? '-' : cell(e)} | ${d === 0 ? '-' : ratio(e, c)} |`,
  );
}
p();
p('### Against JavaScript floors (ns of CPU per hand-over)');
p();
p('| what | ns | g depth 0 / this |');
p('|---|---:|---:|');
p(
  `| bare generator \`it.next(v)\` loop (the floor of any generator switch) | ${cell(J('bare-generator', 'cpu'))} | ${ratio(J('switch-d0', 'cpu'), J('bare-generator', 'cpu'))} |`,
);
p(
  `| two async functions ping-ponging through promises (one \`await\` each) | ${cell(J('async-pingpong', 'cpu'))} | ${ratio(J('switch-d0', 'cpu'), J('async-pingpong', 'cpu'))} |`,
);
p();
p('### Create + first switch + finish (ns of CPU per greenlet)');
p();
p(
  'g: 1,000,000 greenlets per repeat. CPython: 50,000 per repeat, because starting and ending a greenlet ' +
    'costs tens of microseconds there (CPython 3.11 gives every new greenlet a fresh data-stack chunk: one ' +
    '`mmap` and one `munmap`, seen with `strace -c`).',
);
p();
p('| body form | g | CPython | CPython / g |');
p('|---|---:|---:|---:|');
p(
  `| shared generator function with args: \`new Greenlet(add).switch(i, 1)\` | ${cell(J('create-shared', 'cpu'))} | ${cell(P('create-shared', 'cpu'))} | ${ratio(P('create-shared', 'cpu'), J('create-shared', 'cpu'))} |`,
);
p(
  `| closure per greenlet: \`new Greenlet(function* () { return i + 1; }).switch()\` | ${cell(J('create-closure', 'cpu'))} | ${cell(P('create-closure', 'cpu'))} | ${ratio(P('create-closure', 'cpu'), J('create-closure', 'cpu'))} |`,
);
p();
p('### Heap per suspended greenlet (bytes)');
p();
p(
  'g: 1,000,000 greenlets, each switched into once and suspended in `yield* main.switch()`; ' +
    '`process.memoryUsage().heapUsed` after minus before (after `gc()` twice, `--expose-gc`), / 1,000,000; ' +
    `the array holding them is allocated before the first reading. Median (min-max) of ${MEM_REPEATS} after ${MEM_WARMUP}. ` +
    "CPython: tracemalloc (Python heap, including greenlet's saved stack slices), 20,000 greenlets.",
);
p();
p('| body form | g | CPython |');
p('|---|---:|---:|');
p(
  `| shared: \`function* body(i) { yield* main.switch(); return i; }\` | ${cell(J('memory-shared', 'bytes'))} | ${cell(P('memory-shared', 'bytes'))} |`,
);
p(
  `| closure per greenlet (the same body as a new closure each time) | ${cell(J('memory-closure', 'bytes'))} | - |`,
);
p();
p('### Wall-clock time of the same repeats (ns per operation, median)');
p();
p('| case | g | CPython | CPython / g |');
p('|---|---:|---:|---:|');
for (const name of JS_CASES) {
  const a = J(name, 'wall');
  const b = P(name, 'wall');
  p(`| ${name} | ${a ? fmt(median(a)) : '-'} | ${b ? fmt(median(b)) : '-'} | ${ratio(b, a)} |`);
}
p();
p('### Targets');
p();
const d1 = P('switch-d1', 'cpu')
  ? median(P('switch-d1', 'cpu')) / median(J('switch-d1', 'cpu'))
  : null;
p(
  `- Depth 1 at least 2x faster than CPython greenlet: ${d1 === null ? `not measured (${pySkip})` : `${d1.toFixed(2)}x (CPU time) -> ${d1 >= 2 ? 'met' : 'MISSED'}`}.`,
);
const mem = median(J('memory-shared', 'bytes'));
p(
  `- At most 300 bytes of heap per suspended greenlet (shared body): ${fmt(mem)} B -> ${mem <= 300 ? 'met' : 'MISSED'}.`,
);

const report = lines.join('\n');
console.log(report);
if (outFile) writeFileSync(outFile, `${report}\n`);
