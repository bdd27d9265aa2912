// StreamServer on real loopback sockets. Ports gevent's test__server.py and
// test__example_echoserver.py where a test names it.
import * as net from 'node:net';
import { GreenletExit, run, sleep, spawn } from '@g/hub';
import { Pool } from '@g/sync';
import { afterEach, describe, expect, test } from 'vitest';
import { createConnection } from '../src/connect.js';
import { SocketError } from '../src/errors.js';
import type { Socket } from '../src/socket.js';
import { StreamServer } from '../src/stream-server.js';
import { delay, eventually, plainConnect, readAll, withReports } from './helpers.js';

const servers: StreamServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await run(s.stop(0));
});

function make(handle: (sock: Socket, addr: [string, number]) => unknown, options = {}) {
  const s = new StreamServer(['127.0.0.1', 0], handle as any, options);
  servers.push(s);
  return s;
}

/** gevent's examples/echoserver.py */
function* echoserver(sock: Socket): Generator<unknown, void, any> {
  yield* sock.sendall('Welcome to the echo server! Type quit to exit.\r\n');
  const f = sock.makefile({ encoding: 'utf8' });
  for (;;) {
    const line = yield* f.readline();
    if (!line) break;
    yield* sock.sendall(line);
    if (line.trim().toLowerCase() === 'quit') break;
  }
}

async function refused(port: number): Promise<boolean> {
  try {
    const s = await plainConnect(port);
    s.destroy();
    return false;
  } catch (e) {
    return (e as any).code === 'ECONNREFUSED';
  }
}

describe('life cycle', () => {
  // test__server TestDefaultSpawn.test_server_start_stop / test_serve_forever
  test('start binds (port 0 gives a real port), stop closes the port and started is false', async () => {
    const server = make(echoserver);
    expect(server.started).toBe(false);
    expect(server.address).toBe(null);
    await run(server.start());
    expect(server.started).toBe(true);
    expect(server.serverHost).toBe('127.0.0.1');
    const port = server.serverPort!;
    expect(port).toBeGreaterThan(0);
    expect(String(server)).toBe(`<StreamServer 127.0.0.1:${port}>`);
    const c = await plainConnect(port);
    const all = readAll(c);
    c.end('quit\r\n');
    expect((await all).toString()).toBe(
      'Welcome to the echo server! Type quit to exit.\r\nquit\r\n',
    );
    await run(server.stop());
    expect(server.started).toBe(false);
    expect(await refused(port)).toBe(true);
    // A server made with an address can be started again.
    await run(server.start());
    expect(server.started).toBe(true);
    await run(server.stop());
  });

  test('serveForever returns after stop() from another greenlet; killed, it stops the server', async () => {
    const server = make(echoserver);
    const port = await run(function* () {
      const g = spawn(function* () {
        yield* server.serveForever();
        return 'returned';
      });
      yield* sleep(0.05);
      expect(server.started).toBe(true);
      const p = server.serverPort!;
      yield* server.stop();
      return [p, yield* g.get()] as const;
    });
    expect(port[1]).toBe('returned');
    expect(await refused(port[0])).toBe(true);

    const server2 = make(echoserver);
    const p2 = await run(function* () {
      const g = spawn(function* () {
        yield* server2.serveForever();
      });
      yield* sleep(0.05);
      const p = server2.serverPort!;
      yield* g.kill();
      expect(g.value).toBeInstanceOf(GreenletExit);
      return p;
    });
    expect(server2.started).toBe(false);
    expect(await refused(p2)).toBe(true);
  });

  test('a second server on a taken port raises EADDRINUSE naming the address', async () => {
    const a = make(echoserver);
    await run(a.start());
    const b = make(echoserver);
    const err = await run(function* () {
      try {
        yield* new StreamServer(['127.0.0.1', a.serverPort!], echoserver).start();
      } catch (e) {
        return e;
      }
      return null;
    });
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('EADDRINUSE');
    expect((err as Error).message).toContain(`127.0.0.1:${a.serverPort}`);
    expect(b.started).toBe(false);
  });

  // test__server TestDefaultSpawn.test_backlog_is_not_accepted_for_socket
  test('a listening net.Server can be the listener; backlog is refused with it', async () => {
    const ns = net.createServer();
    await new Promise<void>((r) => ns.listen(0, '127.0.0.1', r));
    expect(() => new StreamServer(ns, echoserver, { backlog: 25 })).toThrow(TypeError);
    const server = new StreamServer(ns, echoserver);
    servers.push(server);
    await run(server.start());
    expect(server.serverPort).toBe((ns.address() as net.AddressInfo).port);
    const c = await plainConnect(server.serverPort!);
    const all = readAll(c);
    c.end('hi\r\n');
    expect((await all).toString()).toContain('hi\r\n');
    await run(server.stop());
    expect(ns.listening).toBe(false);
  });

  test('bad options are clear errors', () => {
    expect(() => new StreamServer(['127.0.0.1', 0], 42 as any)).toThrow(TypeError);
    expect(() => new StreamServer(['127.0.0.1', 0], echoserver, { spawn: 0 })).toThrow(RangeError);
    expect(() => new StreamServer(['127.0.0.1', 0], echoserver, { spawn: 'lots' as any })).toThrow(
      TypeError,
    );
    expect(() => new StreamServer(['127.0.0.1', 0], echoserver, { backlog: -1 })).toThrow(
      RangeError,
    );
    expect(() => new StreamServer('x', echoserver)).toThrow(TypeError);
  });

  test('a Unix socket path works as the listener', async () => {
    const path = `/tmp/g-net-test-${process.pid}.sock`;
    const server = new StreamServer({ path }, echoserver);
    servers.push(server);
    const r = await run(function* () {
      yield* server.start();
      const c = yield* createConnection({ path });
      const w = yield* c.readline();
      yield* c.sendall('x\n');
      const e = yield* c.readline();
      c.close();
      return [w.toString(), e.toString()];
    });
    expect(r[1]).toBe('x\n');
    expect(server.address?.path).toBe(path);
  });
});

describe('handlers', () => {
  // test__example_echoserver
  test('the echo server example serves two clients independently and sends nothing extra', async () => {
    const server = make(echoserver);
    const r = await run(function* () {
      yield* server.start();
      const port = server.serverPort!;
      const a = yield* createConnection(['127.0.0.1', port], { timeout: 5 });
      const b = yield* createConnection(['127.0.0.1', port], { timeout: 5 });
      const out: string[] = [];
      out.push((yield* a.readline()).toString());
      out.push((yield* b.readline()).toString());
      yield* a.sendall('hello from a\r\n');
      yield* b.sendall('hello from b\r\n');
      out.push((yield* b.readline()).toString());
      out.push((yield* a.readline()).toString());
      // Nothing more is sent: a short recv times out.
      a.timeout = 0.1;
      let timedOut = false;
      try {
        yield* a.recv();
      } catch (e) {
        timedOut = (e as Error).name === 'SocketTimeout';
      }
      yield* a.sendall('quit\r\n');
      out.push((yield* a.readline()).toString());
      out.push(String((yield* a.recv()).length));
      a.close();
      b.close();
      return { out, timedOut };
    });
    expect(r.out).toEqual([
      'Welcome to the echo server! Type quit to exit.\r\n',
      'Welcome to the echo server! Type quit to exit.\r\n',
      'hello from b\r\n',
      'hello from a\r\n',
      'quit\r\n',
      '0',
    ]);
    expect(r.timedOut).toBe(true);
  });

  // test__server TestDefaultSpawn.test_error_in_spawn (the connection is closed, the error reported)
  test('a handler that throws is reported, its connection closed, and the server goes on', async () => {
    await withReports(async (reports) => {
      const server = make(function* (sock: Socket) {
        const line = (yield* sock.readline()).toString();
        if (line.startsWith('boom')) throw new Error('handler failed on purpose');
        yield* sock.sendall(`ok ${line}`);
      });
      await run(server.start());
      const c1 = await plainConnect(server.serverPort!);
      const r1 = readAll(c1);
      c1.write('boom\n');
      expect((await r1).length).toBe(0);
      const c2 = await plainConnect(server.serverPort!);
      const r2 = readAll(c2);
      c2.end('fine\n');
      expect((await r2).toString()).toBe('ok fine\n');
      expect(reports.join('')).toContain('handler failed on purpose');
      expect(reports.join('')).toMatch(
        /<StreamServer 127\.0\.0\.1:\d+> handling client 127\.0\.0\.1:\d+/,
      );
    });
  });

  test('handleError can be overridden; kills are not reported', async () => {
    const seen: unknown[] = [];
    const server = make(function* () {
      yield* sleep(10);
    });
    server.handleError = (e) => {
      seen.push(e);
    };
    await run(server.start());
    const c = await plainConnect(server.serverPort!);
    await eventually(() => server.handlerCount === 1, 'the handler');
    await run(server.stop(0));
    c.destroy();
    expect(seen).toEqual([]);
  });

  test('plain and async functions work as handlers', async () => {
    const server = make(async (sock: Socket) => {
      await delay(10);
      sock.raw.end('async done');
    });
    await run(server.start());
    const c = await plainConnect(server.serverPort!);
    expect((await readAll(c)).toString()).toBe('async done');
  });
});

describe('pool and back-pressure', () => {
  // test__server TestPoolSpawn.test_pool_full
  test('with a full pool, new connections wait paused (not handled) until a slot frees', async () => {
    const release: Array<() => void> = [];
    let started = 0;
    const server = make(
      function* (sock: Socket) {
        started++;
        yield* sock.sendall('hello');
        // Wait until the client sends something.
        yield* sock.recv();
      },
      { spawn: 2 },
    );
    await run(server.start());
    const port = server.serverPort!;
    const a = await plainConnect(port);
    const b = await plainConnect(port);
    const c = await plainConnect(port);
    const got: Record<string, string> = { a: '', b: '', c: '' };
    a.on('data', (d) => (got.a += d));
    b.on('data', (d) => (got.b += d));
    c.on('data', (d) => (got.c += d));
    c.write('ignored until handled');
    await eventually(() => started === 2 && server.queued === 1, 'two handlers and one queued');
    await delay(100);
    expect(started).toBe(2);
    expect(server.handlerCount).toBe(2);
    expect(got.c).toBe('');
    a.write('done');
    await eventually(() => got.c === 'hello', 'the third connection served');
    expect(started).toBe(3);
    for (const s of [a, b, c]) s.destroy();
    release.length = 0;
  });

  test('past backlog, a waiting connection is closed at once', async () => {
    const server = make(
      function* (sock: Socket) {
        yield* sock.recv();
      },
      { spawn: 1, backlog: 1 },
    );
    await run(server.start());
    const port = server.serverPort!;
    const a = await plainConnect(port);
    await eventually(() => server.handlerCount === 1, 'the first handler');
    const b = await plainConnect(port); // queued
    await eventually(() => server.queued === 1, 'one queued connection');
    const c = await plainConnect(port); // over the bound: closed
    const cAll = readAll(c);
    await cAll;
    expect(server.dropped).toBe(1);
    expect(server.queued).toBe(1);
    a.destroy();
    b.destroy();
  });

  test('stopAccepting holds connections; startAccepting hands them to handlers', async () => {
    const server = make(function* (sock: Socket) {
      yield* sock.sendall('hi');
    });
    await run(server.start());
    server.stopAccepting();
    const a = await plainConnect(server.serverPort!);
    let got = '';
    a.on('data', (d) => (got += d));
    await eventually(() => server.queued === 1, 'the held connection');
    await delay(100);
    expect(got).toBe('');
    server.startAccepting();
    await eventually(() => got === 'hi', 'the handler after startAccepting');
    a.destroy();
  });

  test('a @g/sync Pool runs the handlers (a number makes one); its members are the handlers', async () => {
    const pool = new Pool(2);
    const server = make(
      function* (sock: Socket) {
        yield* sock.recv();
      },
      { spawn: pool },
    );
    expect(server.pool).toBe(pool);
    expect(make(echoserver, { spawn: 3 }).pool).toBeInstanceOf(Pool);
    await run(server.start());
    const conns = await Promise.all([1, 2, 3].map(() => plainConnect(server.serverPort!)));
    await eventually(() => server.handlerCount === 2 && server.queued === 1, 'a full pool');
    expect(pool.freeCount()).toBe(0);
    conns[0]!.end('x');
    await eventually(() => server.queued === 0, 'the queued connection handled');
    expect(server.handlerCount).toBe(2);
    for (const c of conns) c.destroy();
    await eventually(() => pool.freeCount() === 2, 'the pool empty again');
  });

  test('a Pool-like object (spawn is an Op that waits when full) runs the handlers', async () => {
    const spawned: unknown[] = [];
    const pool = {
      spawn(fn: (...a: any[]) => unknown, ...args: any[]) {
        return (function* () {
          const g = spawn(fn as any, ...args);
          spawned.push(g);
          return g;
        })();
      },
    };
    const server = make(
      function* (sock: Socket) {
        yield* sock.sendall('pooled');
      },
      { spawn: pool },
    );
    await run(server.start());
    const c = await plainConnect(server.serverPort!);
    expect((await readAll(c)).toString()).toBe('pooled');
    expect(spawned).toHaveLength(1);
  });
});

describe('stop with clients connected', () => {
  test('stop(timeout) lets quick handlers finish, kills the rest after the timeout, and refuses new clients', async () => {
    const finished: string[] = [];
    const killed: string[] = [];
    const server = make(function* (sock: Socket) {
      const what = (yield* sock.readline()).toString().trim();
      try {
        yield* sleep(what === 'quick' ? 0.05 : 30);
        yield* sock.sendall(`${what} done\n`);
        finished.push(what);
      } catch (e) {
        if (e instanceof GreenletExit) killed.push(what);
        throw e;
      }
    });
    await run(server.start());
    const port = server.serverPort!;
    const q = await plainConnect(port);
    const s = await plainConnect(port);
    const qAll = readAll(q);
    const sAll = readAll(s);
    q.write('quick\n');
    s.write('slow\n');
    await eventually(() => server.handlerCount === 2, 'both handlers');
    await delay(30);
    const t0 = performance.now();
    await run(server.stop(0.5));
    const dt = performance.now() - t0;
    expect(finished).toEqual(['quick']);
    expect(killed).toEqual(['slow']);
    expect(dt).toBeGreaterThanOrEqual(400);
    expect(dt).toBeLessThan(5000);
    expect((await qAll).toString()).toBe('quick done\n');
    expect((await sAll).toString()).toBe('');
    expect(server.handlerCount).toBe(0);
    expect(await refused(port)).toBe(true);
  });
});
