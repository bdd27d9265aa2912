import * as net from 'node:net';
import { getHub } from '@g/hub';

/** Collects the hub's error reports while `fn` runs. */
export async function withReports<T>(fn: (reports: string[]) => Promise<T>): Promise<T> {
  const hub = getHub();
  const old = hub.exceptionStream;
  const reports: string[] = [];
  hub.exceptionStream = { write: (s: string) => reports.push(s) };
  try {
    return await fn(reports);
  } finally {
    hub.exceptionStream = old;
  }
}

/** A plain Node server on 127.0.0.1:0 calling `onConn` for each connection. */
export async function plainServer(
  onConn: (s: net.Socket) => void,
): Promise<{ port: number; server: net.Server; close(): Promise<void> }> {
  const conns = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of conns) s.destroy();
      }),
  };
}

/** A port nothing listens on (bound then closed). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Connects with plain Node; resolves with the socket (or rejects with the error). */
export function plainConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything a plain socket receives until it ends (or closes). */
export function readAll(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('error', () => {});
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 10 ms until it holds (the test fails after `ms`). */
export async function eventually(
  cond: () => boolean,
  what = 'the condition',
  ms = 10_000,
): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(10);
  }
}
