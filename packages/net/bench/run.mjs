// `pnpm bench` for @g/net: servers side by side, each in its own process, driven by a
// client in another process; interleaved repeats, medians and spreads, one markdown table.
//
//   node bench/run.mjs [--repeats N] [--only echo|http] [--quick] [--variants]
//
// echo: 50 connections x 2,000 round trips of 64 bytes (bench/echo-client.mjs, plain Node)
//       against g's StreamServer, a plain Node `net` echo server and gevent's StreamServer
//       (/usr/bin/python3; installs python3-gevent with apt-get when root and missing).
// http: autocannon (50 connections, 5 s, pipelining 1) against g's HttpServer and plain
//       node:http, both answering "Hello, World!".
// --variants adds three bare echo loops written straight on the hub (no Socket layer), for
// the choice of how sockets wait: on @g/ev io watchers, on stream events waking at once, on
// stream events woken in one batch per poll (what @g/net does).
// Besides throughput, the server process's CPU time (user+sys from /proc) per round trip
// or request is reported: it depends far less on the load of a shared machine.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes('--quick');
const VARIANTS = args.includes('--variants');
const REPEATS = Number(opt('--repeats', QUICK ? 2 : 5));
const ONLY = opt('--only', null);
const PY = '/usr/bin/python3';
const CLK_TCK = 100;

function hasGevent() {
  try {
    execFileSync(PY, ['-c', 'import gevent'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureGevent() {
  if (hasGevent()) return true;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('apt-get', ['install', '-y', 'python3-gevent'], { stdio: 'ignore' });
    } catch {
      // reported below
    }
  }
  return hasGevent();
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Starts a server process; resolves { port, pid, stop }. */
function startServer(cmd, argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        p.stdout.removeAllListeners('data');
        resolve({
          port: Number(m[1]),
          pid: p.pid,
          stop: () =>
            new Promise((r) => {
              p.once('exit', r);
              p.kill('SIGTERM');
            }),
        });
      }
    });
    p.once('exit', (code) => reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}`)));
  });
}

function runClient(argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`client exited ${code}`)),
    );
  });
}

async function measure(server, clientArgv, parse) {
  const s = await startServer(server[0], server[1]);
  try {
    // Warm-up (JIT), not counted.
    await runClient(clientArgv(s.port, true));
    const c0 = cpuSeconds(s.pid);
    const r = parse(await runClient(clientArgv(s.port, false)));
    const c1 = cpuSeconds(s.pid);
    return { rate: r.rate, count: r.count, cpuUs: ((c1 - c0) / r.count) * 1e6 };
  } finally {
    await s.stop();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function row(name, runs, base) {
  const rates = runs.map((r) => r.rate);
  const cpu = runs.map((r) => r.cpuUs);
  const m = median(rates);
  const ratio = base ? `${fmt((m / median(base.map((r) => r.rate))) * 100, 0)}%` : '100%';
  const cpuRatio = base
    ? `${fmt((median(base.map((r) => r.cpuUs)) / median(cpu)) * 100, 0)}%`
    : '100%';
  return `| ${name} | ${fmt(m)} | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} | ${ratio} | ${fmt(median(cpu), 2)} | ${cpuRatio} |`;
}

const echoConns = QUICK ? 20 : 50;
const echoRounds = QUICK ? 500 : 2000;
const echoClient = (port, warm) => [
  'echo-client.mjs',
  String(port),
  String(echoConns),
  String(warm ? Math.max(100, echoRounds / 4) : echoRounds),
  '64',
];
const parseEcho = (out) => {
  const j = JSON.parse(out.trim().split('\n').pop());
  return { rate: j.perSecond, count: j.roundTrips };
};

const autocannon = join(here, '..', 'node_modules', 'autocannon', 'autocannon.js');
const httpSeconds = QUICK ? 2 : 5;
const httpClient = (port, warm) => [
  autocannon,
  '-c',
  '50',
  '-p',
  '1',
  '-d',
  String(warm ? 1 : httpSeconds),
  '-j',
  `http://127.0.0.1:${port}/`,
];
const parseHttp = (out) => {
  const j = JSON.parse(out);
  if (j.non2xx || j.errors) throw new Error(`autocannon: ${j.non2xx} non-2xx, ${j.errors} errors`);
  return { rate: j.requests.average, count: j.requests.total };
};

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const model = (cpus()[0]?.model ?? 'unknown').trim();
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${model}), load average before: ${load()}`,
);
console.log(
  `${REPEATS} measured runs of each (after one warm-up run in the same server process), interleaved; median and min–max.`,
);

const results = {};
if (ONLY === null || ONLY === 'echo') {
  const servers = {
    'plain Node net': [process.execPath, ['echo-server-node.mjs']],
    'g StreamServer': [process.execPath, ['echo-server-g.mjs']],
  };
  if (VARIANTS) {
    servers['bare loop: @g/ev io watcher'] = [process.execPath, ['echo-server-g-io.mjs']];
    servers['bare loop: stream events, woken at once'] = [
      process.execPath,
      ['echo-server-g-events.mjs'],
    ];
    servers['bare loop: stream events, batched wake'] = [
      process.execPath,
      ['echo-server-g-events.mjs', '--batched'],
    ];
  }
  const gevent = ensureGevent();
  if (gevent) servers['gevent StreamServer'] = [PY, ['echo_server_gevent.py']];
  for (const k of Object.keys(servers)) results[k] = [];
  for (let i = 0; i < REPEATS; i++) {
    for (const [name, srv] of Object.entries(servers)) {
      results[name].push(await measure(srv, echoClient, parseEcho));
    }
  }
  console.log(`\n### TCP echo: ${echoConns} connections x ${echoRounds} round trips of 64 bytes\n`);
  console.log(
    '| server | round trips/s (median) | min–max | vs plain Node | server CPU µs per round trip | CPU efficiency vs plain Node |',
  );
  console.log('|---|---|---|---|---|---|');
  const base = results['plain Node net'];
  for (const name of Object.keys(servers))
    console.log(row(name, results[name], name === 'plain Node net' ? null : base));
  if (!gevent)
    console.log('\n(gevent: skipped: python3-gevent is not installed and could not be installed)');
}
if (ONLY === null || ONLY === 'http') {
  if (!existsSync(autocannon)) throw new Error('autocannon is missing: run pnpm install');
  const servers = {
    'plain node:http': [process.execPath, ['http-server-node.mjs']],
    'g HttpServer': [process.execPath, ['http-server-g.mjs']],
  };
  for (const k of Object.keys(servers)) results[k] = [];
  for (let i = 0; i < REPEATS; i++) {
    for (const [name, srv] of Object.entries(servers)) {
      results[name].push(await measure(srv, httpClient, parseHttp));
    }
  }
  console.log(
    `\n### HTTP hello world: autocannon, 50 connections, pipelining 1, ${httpSeconds} s\n`,
  );
  console.log(
    '| server | requests/s (median) | min–max | vs plain node:http | server CPU µs per request | CPU efficiency vs plain node:http |',
  );
  console.log('|---|---|---|---|---|---|');
  const base = results['plain node:http'];
  for (const name of Object.keys(servers))
    console.log(row(name, results[name], name === 'plain node:http' ? null : base));
}
console.log(`\nload average after: ${load()}`);
