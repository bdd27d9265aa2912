// @g/hub benchmarks, side by side with gevent (/usr/bin/python3 + python3-gevent) and
// Effection (npm `effection`, a devDependency), in ONE run:
//
//   node bench/run.mjs [--cases a,b,...] [--warmup N] [--repeats N]
//
// Each case runs in a fresh process per library (g-cases.mjs, gevent_cases.py,
// effection-cases.mjs), one after the other (never two at once). Speed figures are the
// median of `--repeats` (default 5) warm repeats after `--warmup` (default 4: V8 needs
// about that many 100,000-greenlet rounds to reach its optimizing tier) discarded ones,
// with the spread (min-max); memory figures the median of 5 (100k) or 3 (1M) runs. The
// last column is the 1-minute load average when the row started (the machine is shared).
// Prints a markdown table with ratios and the machine (nproc, CPU, node, load before and
// after). Needs dist/ (npm run build). If python3-gevent is missing, it is installed with
// apt-get when running as root, else the gevent column says why it is empty.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PY = '/usr/bin/python3';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const warmup = Number(opt('warmup', '4'));
const repeats = Number(opt('repeats', '5'));

// [case, label, unit kind ('rate' higher is better, 'time' / 'mem' lower is better), target]
const CASES = [
  ['spawn_join_seq', 'spawn + join, one at a time (100,000; shared body)', 'rate', ['gevent', 10]],
  [
    'spawn_join_seq_closure',
    'spawn + join, one at a time (100,000; closure body)',
    'rate',
    ['gevent', 10],
  ],
  ['spawn_all_joinall', 'spawn 100,000, then joinall', 'rate', ['gevent', 10]],
  [
    'spawn_join_seq:noctx',
    'spawn + join, one at a time, asyncContext: false',
    'rate',
    ['gevent', 10],
  ],
  [
    'spawn_all_joinall:noctx',
    'spawn 100,000, then joinall, asyncContext: false',
    'rate',
    ['gevent', 10],
  ],
  ['sleep0_2', 'sleep(0) rate, 2 greenlets', 'rate', ['gevent', 4]],
  ['sleep0_100', 'sleep(0) rate, 100 greenlets', 'rate', ['gevent', 4]],
  ['sleep0_1000', 'sleep(0) rate, 1,000 greenlets', 'rate', ['gevent', 4]],
  [
    'timed_sleep_100k',
    '100,000 greenlets sleep(random < 0.1 s): time until all ran',
    'time',
    ['gevent', 5],
  ],
  [
    'timed_spawn_later_100k',
    '100,000 spawnLater(random < 0.1 s): time until all ran',
    'time',
    ['gevent', 5],
  ],
  ['timeout_churn', 'Timeout.startNew(10) + cancel()', 'rate', null],
  ['timeout_churn_reused', 'one Timeout: start() + cancel()', 'rate', null],
  ['heap_sleep_100k', 'memory per greenlet blocked in sleep(10), 100,000', 'mem', ['heap', 1024]],
  ['heap_waiter_100k', 'memory per greenlet blocked on a waiter, 100,000', 'mem', ['heap', 1024]],
  ['heap_sleep_1m', 'memory per greenlet blocked in sleep(10), 1,000,000', 'mem', ['heap', 1024]],
  ['heap_waiter_1m', 'memory per greenlet blocked on a waiter, 1,000,000', 'mem', ['heap', 1024]],
];
const wanted = opt('cases', null)?.split(',');
const cases = wanted ? CASES.filter((c) => wanted.includes(c[0])) : CASES;

function geventStatus() {
  const probe = spawnSync(PY, ['-c', 'import gevent; print(gevent.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.status === 0) return { ok: true, version: probe.stdout.trim() };
  if (process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', 'python3-gevent', 'python3-greenlet'], {
      stdio: 'ignore',
    });
    const again = spawnSync(PY, ['-c', 'import gevent; print(gevent.__version__)'], {
      encoding: 'utf8',
    });
    if (again.status === 0) return { ok: true, version: again.stdout.trim() };
  }
  return { ok: false, why: `gevent not importable by ${PY} (install python3-gevent)` };
}

function runCase(lib, name, mem) {
  const big = name.endsWith('_1m');
  const w = mem ? 0 : warmup;
  const r = mem ? (big ? 3 : 5) : repeats;
  let cmd;
  let argv;
  if (lib === 'g') {
    cmd = process.execPath;
    argv = [...(mem ? ['--expose-gc'] : []), join(here, 'g-cases.mjs'), name, String(w), String(r)];
  } else if (lib === 'effection') {
    if (mem && big) return { skip: 'not run: about 10 KB per task, 10 GB for 1,000,000' };
    cmd = process.execPath;
    argv = [
      ...(mem ? ['--expose-gc'] : []),
      join(here, 'effection-cases.mjs'),
      name,
      String(mem ? 0 : Math.min(w, 2)),
      String(r),
    ];
  } else {
    cmd = PY;
    argv = [join(here, 'gevent_cases.py'), name, String(w), String(r)];
  }
  const env = { ...process.env };
  if (name.endsWith(':noctx')) {
    env.G_ASYNC_CONTEXT = '0';
    argv[argv.indexOf(name)] = name.slice(0, -':noctx'.length);
  }
  const res = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 24,
    timeout: 3_600_000,
  });
  if (res.status !== 0) {
    return { skip: `failed (exit ${res.status}): ${(res.stderr || '').trim().split('\n').pop()}` };
  }
  const line = res.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function stats(samples, key) {
  const xs = samples.map((s) => (key ? s[key] : s)).filter((x) => typeof x === 'number');
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

function fmt(x, kind) {
  if (kind === 'time') return `${x.toFixed(3)} s`;
  if (kind === 'mem') return `${Math.round(x)} B`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k/s`;
  return `${x.toFixed(0)}/s`;
}

function cell(st, kind) {
  if (!st) return '—';
  return `${fmt(st.median, kind)} (${fmt(st.min, kind)}–${fmt(st.max, kind)})`;
}

function ratio(g, peer, kind) {
  if (!g || !peer) return '—';
  const r = kind === 'rate' ? g.median / peer.median : peer.median / g.median;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x`;
}

const load0 = loadavg()[0];
const gevent = geventStatus();
const effectionVersion = JSON.parse(
  readFileSync(join(here, '..', 'node_modules', 'effection', 'package.json'), 'utf8'),
).version;
if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` (tsup) first');
  process.exit(1);
}

const rows = [];
const peerRuns = new Map(); // base case -> { gv, ef } (a :noctx row reuses its base's peers)
for (const [name, label, kind, target] of cases) {
  const rowLoad = loadavg()[0];
  const mem = kind === 'mem';
  const base = name.replace(/:noctx$/, '');
  const g = runCase('g', name, mem);
  let peers = peerRuns.get(base);
  if (!peers) {
    peers = {
      gv: gevent.ok ? runCase('gevent', base, mem) : { skip: gevent.why },
      ef: runCase('effection', base, mem),
    };
    peerRuns.set(base, peers);
  }
  const { gv, ef } = peers;
  const key = mem ? 'heap' : null;
  const gSt = g.skip ? null : stats(g.samples, key);
  const gRss = mem && !g.skip ? stats(g.samples, 'rss') : null;
  const gvSt = gv.skip || gv.samples === null ? null : stats(gv.samples, mem ? 'rss' : null);
  const efSt = ef.skip || ef.samples === null ? null : stats(ef.samples, key);
  let verdict = '';
  if (target && gSt) {
    if (target[0] === 'heap') verdict = gSt.median <= target[1] ? `≤ 1 KB: met` : `≤ 1 KB: MISSED`;
    else {
      const r =
        kind === 'rate'
          ? gSt.median / (gvSt?.median ?? Number.NaN)
          : (gvSt?.median ?? Number.NaN) / gSt.median;
      verdict = Number.isNaN(r)
        ? 'no gevent figure'
        : `≥ ${target[1]}x gevent: ${r >= target[1] ? 'met' : 'MISSED'}`;
    }
  }
  const gCell = mem
    ? `${cell(gSt, kind)} heap; ${gRss ? fmt(gRss.median, kind) : '—'} RSS`
    : cell(gSt, kind);
  rows.push([
    label,
    g.skip ? g.skip : gCell,
    gv.skip
      ? gv.skip
      : gv.samples === null
        ? 'no equivalent'
        : `${cell(gvSt, kind)}${mem ? ' RSS' : ''}`,
    ef.skip
      ? ef.skip
      : ef.samples === null
        ? 'no equivalent'
        : `${cell(efSt, kind)}${mem ? ' heap' : ''}`,
    ratio(gSt, gvSt, kind),
    ratio(gSt, efSt, kind),
    verdict,
    rowLoad.toFixed(2),
  ]);
  process.stderr.write(`done: ${name}\n`);
}

const load1 = loadavg()[0];
const cpu = cpus()[0]?.model ?? 'unknown';
const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
console.log(
  `Machine: ${nproc} cores, ${cpu}; node ${process.version}; gevent ${gevent.version ?? '—'} (${PY}); effection ${effectionVersion}`,
);
console.log(`Load average (1 min): ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
console.log(
  `Speed: median (min–max) of ${repeats} warm repeats after ${warmup} discarded (Effection: 2, its 100,000-task rounds take seconds each; gevent: the same ${warmup}); memory: median of 5 (100k) or 3 (1M) runs, heap after gc for g and Effection, RSS for gevent (C stacks are not on a Python heap). Ratios: how many times better g is. Rows marked asyncContext: false reuse the peers' figures of the row above them (same run).\n`,
);
console.log(
  '| benchmark | g | gevent | Effection | g vs gevent | g vs Effection | target | load |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
