/**
 * /metrics in Prometheus' text exposition format (version 0.0.4).
 *
 * Every series carries a `worker` label: the node:cluster worker id (0 without a cluster).
 * Under node:cluster any worker answers for all of them, from the latest sample each sent
 * (at most a second old), so one scrape of the port sees the whole server. Counters end in
 * `_total`; the per-second rates are gauges over the last second, for people reading the
 * page without a Prometheus.
 */
import type { Sample } from './stats.js';

interface Metric {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  values: (s: Sample) => Array<[labels: string, value: number]>;
}

const one =
  (k: keyof Sample, scale = 1) =>
  (s: Sample): Array<[string, number]> => [['', (s[k] as number) * scale]];

const METRICS: Metric[] = [
  {
    name: 'g_greenlets',
    type: 'gauge',
    help: 'Greenlets the server runs now (connections, writers, background).',
    values: one('greenlets'),
  },
  {
    name: 'g_switches_total',
    type: 'counter',
    help: 'Greenlet switches since the process started.',
    values: one('switches'),
  },
  {
    name: 'g_switches_per_second',
    type: 'gauge',
    help: 'Greenlet switches during the last second.',
    values: one('switchesPerSec'),
  },
  {
    name: 'g_loop_lag_seconds',
    type: 'gauge',
    help: "Worst lateness of a 100 ms timer on the hub's loop during the last second.",
    values: one('loopLagMs', 0.001),
  },
  {
    name: 'chat_clients',
    type: 'gauge',
    help: 'Chat clients connected now, by kind.',
    values: (s) => [
      ['kind="tcp"', s.tcp],
      ['kind="ws"', s.ws],
    ],
  },
  {
    name: 'chat_http_connections',
    type: 'gauge',
    help: 'Open HTTP connections (WebSocket ones included).',
    values: one('httpConnections'),
  },
  {
    name: 'chat_tcp_queued',
    type: 'gauge',
    help: 'TCP connections waiting, paused, for a place in the pool.',
    values: one('tcpQueued'),
  },
  {
    name: 'chat_tcp_refused_total',
    type: 'counter',
    help: 'TCP connections closed at once because the backlog was full.',
    values: one('tcpRefused'),
  },
  {
    name: 'chat_sessions_total',
    type: 'counter',
    help: 'Chat sessions started.',
    values: one('sessions'),
  },
  {
    name: 'chat_messages_received_total',
    type: 'counter',
    help: 'Chat lines received from clients (messages and /me).',
    values: one('received'),
  },
  {
    name: 'chat_messages_delivered_total',
    type: 'counter',
    help: 'Events written to clients.',
    values: one('delivered'),
  },
  {
    name: 'chat_messages_received_per_second',
    type: 'gauge',
    help: 'Chat lines received during the last second.',
    values: one('receivedPerSec'),
  },
  {
    name: 'chat_messages_delivered_per_second',
    type: 'gauge',
    help: 'Events written to clients during the last second.',
    values: one('deliveredPerSec'),
  },
  {
    name: 'chat_clients_dropped_total',
    type: 'counter',
    help: 'Clients dropped by the server, by reason.',
    values: (s) => [
      ['reason="slow"', s.droppedSlow],
      ['reason="idle"', s.droppedIdle],
    ],
  },
  {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory of the worker process.',
    values: one('rssBytes'),
  },
];

/** The exposition text for the latest sample of each worker. */
export function formatMetrics(workers: ReadonlyMap<number, Sample>): string {
  const ids = [...workers.keys()].sort((a, b) => a - b);
  let out = '';
  for (const m of METRICS) {
    out += `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n`;
    for (const id of ids) {
      for (const [labels, value] of m.values(workers.get(id)!)) {
        const all = labels === '' ? `worker="${id}"` : `worker="${id}",${labels}`;
        out += `${m.name}{${all}} ${formatValue(value)}\n`;
      }
    }
  }
  return out;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Math.round(v * 1e6) / 1e6);
}
