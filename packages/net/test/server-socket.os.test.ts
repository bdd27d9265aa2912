// createServer + accept(): a listening socket with its own accept loop (Python's
// socket.create_server with gevent's cooperative accept).
import { run, sleep, spawn } from '@g/hub';
import { describe, expect, test } from 'vitest';
import { createConnection } from '../src/connect.js';
import { type SocketError, SocketTimeout } from '../src/errors.js';
import { createServer } from '../src/server-socket.js';
import type { Socket } from '../src/socket.js';
import { plainConnect, readAll } from './helpers.js';

describe('createServer and accept', () => {
  test('an accept loop spawning a greenlet per connection serves clients', async () => {
    const r = await run(function* () {
      const listener = yield* createServer(['127.0.0.1', 0]);
      const port = listener.address!.port;
      const acceptor = spawn(function* () {
        for (;;) {
          const [sock, [host]] = yield* listener.accept();
          spawn(
            function* (s: Socket, h: string) {
              const line = yield* s.readline();
              yield* s.sendall(`${h} said ${line}`);
              s.close();
            },
            sock,
            host,
          );
        }
      });
      const out: string[] = [];
      for (const word of ['one', 'two']) {
        const c = yield* createConnection(['127.0.0.1', port]);
        yield* c.sendall(`${word}\n`);
        out.push((yield* c.read()).toString());
        c.close();
      }
      yield* acceptor.kill();
      listener.close();
      return out;
    });
    expect(r).toEqual(['127.0.0.1 said one\n', '127.0.0.1 said two\n']);
  });

  test('accept with a timeout raises SocketTimeout; close wakes a blocked accept with EBADF', async () => {
    const r = await run(function* () {
      const listener = yield* createServer(['127.0.0.1', 0]);
      listener.timeout = 0.1;
      let timedOut: unknown = null;
      try {
        yield* listener.accept();
      } catch (e) {
        timedOut = e;
      }
      listener.timeout = null;
      const waiter = spawn(function* () {
        try {
          yield* listener.accept();
          return null;
        } catch (e) {
          return e;
        }
      });
      yield* sleep(0.01);
      listener.close();
      return { timedOut, closed: yield* waiter.get() };
    });
    expect(r.timedOut).toBeInstanceOf(SocketTimeout);
    expect((r.closed as SocketError).code).toBe('EBADF');
  });

  test('connections wait paused until accepted; past backlog they are closed', async () => {
    const listener = await run(createServer(['127.0.0.1', 0], { backlog: 1 }));
    const port = listener.address!.port;
    const a = await plainConnect(port);
    a.write('early data');
    const b = await plainConnect(port);
    await readAll(b); // closed at once: over the bound
    expect(listener.dropped).toBe(1);
    const got = await run(function* () {
      const [sock] = yield* listener.accept();
      const data = (yield* sock.recv()).toString();
      sock.close();
      return data;
    });
    expect(got).toBe('early data');
    listener.close();
    a.destroy();
    await expect(plainConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a taken port raises EADDRINUSE; bad options are clear errors', async () => {
    const first = await run(createServer(['127.0.0.1', 0]));
    const err = await run(function* () {
      try {
        yield* createServer(['127.0.0.1', first.address!.port]);
        return null;
      } catch (e) {
        return e;
      }
    });
    first.close();
    expect((err as SocketError).code).toBe('EADDRINUSE');
    expect(() => createServer(['127.0.0.1', 0], { backlog: -2 })).toThrow(RangeError);
  });
});
