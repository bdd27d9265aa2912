// Load test of the chat server (loopback only; bounded: it stops by itself).
//
//   node bench/load.mjs [--clients 200] [--rooms 10] [--messages 200] [--window 1]
//                       [--workers 1,2] [--repeats 5] [--time-limit 120] [--json]
//
// For each --workers value, `repeats` times (after one warm-up run): start the built server
// (bin/demo-server.mjs, ports 0) and connect `clients` TCP clients (node:net, as nc would),
// spread over `rooms` rooms. Every client sends `messages` chat lines, closed loop: it
// keeps at most `window` of its own lines in flight and sends the next one when the server
// echoes one back to it. Each line carries its sender and number; every member of the room
// records the time from the send to its arrival (one clock: the load runs in this process).
// A run stops when every message reached every member, or after --time-limit seconds
// (messages missing then are reported as lost). Then the server gets SIGTERM and must exit 0.
//
// Reported per run: messages/s into the server, events/s out of it (deliveries: one message
// to a room of 20 is 20), latency p50 / p99 / max, and lost deliveries. The table shows the
// median run (by messages/s) and the spread of messages/s over the runs.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: opts } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '10' },
    messages: { type: 'string', default: '200' },
    window: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '5' },
    'time-limit': { type: 'string', default: '120' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.clients);
const ROOMS = Math.min(Number(opts.rooms), N);
const M = Number(opts.messages);
const WINDOW = Number(opts.window);
const REPEATS = Number(opts.repeats);
const LIMIT_MS = Number(opts['time-limit']) * 1000;
const WORKERS = opts.workers.split(',').map(Number);

function startServer(workers) {
  const args = [join(APP, 'bin', 'demo-server.mjs'), '--port', '0', '--tcp-port', '0'];
  args.push('--workers', String(workers), '--max-clients', String(N + 10));
  args.push('--queue-size', '1024', '--idle-timeout', '0');
  const proc = spawn(process.execPath, args, { cwd: APP, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    proc.stdout.on('data', () => {
      const tcp = /terminal: +nc \S+ (\d+)/.exec(out);
      if (tcp) {
        clearTimeout(t);
        resolve({ proc, tcpPort: Number(tcp[1]), exited, output: () => out });
      }
    });
    proc.on('exit', () => reject(new Error(`server exited:\n${out}`)));
  });
}

class Client {
  constructor(id, sock) {
    this.id = id;
    this.sock = sock;
    this.rest = '';
    this.waiters = [];
    this.onLine = null;
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    sock.on('data', (d) => {
      const parts = (this.rest + d).split('\n');
      this.rest = parts.pop();
      for (const l of parts) this.onLine?.(l);
    });
    sock.on('error', () => {});
  }

  static open(port, id) {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new Client(id, s)));
      s.once('error', reject);
    });
  }

  /** Sends `line` and waits for a line matching `re`. */
  ask(line, re) {
    return new Promise((resolve) => {
      this.onLine = (l) => {
        if (re.test(l)) {
          this.onLine = null;
          resolve(l);
        }
      };
      this.sock.write(`${line}\n`);
    });
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runOnce(workers) {
  const server = await startServer(workers);
  const clients = [];
  // Connect and join a room, a few at a time (a connect storm is not what is measured).
  for (let i = 0; i < N; i += 20) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 20); j++) {
      batch.push(
        (async () => {
          const c = await Client.open(server.tcpPort, j);
          await c.ask(`u${j}`, /^Hello u\d+,/);
          await c.ask(`/join r${j % ROOMS}`, /^you are in #r\d+/);
          return c;
        })(),
      );
    }
    clients.push(...(await Promise.all(batch)));
  }
  const roomSize = (r) => clients.filter((c) => c.id % ROOMS === r).length;
  // Joins of later clients may still be on their way: let them land before timing.
  await new Promise((r) => setTimeout(r, 500));

  const sentAt = new Map();
  const latencies = [];
  let delivered = 0;
  const expected = clients.reduce((n, c) => n + M * roomSize(c.id % ROOMS), 0);
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const t0 = performance.now();
  let last = t0;
  for (const c of clients) {
    let next = 0;
    let inFlight = 0;
    const send = () => {
      while (inFlight < WINDOW && next < M) {
        const key = `${c.id}:${next}`;
        sentAt.set(key, performance.now());
        c.sock.write(`m ${key}\n`);
        next++;
        inFlight++;
      }
    };
    c.onLine = (l) => {
      const m = /^\[r\d+\] <u(\d+)> m (\d+:\d+)$/.exec(l);
      if (!m) return;
      const now = performance.now();
      latencies.push(now - sentAt.get(m[2]));
      delivered++;
      last = now;
      if (Number(m[1]) === c.id) {
        inFlight--;
        send();
      }
      if (delivered === expected) resolveDone();
    };
    send();
  }
  const timer = setTimeout(resolveDone, LIMIT_MS);
  await done;
  clearTimeout(timer);
  const seconds = (last - t0) / 1000;
  for (const c of clients) c.sock.destroy();
  server.proc.kill('SIGTERM');
  const exit = await server.exited;
  latencies.sort((a, b) => a - b);
  const sentMessages = clients.length * M;
  return {
    workers,
    clients: N,
    rooms: ROOMS,
    messages: sentMessages,
    deliveries: delivered,
    lost: expected - delivered,
    seconds,
    messagesPerSec: sentMessages / seconds,
    deliveriesPerSec: delivered / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    exitCode: exit.code,
  };
}

const fmt = (n, d = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
    : '-';

const results = [];
for (const w of WORKERS) {
  const runs = [];
  if (REPEATS > 1) await runOnce(w); // warm-up (page cache, JIT of the client side)
  for (let i = 0; i < REPEATS; i++) runs.push(await runOnce(w));
  runs.sort((a, b) => a.messagesPerSec - b.messagesPerSec);
  const median = runs[Math.floor(runs.length / 2)];
  results.push({
    ...median,
    runs: runs.length,
    minPerSec: runs[0].messagesPerSec,
    maxPerSec: runs.at(-1).messagesPerSec,
    lostTotal: runs.reduce((n, r) => n + r.lost, 0),
    badExits: runs.filter((r) => r.exitCode !== 0).length,
  });
}

if (opts.json) {
  console.log(JSON.stringify(results));
} else {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let version = '';
  try {
    version = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8')).version;
  } catch {}
  console.log(
    `demo-server ${version} load: ${N} TCP clients in ${ROOMS} rooms (${N / ROOMS} each), ` +
      `${M} messages each, window ${WINDOW}; node ${process.version}, ` +
      `${availableParallelism()} cores (${cpu}); load generator and server on the same machine.`,
  );
  console.log(
    `Median of ${REPEATS} runs${REPEATS > 1 ? ' after a warm-up run' : ''} (by messages/s); ` +
      'spread = slowest..fastest run.\n',
  );
  console.log(
    '| workers | messages in/s | spread | events out/s | p50 ms | p99 ms | max ms | lost | exit 0 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.workers} | ${fmt(r.messagesPerSec)} | ${fmt(r.minPerSec)}..${fmt(r.maxPerSec)} | ` +
        `${fmt(r.deliveriesPerSec)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ` +
        `${r.lostTotal} | ${r.badExits === 0 ? 'yes' : `no (${r.badExits})`} |`,
    );
  }
}
const failed = results.some((r) => r.lostTotal > 0 || r.badExits > 0);
process.exitCode = failed ? 1 : 0;
