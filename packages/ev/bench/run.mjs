// @g/ev benchmark: `pnpm --filter @g/ev bench` (or `node bench/run.mjs`) after a build.
//
// Every case runs in its own fresh process: @g/ev (bench/cases.mjs against dist/), Node's
// own timers (same file), and gevent's libev loop (bench/gevent_bench.py with
// /usr/bin/python3), one after the other, so all figures in the printed markdown table come
// from this one run. Timings: median of the warm repeats (the first repeats of each process
// are discarded as warm-up) with the min-max spread. Options: --quick (fewer repeats and
// 1M cases skipped, for a smoke run), --out <file> (also write the report there).
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
  console.error('dist/index.js is missing: build first (npx tsup, or pnpm --filter @g/ev build)');
  process.exit(1);
}

// ------------------------------------------------------------------ peers

function ensureGevent() {
  const ok = () =>
    existsSync(PYTHON) &&
    spawnSync(PYTHON, ['-c', 'import gevent.libev.corecext'], { stdio: 'ignore' }).status === 0;
  if (ok()) return null;
  if (process.getuid?.() === 0) {
    process.stderr.write('installing python3-gevent with apt-get...\n');
    spawnSync('apt-get', ['install', '-y', 'python3-gevent'], { stdio: 'ignore' });
    if (ok()) return null;
  }
  return 'python3-gevent is not installed (and could not be installed: not root or no apt)';
}
const geventMissing = ensureGevent();

function js(impl, kase, n, repeats, warmup, arg) {
  const args = ['--expose-gc', '--max-old-space-size=4096', join(here, 'cases.mjs')];
  args.push(impl, kase, String(n), String(repeats), String(warmup));
  if (arg !== undefined) args.push(String(arg));
  process.stderr.write(`${impl} ${kase} ${n}${arg !== undefined ? ` ${arg}` : ''}...\n`);
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

function py(kase, n, repeats, warmup, arg) {
  if (geventMissing) return null;
  const args = [join(here, 'gevent_bench.py'), kase, String(n), String(repeats), String(warmup)];
  if (arg !== undefined) args.push(String(arg));
  process.stderr.write(`gevent ${kase} ${n}${arg !== undefined ? ` ${arg}` : ''}...\n`);
  const out = execFileSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

// ------------------------------------------------------------------ stats and format

function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}
function median(xs) {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function fmt(x, digits = 3) {
  return Number(x).toPrecision(digits);
}
/** "median (min-max)" of values mapped by f. */
function cell(r, f, digits = 3) {
  if (!r) return 'n/a';
  const v = r.times.map(f);
  const s = sorted(v);
  return `${fmt(median(v), digits)} (${fmt(s[0], digits)}-${fmt(s[s.length - 1], digits)})`;
}
function ratio(a, b) {
  if (!a || !b) return 'n/a';
  return `${(median(a.times) / median(b.times)).toFixed(2)}x`;
}

// ------------------------------------------------------------------ run

const loadBefore = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const t0 = Date.now();
const R = quick ? 3 : 5;
const W = quick ? 1 : 2;

const fire = {};
for (const n of quick ? [100_000] : [100_000, 1_000_000]) {
  const w = n >= 1_000_000 ? 1 : W;
  fire[n] = {
    ev: js('ev', 'fire', n, R, w),
    node: js('node', 'fire', n, R, w),
    gevent: py('fire', n, R, w),
  };
}
const CHURN_N = 1_000_000;
const churn = {};
for (const order of ['advancing', 'fifo', 'random']) {
  churn[order] = {
    ev: js('ev', 'churn', CHURN_N, quick ? 3 : 7, W, order),
    node: js('node', 'churn', CHURN_N, quick ? 3 : 5, 1, order),
    gevent: py('churn', CHURN_N, quick ? 3 : 7, W, order),
  };
}
const ITER_EMPTY = 1_000_000;
const ITER_IDLE = 10_000;
const iterate = {
  evEmpty: js('ev', 'iterate', ITER_EMPTY, quick ? 3 : 7, W, 0),
  geventEmpty: py('iterate', ITER_EMPTY / 10, quick ? 3 : 7, W, 0),
  evIdle: js('ev', 'iterate', ITER_IDLE, quick ? 3 : 7, W, 1000),
  geventIdle: py('iterate', ITER_IDLE, quick ? 3 : 7, W, 1000),
};
process.stderr.write('heap arity...\n');
let arity = null;
try {
  const out = execFileSync(process.execPath, [join(here, 'heap-arity.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, HEAP_N: String(quick ? 200_000 : 1_000_000), HEAP_R: quick ? '2' : '5' },
  });
  arity = JSON.parse(out.trim().split('\n').pop());
} catch (err) {
  process.stderr.write(`heap arity benchmark failed: ${err.message}\n`);
}
const loadAfter = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

// ------------------------------------------------------------------ report

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
const geventVersion = fire[100_000].gevent?.extra?.version ?? 'n/a';

const lines = [];
const p = (s = '') => lines.push(s);
p(
  `Machine: ${nproc} CPUs (nproc), ${cpuModel}; node ${process.version}; gevent ${geventVersion} ` +
    `(libev, /usr/bin/python3). Load average ${loadBefore} before, ${loadAfter} after ` +
    `(${((Date.now() - t0) / 1000).toFixed(0)} s).`,
);
p(
  `Command: \`pnpm --filter @g/ev bench\` (= \`node bench/run.mjs${quick ? ' --quick' : ''}\` after a build).`,
);
p('Each cell: median of the warm repeats, (min-max) across them; every figure from this run;');
p('each implementation in its own fresh process. Callbacks are one shared function.');
if (geventMissing) p(`gevent column skipped: ${geventMissing}.`);
p();
p('### Start and fire N timers with random times within 0.1 s');
p();
p('Seconds from the first start to the last callback (lower is better; the floor is 0.1 s),');
p('and memory per pending timer (JS: heap + array buffers after GC; gevent: RSS).');
p();
p(
  '| N | @g/ev | Node setTimeout | gevent (libev) | ev / Node | ev / gevent | ev B/timer | Node B/timer | gevent B/timer |',
);
p('|---|---|---|---|---|---|---|---|---|');
for (const n of Object.keys(fire)) {
  const r = fire[n];
  p(
    `| ${Number(n).toLocaleString('en-US')} | ${cell(r.ev, (x) => x)} | ${cell(r.node, (x) => x)} | ` +
      `${cell(r.gevent, (x) => x)} | ${ratio(r.ev, r.node)} | ${ratio(r.ev, r.gevent)} | ` +
      `${fmt(r.ev.extra.bytesPerTimer)} | ${fmt(r.node.extra.bytesPerTimer)} | ` +
      `${r.gevent ? fmt(r.gevent.extra.bytesPerTimer) : 'n/a'} |`,
  );
}
p();
p(`### Start/stop churn: ${CHURN_N.toLocaleString('en-US')} pending timers (timeout per request)`);
p();
p('A pass visits every pending timer once and stops it and starts it again with a fresh');
p('30 s timeout; operations = stops + starts. Millions of operations per second (higher is');
p('better). Target: >= 5. Orders: "advancing" = oldest first, each new deadline later than');
p('all others (requests finishing in arrival order while time moves: every stop removes the');
p('heap root); "fifo" = oldest first, all deadlines equal (timeouts started in one iteration);');
p('"random" = a random permutation (each op touches a random timer among 1M: cache misses).');
p('@g/ev: `stop(); set(30 [+ 1 µs per op]); start()`. Node: `clearTimeout(); setTimeout(cb,');
p('30000)` in every row (its lists per duration make order irrelevant). gevent: `stop();');
p('start(cb)` (libev gives the timer its old deadline back); "advancing": `again()` on a');
p("repeating timer (ev_now_update + ev_timer_again, libev's timeout-reset idiom; one re-key");
p('counted as two operations).');
p();
p('| order | @g/ev | Node | gevent (libev) | ev / Node | ev / gevent |');
p('|---|---|---|---|---|---|');
const mops = (t) => (2 * CHURN_N) / t / 1e6;
const inv = (a, b) => (a && b ? `${(median(b.times) / median(a.times)).toFixed(2)}x` : 'n/a');
for (const order of Object.keys(churn)) {
  const c = churn[order];
  p(
    `| ${order} | ${cell(c.ev, mops)} | ${cell(c.node, mops)} | ${cell(c.gevent, mops)} | ` +
      `${inv(c.ev, c.node)} | ${inv(c.ev, c.gevent)} |`,
  );
}
p();
p('### One loop iteration (`run(NOWAIT)`)');
p();
p('| case | @g/ev | gevent (libev) | gevent / ev |');
p('|---|---|---|---|');
const ns = (n) => (t) => (t / n) * 1e9;
const us = (n) => (t) => (t / n) * 1e6;
const per = (r, n) => (r ? median(r.times) / n : null);
const rel = (a, na, b, nb) => (a && b ? `${(per(b, nb) / per(a, na)).toFixed(1)}x` : 'n/a');
p(
  `| nothing to do (ns / iteration) | ${cell(iterate.evEmpty, ns(ITER_EMPTY))} | ` +
    `${cell(iterate.geventEmpty, ns(ITER_EMPTY / 10))} | ` +
    `${rel(iterate.evEmpty, ITER_EMPTY, iterate.geventEmpty, ITER_EMPTY / 10)} |`,
);
p(
  `| 1,000 idle watchers (µs / iteration) | ${cell(iterate.evIdle, us(ITER_IDLE))} | ` +
    `${cell(iterate.geventIdle, us(ITER_IDLE))} | ` +
    `${rel(iterate.evIdle, ITER_IDLE, iterate.geventIdle, ITER_IDLE)} |`,
);
p();
if (arity) {
  p(
    `### Heap arity (src/heap.ts built with arity 2 and 4; ${arity.N.toLocaleString('en-US')} elements)`,
  );
  p();
  p(
    'Seconds; median (min-max) of 10 warm repeats in 4 alternating processes. fill = insert N random',
  );
  p(
    'keys; churn = N x (remove a random element, insert a later key); drain = remove the top N times.',
  );
  p();
  p('| arity | fill | churn | drain |');
  p('|---|---|---|---|');
  for (const a of ['2', '4']) {
    const r = arity.result[a];
    const c = (xs) => cell({ times: xs }, (x) => x);
    p(`| ${a} | ${c(r.fill)} | ${c(r.churn)} | ${c(r.drain)} |`);
  }
  p();
}
const report = lines.join('\n');
console.log(report);
if (outFile) writeFileSync(outFile, `${report}\n`);
