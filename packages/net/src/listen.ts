/**
 * Binding a Node server (net, tls, http) from a greenlet: `listen` waits for 'listening' or
 * raises the bind error as a SocketError (`listen EADDRINUSE: address already in use
 * 127.0.0.1:8080`). The listeners it adds are removed however the wait ends.
 */
import type { Server } from 'node:net';
import type { ParsedAddress } from './address.js';
import { toSocketError } from './errors.js';
import { Slot } from './wait.js';

export function* listen(
  server: Server,
  a: ParsedAddress,
  backlog: number,
  what: string,
): Generator<unknown, void, any> {
  const slot = new Slot();
  let err: unknown = null;
  let done = false;
  const onListening = () => {
    done = true;
    slot.wake();
  };
  const onError = (e: unknown) => {
    err = e;
    slot.wake();
  };
  server.once('listening', onListening);
  server.once('error', onError);
  try {
    if (a.path !== undefined) server.listen({ path: a.path, backlog });
    else server.listen({ host: a.host, port: a.port, backlog });
    while (!done && err === null) yield* slot.wait(what, null, 'the listener');
  } finally {
    server.removeListener('listening', onListening);
    server.removeListener('error', onError);
    if (!done && err === null) {
      // Interrupted (killed, timed out): do not leave a port bound behind.
      server.once('listening', () => server.close());
      server.on('error', noop);
    }
  }
  if (err !== null) {
    if (server.listening) server.close();
    throw toSocketError(
      err,
      'listen',
      a.path ?? a.host ?? '0.0.0.0',
      a.path === undefined ? a.port : undefined,
    );
  }
}

/** `server.address()` as `{ host, port, family }` or `{ path }`. */
export function boundAddress(server: Server): {
  host: string | undefined;
  port: number;
  family?: string;
  path?: string;
} | null {
  const a = server.address();
  if (a === null) return null;
  if (typeof a === 'string') return { host: undefined, port: 0, path: a };
  return { host: a.address, port: a.port, family: a.family };
}

function noop(): void {}
