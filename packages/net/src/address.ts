/**
 * Addresses as gevent spells them, turned into Node's options.
 *
 * An address is one of:
 * - `[host, port]` (gevent's tuple): `['127.0.0.1', 8080]`; host `''` means every interface;
 * - `{ host, port }`;
 * - `'host:port'` or `':port'` (IPv6 in brackets: `'[::1]:8080'`);
 * - a port number alone (every interface);
 * - `{ path }`: a Unix domain socket.
 *
 * Port 0 asks the system for a free port (read it back from `server.serverPort`).
 * A malformed address is a TypeError naming the call.
 */

export type Address =
  | readonly [host: string, port: number]
  | { host?: string; port: number }
  | { path: string }
  | string
  | number;

export interface ParsedAddress {
  /** undefined: every interface (listening) or localhost (connecting). */
  host: string | undefined;
  port: number;
  /** A Unix socket path (host and port are then unused). */
  path: string | undefined;
}

export function parseAddress(addr: unknown, what: string): ParsedAddress {
  if (typeof addr === 'number')
    return { host: undefined, port: checkPort(addr, what), path: undefined };
  if (typeof addr === 'string') {
    const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
    if (m === null) {
      throw new TypeError(
        `${what}: expected an address 'host:port' (or [host, port]), got ${JSON.stringify(addr)}`,
      );
    }
    const host = m[1] ?? m[2];
    return {
      host: host === '' ? undefined : host,
      port: checkPort(Number(m[3]), what),
      path: undefined,
    };
  }
  if (Array.isArray(addr)) {
    if (addr.length !== 2 || typeof addr[0] !== 'string') {
      throw new TypeError(`${what}: expected [host, port], got ${describe(addr)}`);
    }
    return {
      host: addr[0] === '' ? undefined : addr[0],
      port: checkPort(addr[1], what),
      path: undefined,
    };
  }
  if (addr !== null && typeof addr === 'object') {
    const a = addr as any;
    if (typeof a.path === 'string') return { host: undefined, port: 0, path: a.path };
    if (a.host !== undefined && typeof a.host !== 'string') {
      throw new TypeError(`${what}: host must be a string, got ${describe(a.host)}`);
    }
    return {
      host: a.host === '' ? undefined : a.host,
      port: checkPort(a.port, what),
      path: undefined,
    };
  }
  throw new TypeError(
    `${what}: expected an address ([host, port], 'host:port', a port or { path }), got ${describe(addr)}`,
  );
}

function checkPort(p: unknown, what: string): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
    throw new RangeError(
      `${what}: the port must be an integer from 0 to 65535, got ${describe(p)}`,
    );
  }
  return p;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(describe).join(', ')}]`;
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `${typeof x} ${String(x)}`;
}

/** Checks a timeout in seconds: null/undefined (none) or a number >= 0. */
export function checkTimeout(t: unknown, what: string): number | null {
  if (t === null || t === undefined) return null;
  if (typeof t !== 'number' || Number.isNaN(t) || t < 0) {
    throw new RangeError(
      `${what}: the timeout must be a number of seconds >= 0 or null, got ${describe(t)}`,
    );
  }
  return t;
}
