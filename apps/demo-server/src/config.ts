/**
 * Configuration: command-line flags first, then environment variables, then defaults.
 *
 * - Every option has a flag and a variable: `--tcp-port 9000` or `CHAT_TCP_PORT=9000`
 *   (`PORT` is read too, after `CHAT_PORT`, as hosting platforms set it).
 * - Ports may be 0: the system picks a free one, printed in the startup lines.
 * - Seconds are numbers (fractions allowed); `--idle-timeout 0` means never.
 * - Bad input (an unknown flag, `--port abc`, `--workers 0`) is a ConfigError whose message
 *   names the option and says what is allowed; nothing starts.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

export interface Config {
  /** Address both servers bind to. */
  host: string;
  /** HTTP port: the web page, /stats, /metrics and the WebSocket at /chat. */
  port: number;
  /** TCP port of the line protocol (`nc host tcpPort`). */
  tcpPort: number;
  /** Chat clients (TCP and WebSocket together) at once, in each process. */
  maxClients: number;
  /** Seconds a client may stay silent before it is dropped (0: never). */
  idleTimeout: number;
  /** Messages waiting for one client before it is dropped as too slow. */
  queueSize: number;
  /** Processes (node:cluster workers); 1 runs everything in this process. */
  workers: number;
  /** Seconds a shutdown waits for clients to drain before it cuts them. */
  shutdownTimeout: number;
  /** TCP connections held (paused) while the pool is full; more are closed at once. */
  backlog: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface OptionSpec {
  key: keyof Config;
  flag: string;
  env: string[];
  kind: 'int' | 'port' | 'seconds' | 'string';
  min?: number;
  help: string;
  def: (cpus: number) => Config[keyof Config];
}

const OPTIONS: OptionSpec[] = [
  {
    key: 'host',
    flag: 'host',
    env: ['CHAT_HOST'],
    kind: 'string',
    help: 'address to bind (0.0.0.0 for every interface)',
    def: () => '127.0.0.1',
  },
  {
    key: 'port',
    flag: 'port',
    env: ['CHAT_PORT', 'PORT'],
    kind: 'port',
    help: 'HTTP port: web page, /stats, /metrics, WebSocket /chat',
    def: () => 8080,
  },
  {
    key: 'tcpPort',
    flag: 'tcp-port',
    env: ['CHAT_TCP_PORT'],
    kind: 'port',
    help: 'TCP port of the line protocol (nc)',
    def: () => 8081,
  },
  {
    key: 'maxClients',
    flag: 'max-clients',
    env: ['CHAT_MAX_CLIENTS'],
    kind: 'int',
    min: 1,
    help: 'chat clients at once, TCP and WebSocket together (a Pool per process)',
    def: () => 1000,
  },
  {
    key: 'idleTimeout',
    flag: 'idle-timeout',
    env: ['CHAT_IDLE_TIMEOUT'],
    kind: 'seconds',
    help: 'seconds of silence before a client is dropped (0: never)',
    def: () => 300,
  },
  {
    key: 'queueSize',
    flag: 'queue-size',
    env: ['CHAT_QUEUE_SIZE'],
    kind: 'int',
    min: 1,
    help: 'messages waiting for one client before it is dropped as too slow',
    def: () => 256,
  },
  {
    key: 'workers',
    flag: 'workers',
    env: ['CHAT_WORKERS'],
    kind: 'int',
    min: 1,
    help: `processes under node:cluster (this machine has ${availableParallelism()} cores)`,
    def: () => 1,
  },
  {
    key: 'shutdownTimeout',
    flag: 'shutdown-timeout',
    env: ['CHAT_SHUTDOWN_TIMEOUT'],
    kind: 'seconds',
    help: 'seconds a shutdown lets clients drain before cutting them',
    def: () => 5,
  },
  {
    key: 'backlog',
    flag: 'backlog',
    env: ['CHAT_BACKLOG'],
    kind: 'int',
    min: 0,
    help: 'TCP connections held, paused, while the pool is full',
    def: () => 256,
  },
];

/** The `--help` text. */
export function usage(): string {
  const lines = [
    'Usage: demo-server [options]',
    '',
    'A chat server on g: talk with `nc HOST TCP_PORT` or in a browser at http://HOST:PORT/.',
    '',
    'Options (each also an environment variable; flags win):',
  ];
  for (const o of OPTIONS) {
    const arg = o.kind === 'string' ? 'HOST' : o.kind === 'seconds' ? 'S' : 'N';
    const left = `  --${o.flag} ${arg}`.padEnd(26);
    lines.push(`${left}${o.help}`);
    lines.push(`${''.padEnd(26)}[${o.env.join(', ')}; default ${String(o.def(1))}]`);
  }
  lines.push(`${'  -h, --help'.padEnd(26)}print this and exit`);
  lines.push('');
  lines.push('Stop it with Ctrl-C (SIGINT) or SIGTERM: it tells clients, drains, and exits 0.');
  return lines.join('\n');
}

export type ParseResult = { help: true } | { help: false; config: Config };

/** Reads the flags in `argv` (without node and the script) and the variables in `env`. */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): ParseResult {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of OPTIONS) spec[o.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}. Run with --help for the options.`);
  }
  if (values.help) return { help: true };
  const config = {} as Record<keyof Config, unknown>;
  for (const o of OPTIONS) {
    const flagValue = values[o.flag];
    let raw: string | undefined;
    let source: string;
    if (typeof flagValue === 'string') {
      raw = flagValue;
      source = `--${o.flag}`;
    } else {
      const name = o.env.find((n) => env[n] !== undefined && env[n] !== '');
      raw = name === undefined ? undefined : env[name];
      source = name ?? '';
    }
    config[o.key] = raw === undefined ? o.def(1) : convert(o, raw, source);
  }
  return { help: false, config: config as unknown as Config };
}

function convert(o: OptionSpec, raw: string, source: string): unknown {
  const text = raw.trim();
  switch (o.kind) {
    case 'string':
      if (text === '') throw new ConfigError(`${source}: give an address, e.g. 127.0.0.1`);
      return text;
    case 'port': {
      const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        throw new ConfigError(`${source}: a port is an integer from 0 to 65535, got "${raw}"`);
      }
      return n;
    }
    case 'int': {
      const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      const min = o.min ?? 0;
      if (!Number.isSafeInteger(n) || n < min) {
        throw new ConfigError(`${source}: expected an integer >= ${min}, got "${raw}"`);
      }
      return n;
    }
    case 'seconds': {
      const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(n) || n < 0) {
        throw new ConfigError(`${source}: expected seconds >= 0 (e.g. 30 or 0.5), got "${raw}"`);
      }
      return n;
    }
  }
}
