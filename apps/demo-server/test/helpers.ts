// Helpers of the *.os tests: run the real program (bin/demo-server.mjs) on ports 0, read
// its ports from the startup lines, and talk to it as nc and browsers do.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(APP, 'bin', 'demo-server.mjs');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from stop() (or from start if the process ended by itself). */
  ms: number;
}

export interface Server {
  proc: ChildProcess;
  port: number;
  tcpPort: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Sends `signal` and waits for the exit (kills it after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

/** Starts the server with `args` (ports 0 unless given) and waits for its startup lines. */
export async function startServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Server> {
  const full = [BIN, '--port', '0', '--tcp-port', '0', ...args];
  const proc = spawn(process.execPath, full, {
    cwd: APP,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d) => (out += d));
  let stopAt = Date.now();
  const exited = new Promise<Exit>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - stopAt }));
  });
  const ports = await new Promise<[number, number]>((resolve, reject) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no startup lines within 60 s; output:\n${out}`));
    }, 60_000);
    const check = () => {
      const http = /browser: +http:\/\/[^:]+:(\d+)\//.exec(out);
      const tcp = /terminal: +nc \S+ (\d+)/.exec(out);
      if (http && tcp) {
        clearTimeout(t);
        proc.stdout!.off('data', check);
        resolve([Number(http[1]), Number(tcp[1])]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the server exited (${code}) before listening; output:\n${out}`));
    });
  });
  return {
    proc,
    port: ports[0],
    tcpPort: ports[1],
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      stopAt = Date.now();
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Polls `cond` every 20 ms until it is truthy or `timeoutMs` passes (then throws `what`). */
export async function until<T>(
  cond: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP client of the line protocol, as `nc` is. */
export class LineClient {
  readonly lines: string[] = [];
  ended = false;
  private rest = '';

  private constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      const parts = (this.rest + d).split('\n');
      this.rest = parts.pop()!;
      this.lines.push(...parts);
    });
    sock.on('close', () => (this.ended = true));
    sock.on('error', () => (this.ended = true));
  }

  static open(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects, gives `nick` and waits for the welcome. */
  static async join(port: number, nick: string): Promise<LineClient> {
    const c = await LineClient.open(port);
    c.send(nick);
    await c.waitFor(new RegExp(`^Hello ${nick},`), `${nick}'s welcome`);
    return c;
  }

  send(line: string): void {
    this.sock.write(`${line}\n`);
  }

  /** The first line received matching `re` (waits for it). */
  waitFor(re: RegExp, what = String(re), timeoutMs = 15_000): Promise<string> {
    return until(
      () => this.lines.find((l) => re.test(l)),
      `${what} (got ${this.lines.length} lines)`,
      timeoutMs,
    ) as Promise<string>;
  }

  grep(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l));
  }

  waitClosed(timeoutMs = 15_000): Promise<boolean> {
    return until(() => this.ended, 'the connection to close', timeoutMs);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A browser-like client: the WebSocket at /chat, JSON events in, lines out. */
export class WsClient {
  readonly events: Array<Record<string, any>> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      for (const e of JSON.parse(String(data))) this.events.push(e);
    });
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => {});
  }

  static async join(port: number, nick: string, path = '/chat'): Promise<WsClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new WsClient(ws);
    ws.send(nick);
    await until(() => c.events.some((e) => e.type === 'welcome'), `${nick}'s welcome`);
    return c;
  }

  send(line: string): void {
    this.ws.send(line);
  }

  texts(type: string): string[] {
    return this.events.filter((e) => e.type === type).map((e) => e.text);
  }

  close(): void {
    this.ws.terminate();
  }
}
