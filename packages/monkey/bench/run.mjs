// @g/monkey benchmark: `pnpm --filter @g/monkey bench` (or `node bench/run.mjs`) after a build.
//
// Every case runs in its own fresh process (patching is global): Node's own timers
// ('native'), the timers patch on the default hub ('node'), the timers patch on a virtual
// hub ('virtual'), and gevent after monkey.patch_all() (bench/gevent_bench.py with
// /usr/bin/python3) where it has a peer, one after the other, so that all figures of the
// printed table come from this one run. Each cell: median of the warm repeats (the first
// repeats of each process are discarded as warm-up), with the min-max spread across them,
// in microseconds per operation. Callbacks are one shared function (no closure per timer).
// Options: --quick (fewer repeats), --out <file> (also write the report there).
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
const PYTHON = '/usr/bin/python3';

if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error(
    'dist/index.js is missing: build first (npx tsup, or pnpm --filter @g/monkey build)',
  );
  process.exit(1);
}

function ensureGevent() {
  const ok = () =>
    existsSync(PYTHON) &&
    spawnSync(PYTHON, ['-c', 'import gevent'], { stdio: 'ignore' }).status === 0;
  if (ok()) return null;
  if (process.getuid?.() === 0) {
    process.stderr.write('installing python3-gevent with apt-get...\n');
    spawnSync('apt-get', ['install', '-y', 'python3-gevent'], { stdio: 'ignore' });
    if (ok()) return null;
  }
  return 'python3-gevent is not installed (and could not be installed: not root or no apt)';
}
const geventMissing = ensureGevent();

const R = quick ? 3 : 7;
const W = quick ? 1 : 2;

function js(impl, kase, n) {
  process.stderr.write(`${impl} ${kase} ${n}...\n`);
  const out = execFileSync(
    process.execPath,
    [join(here, 'cases.mjs'), impl, kase, String(n), String(R), String(W)],
    { encoding: 'utf8', maxBuffer: 1 << 20, cwd: join(here, '..') },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

function py(kase, n) {
  if (geventMissing) return null;
  process.stderr.write(`gevent ${kase} ${n}...\n`);
  const out = execFileSync(
    PYTHON,
    [join(here, 'gevent_bench.py'), kase, String(n), String(R), String(W)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
function median(xs) {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const fmt = (x) => Number(x).toPrecision(3);
function cell(r, n) {
  if (!r) return '—';
  const v = r.times.map((t) => (t / n) * 1e6);
  const s = sorted(v);
  return `${fmt(median(v))} (${fmt(s[0])}-${fmt(s[s.length - 1])})`;
}
function ratio(a, b) {
  if (!a || !b) return '—';
  return `${(median(a.times) / median(b.times)).toFixed(2)}x`;
}

const CASES = [
  ['immediateChain', 20_000, 'chain of setImmediate (each set by the previous callback)', true],
  ['fanout', 10_000, '10,000 setTimeout of 1-10 ms set at once, until all ran (wall / N)', true],
  ['promiseSleeps', 10_000, '10,000 concurrent `await setTimeout(1)` (timers/promises)', true],
  ['createClear', 200_000, 'setTimeout(fn, 30 s) + clearTimeout', false],
  ['dateNow', 1_000_000, 'Date.now()', false],
  ['guardMain', 100_000, 'fs.statSync outside greenlets (guard installed: one check)', false],
  ['guardOff', 20_000, "fs.statSync inside a greenlet, guard mode 'off'", false],
  [
    'guardWarn',
    20_000,
    "fs.statSync inside a greenlet, guard mode 'warn' (one warning, a stack frame per call)",
    false,
  ],
];
const IMPLS = {
  immediateChain: ['native', 'node', 'virtual'],
  fanout: ['native', 'node', 'virtual'],
  promiseSleeps: ['native', 'node', 'virtual'],
  createClear: ['native', 'node', 'virtual'],
  dateNow: ['native', 'virtual'],
  guardMain: ['native', 'node'],
  guardOff: ['native', 'node'],
  guardWarn: ['native', 'node'],
};

const loadBefore = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const t0 = Date.now();
const results = {};
for (const [kase, n, , peer] of CASES) {
  results[kase] = {};
  for (const impl of IMPLS[kase]) results[kase][impl] = js(impl, kase, n);
  if (peer) results[kase].gevent = py(kase, n);
}
const loadAfter = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

const cpuModel =
  (existsSync('/proc/cpuinfo') &&
    readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'))
      ?.split(':')[1]
      ?.trim()) ||
  cpus()[0]?.model ||
  'unknown';
const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
const geventVersion = results.fanout.gevent?.extra?.version ?? 'n/a';

const lines = [];
const p = (s = '') => lines.push(s);
p(
  `Machine: ${nproc} CPUs (nproc), ${cpuModel}; node ${process.version}; gevent ${geventVersion} ` +
    `(/usr/bin/python3, after monkey.patch_all()). Load average ${loadBefore} before, ` +
    `${loadAfter} after (${((Date.now() - t0) / 1000).toFixed(0)} s).`,
);
p(
  `Command: \`pnpm --filter @g/monkey bench\` (= \`node bench/run.mjs${quick ? ' --quick' : ''}\` after a build).`,
);
p(
  `Each cell: µs per operation, median of ${R} warm repeats after ${W} discarded, (min-max) across ` +
    'them; every figure from this run; each implementation in its own fresh process.',
);
p(
  "native: Node's own timers; node: the timers patch on the default hub (Node backend, real time);",
);
p(
  'virtual: the timers patch (and clock patch) on a virtual-clock hub, where waiting costs no time;',
);
p('gevent: the closest gevent peer after `monkey.patch_all()` (run_callback chain; greenlets in');
p('time.sleep), where there is one.');
if (geventMissing) p(`gevent column skipped: ${geventMissing}.`);
p();
p('| case | N | native | patched, node hub | patched, virtual hub | gevent | node / native |');
p('|---|---|---|---|---|---|---|');
for (const [kase, n, what, peer] of CASES) {
  const r = results[kase];
  p(
    `| ${what} | ${n.toLocaleString('en-US')} | ${cell(r.native, n)} | ${cell(r.node, n)} | ` +
      `${cell(r.virtual, n)} | ${peer ? cell(r.gevent, n) : '—'} | ${ratio(r.node, r.native)} |`,
  );
}
const report = lines.join('\n');
console.log(report);
if (outFile) writeFileSync(outFile, `${report}\n`);
