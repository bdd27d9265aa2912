// Sockets on real loopback connections (127.0.0.1, port 0). Ports gevent's test__socket.py
// where a test names it.
import type * as net from 'node:net';
import { GreenletExit, getHub, run, sleep, spawn, Timeout } from '@g/hub';
import { afterEach, describe, expect, test } from 'vitest';
import { createConnection } from '../src/connect.js';
import { IncompleteRead, isSocketError, SocketError, SocketTimeout } from '../src/errors.js';
import type { Socket } from '../src/socket.js';
import { ConcurrentObjectUseError } from '../src/wait.js';
import { closedPort, eventually, plainServer, readAll } from './helpers.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A plain server whose connections are handed to the test. */
async function serverWith(onConn: (s: net.Socket) => void) {
  const srv = await plainServer((s) => {
    s.on('error', () => {});
    onConn(s);
  });
  cleanup.push(() => srv.close());
  return srv.port;
}

describe('recv', () => {
  test('recv returns at most max bytes, then an empty buffer at the end of the stream', async () => {
    const port = await serverWith((s) => s.end('abcdefgh'));
    const got = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const parts: string[] = [];
      for (;;) {
        const b = yield* c.recv(3);
        expect(b.length).toBeLessThanOrEqual(3);
        if (b.length === 0) break;
        parts.push(b.toString());
      }
      // At the end of the stream recv keeps returning empty.
      expect((yield* c.recv()).length).toBe(0);
      c.close();
      return parts.join('');
    });
    expect(got).toBe('abcdefgh');
  });

  // test__socket TestTCP.test_recv_timeout
  test('recv with a timeout raises SocketTimeout and the socket stays usable', async () => {
    let peer: net.Socket | null = null;
    const port = await serverWith((s) => {
      peer = s;
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      c.timeout = 0.2;
      const t0 = performance.now();
      let err: unknown = null;
      try {
        yield* c.recv();
      } catch (e) {
        err = e;
      }
      const dt = performance.now() - t0;
      peer!.write('late');
      const b = yield* c.recv();
      c.close();
      return { err, dt, b: b.toString() };
    });
    expect(r.err).toBeInstanceOf(SocketTimeout);
    expect(r.err).toBeInstanceOf(SocketError);
    expect((r.err as SocketTimeout).code).toBe('ETIMEDOUT');
    expect((r.err as Error).message).toMatch(
      /recv\(\) timed out after 0.2 s \(socket to 127\.0\.0\.1:\d+\)/,
    );
    expect(r.dt).toBeGreaterThanOrEqual(150);
    expect(r.b).toBe('late');
  });

  test('readExactly gathers bytes across chunks; the end of the stream first raises IncompleteRead', async () => {
    const port = await serverWith((s) => {
      s.write('ab');
      setTimeout(() => s.write('cd'), 20);
      setTimeout(() => s.end('efg'), 40);
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const first = (yield* c.recvExactly(5)).toString();
      let err: unknown = null;
      try {
        yield* c.readExactly(5);
      } catch (e) {
        err = e;
      }
      c.close();
      return { first, err };
    });
    expect(r.first).toBe('abcde');
    expect(r.err).toBeInstanceOf(IncompleteRead);
    expect((r.err as IncompleteRead).partial.toString()).toBe('fg');
    expect((r.err as IncompleteRead).expected).toBe(5);
  });

  test('readline returns whole lines, the rest at the end, then empty; lines() iterates', async () => {
    const port = await serverWith((s) => {
      s.write('one\ntw');
      setTimeout(() => s.write('o\nthree\nfou'), 20);
      setTimeout(() => s.end('r'), 40);
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const a = (yield* c.readline()).toString();
      const rest: string[] = [];
      const it = c.lines();
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) rest.push(x.value.toString());
      const after = (yield* c.readline()).length;
      c.close();
      return { a, rest, after };
    });
    expect(r.a).toBe('one\n');
    expect(r.rest).toEqual(['two\n', 'three\n', 'four']);
    expect(r.after).toBe(0);
  });

  test('readline(limit) returns limit bytes when no newline comes within them', async () => {
    const port = await serverWith((s) => s.end('abcdefgh\nxy'));
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const out = [
        (yield* c.readline(3)).toString(),
        (yield* c.readline(3)).toString(),
        (yield* c.readline(10)).toString(),
        (yield* c.readline(10)).toString(),
      ];
      c.close();
      return out;
    });
    expect(r).toEqual(['abc', 'def', 'gh\n', 'xy']);
  });

  test('makefile with an encoding reads strings, shares the buffer with recv, and is AsyncIterable', async () => {
    const port = await serverWith((s) => s.end('hello\nwörld\nbye\n'));
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const f = c.makefile({ encoding: 'utf8' });
      const l1 = yield* f.readline();
      const raw = (yield* c.recvExactly(7)).toString();
      const rest = yield* f.read();
      f.close();
      expect(f.closed).toBe(true);
      expect(c.closed).toBe(false);
      c.close();
      return [l1, raw, rest];
    });
    expect(r).toEqual(['hello\n', 'wörld\n', 'bye\n']);

    // for await, outside greenlets
    const port2 = await serverWith((s) => s.end('a\nb\n'));
    const sock = await run(createConnection(['127.0.0.1', port2]));
    const lines: string[] = [];
    for await (const l of sock.lines()) lines.push(l.toString());
    sock.close();
    expect(lines).toEqual(['a\n', 'b\n']);
  });

  test('a socket whose reader falls behind pauses the stream above its high-water mark', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    let peer: net.Socket | null = null;
    const port = await serverWith((s) => {
      peer = s;
      const pump = () => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
        s.end();
      };
      pump();
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port], { highWaterMark: 128 * 1024 });
      yield* sleep(0.3);
      const buffered = c.bufferedAmount;
      const sentWhilePaused = sent;
      const paused = c.raw.isPaused();
      let total = 0;
      for (;;) {
        const b = yield* c.recv(1 << 20);
        if (b.length === 0) break;
        total += b.length;
      }
      c.close();
      return { buffered, sentWhilePaused, paused, total };
    });
    expect(r.paused).toBe(true);
    expect(r.buffered).toBeLessThan(512 * 1024);
    // The peer was held back by flow control: far less than all 8 MiB was sent.
    expect(r.sentWhilePaused).toBeLessThan(8 * 1024 * 1024);
    expect(r.total).toBe(8 * 1024 * 1024);
    expect(peer).not.toBeNull();
  });
});

describe('send', () => {
  // test__socket TestTCP.test_sendall_timeout
  test('sendall waits for drain while the peer does not read, and raises SocketTimeout', async () => {
    let peer: net.Socket | null = null;
    const port = await serverWith((s) => {
      peer = s;
      s.pause();
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      c.timeout = 0.3;
      let err: unknown = null;
      const t0 = performance.now();
      try {
        for (let i = 0; i < 1000; i++) yield* c.sendall(Buffer.alloc(1 << 20));
      } catch (e) {
        err = e;
      }
      const dt = performance.now() - t0;
      c.abort();
      return { err, dt };
    });
    expect(r.err).toBeInstanceOf(SocketTimeout);
    expect((r.err as Error).message).toMatch(/sendall\(\) timed out after 0.3 s/);
    expect(r.dt).toBeGreaterThanOrEqual(250);
    expect(peer).not.toBeNull();
  });

  // test__socket TestTCP.test_sendall_str / test_sendall_array / empty
  test('sendall takes strings, Buffers, Uint8Arrays and empty data; send returns the byte count', async () => {
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const port = await serverWith((s) => {
      received = readAll(s);
    });
    const n = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      yield* c.sendall('');
      yield* c.sendall(Buffer.alloc(0));
      yield* c.sendall('é');
      yield* c.sendall(Buffer.from('b'));
      yield* c.sendall(new Uint8Array([99]));
      const k = yield* c.send('dd');
      c.close();
      return k;
    });
    expect(n).toBe(2);
    expect((await received).toString()).toBe('ébcdd');
  });

  // test__socket TestTCP.test_fullduplex
  test('one greenlet reads while another writes on the same socket', async () => {
    const port = await serverWith((s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const reader = spawn(function* () {
        let total = 0;
        for (;;) {
          const b = yield* c.recv();
          if (b.length === 0) return total;
          total += b.length;
        }
      });
      const writer = spawn(function* () {
        for (let i = 0; i < 200; i++) yield* c.sendall(Buffer.alloc(10_000, i));
        c.shutdown('write');
      });
      yield* writer.join();
      const total = yield* reader.get();
      c.close();
      return total;
    });
    expect(r).toBe(2_000_000);
  });

  test('shutdown("write") sends FIN and the reply can still be read (half-close)', async () => {
    const port = await serverWith((s) => {
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(parts).toString()}`));
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      yield* c.sendall('question');
      c.shutdown('write');
      const reply = yield* c.read();
      c.close();
      return reply.toString();
    });
    expect(r).toBe('got question');
  });
});

describe('errors', () => {
  test('ECONNREFUSED is a SocketError with the code and the address in the message', async () => {
    const port = await closedPort();
    const err = await run(function* () {
      try {
        yield* createConnection(['127.0.0.1', port]);
      } catch (e) {
        return e;
      }
      return null;
    });
    expect(err).toBeInstanceOf(SocketError);
    expect(isSocketError(err)).toBe(true);
    expect((err as SocketError).code).toBe('ECONNREFUSED');
    expect((err as SocketError).port).toBe(port);
    expect((err as Error).message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  });

  test('ECONNRESET from the peer surfaces at recv with the peer address', async () => {
    const port = await serverWith((s) => {
      setTimeout(() => s.resetAndDestroy(), 30);
    });
    const err = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      try {
        yield* c.recv();
        return null;
      } catch (e) {
        return e;
      } finally {
        c.close();
      }
    });
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('ECONNRESET');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  test('writing to a connection the peer reset raises a catchable SocketError (EPIPE/ECONNRESET)', async () => {
    const port = await serverWith((s) => setTimeout(() => s.resetAndDestroy(), 30));
    const err = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      try {
        for (let i = 0; i < 200; i++) {
          yield* c.sendall(Buffer.alloc(64 * 1024));
          yield* sleep(0.005);
        }
        return null;
      } catch (e) {
        return e;
      } finally {
        c.close();
      }
    });
    expect(err).toBeInstanceOf(SocketError);
    expect(['EPIPE', 'ECONNRESET']).toContain((err as SocketError).code);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });

  test('use after close raises EBADF; close twice does nothing', async () => {
    const port = await serverWith(() => {});
    const errs = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      c.close();
      c.close();
      const out: unknown[] = [];
      for (const op of [() => c.recv(), () => c.sendall('x'), () => c.readline()]) {
        try {
          yield* op();
        } catch (e) {
          out.push(e);
        }
      }
      return out;
    });
    expect(errs).toHaveLength(3);
    for (const e of errs) {
      expect(e).toBeInstanceOf(SocketError);
      expect((e as SocketError).code).toBe('EBADF');
    }
  });

  test('bad arguments are clear errors', async () => {
    const port = await serverWith(() => {});
    await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      expect(() => c.recv(0)).toThrow(RangeError);
      expect(() => c.recv(Number.NaN)).toThrow(RangeError);
      expect(() => c.readExactly(-1)).toThrow(RangeError);
      expect(() => c.sendall(123 as any)).toThrow(TypeError);
      expect(() => {
        c.timeout = Number.NaN;
      }).toThrow(RangeError);
      expect(() => {
        c.timeout = -1;
      }).toThrow(RangeError);
      expect(() => c.shutdown('sideways' as any)).toThrow(TypeError);
      c.close();
    });
    expect(() => createConnection(['127.0.0.1', 70000])).toThrow(RangeError);
    expect(() => createConnection('nonsense')).toThrow(TypeError);
    expect(() => createConnection(['127.0.0.1', 80], { timeout: Number.NaN })).toThrow(RangeError);
  });

  test('two greenlets reading one socket at once is ConcurrentObjectUseError', async () => {
    const port = await serverWith(() => {});
    const err = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const first = spawn(function* () {
        try {
          return yield* c.recv();
        } catch (e) {
          return e;
        }
      });
      yield* sleep(0.01);
      try {
        yield* c.recv();
        return null;
      } catch (e) {
        return e;
      } finally {
        c.close();
        // The first reader is still waiting and gets EBADF from the close.
        expect(((yield* first.get()) as SocketError).code).toBe('EBADF');
      }
    });
    expect(err).toBeInstanceOf(ConcurrentObjectUseError);
  });
});

describe('kill and close while waiting', () => {
  test('killing a greenlet blocked in recv leaves the socket, its data and its listeners as they were', async () => {
    let peer: net.Socket | null = null;
    const port = await serverWith((s) => {
      peer = s;
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const counts = () =>
        ['data', 'end', 'error', 'close', 'drain'].map((e) => c.raw.listenerCount(e));
      const before = counts();
      const g = spawn(function* () {
        return yield* c.recv();
      });
      yield* sleep(0.02);
      yield* g.kill();
      const after = counts();
      peer!.write('still here');
      const b = yield* c.recv();
      const open = !c.raw.destroyed;
      c.close();
      return { before, after, b: b.toString(), open, dead: g.dead, value: g.value };
    });
    expect(r.after).toEqual(r.before);
    expect(r.open).toBe(true);
    expect(r.b).toBe('still here');
    expect(r.dead).toBe(true);
    expect(r.value).toBeInstanceOf(GreenletExit);
  });

  test('killing a greenlet blocked in sendall leaves the socket open', async () => {
    let peer: net.Socket | null = null;
    const port = await serverWith((s) => {
      peer = s;
      s.pause();
    });
    const r = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const g = spawn(function* () {
        for (;;) yield* c.sendall(Buffer.alloc(1 << 20));
      });
      yield* sleep(0.1);
      const waiting = g.waitingOn;
      yield* g.kill();
      const open = !c.raw.destroyed;
      const drainListeners = c.raw.listenerCount('drain');
      c.abort();
      return { waiting, open, drainListeners };
    });
    expect(r.waiting).toBe('sendall()');
    expect(r.open).toBe(true);
    expect(r.drainListeners).toBe(1);
    expect(peer).not.toBeNull();
  });

  test('close() from another greenlet wakes a blocked reader with EBADF', async () => {
    const port = await serverWith(() => {});
    const err = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port]);
      const g = spawn(function* () {
        try {
          yield* c.recv();
          return null;
        } catch (e) {
          return e;
        }
      });
      yield* sleep(0.01);
      c.close();
      return yield* g.get();
    });
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('EBADF');
    expect((err as Error).message).toMatch(/closed by another greenlet/);
  });

  // test__socket TestCreateConnection.test_base_exception
  test('a connect interrupted by a Timeout destroys the half-open connection', async () => {
    // A TCP server that never answers the TLS handshake: the connect waits forever.
    let serverSide: net.Socket | null = null;
    let closed!: Promise<void>;
    const port = await serverWith((s) => {
      serverSide = s;
      s.resume();
      closed = new Promise((r) => {
        s.on('end', () => r());
        s.on('close', () => r());
      });
    });
    const err = await run(function* () {
      const t = Timeout.startNew(0.2);
      try {
        yield* createConnection(['127.0.0.1', port], { ssl: true });
        return null;
      } catch (e) {
        return e;
      } finally {
        t.cancel();
      }
    });
    expect(err).toBeInstanceOf(Timeout);
    await eventually(() => serverSide !== null, 'the server side');
    await closed;
  });

  test('createConnection({ timeout }) raises SocketTimeout naming the address', async () => {
    const port = await serverWith(() => {});
    const err = await run(function* () {
      try {
        yield* createConnection(['127.0.0.1', port], { ssl: true, timeout: 0.2 });
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(SocketTimeout);
    expect((err as Error).message).toBe(`connect to 127.0.0.1:${port} timed out after 0.2 s`);
  });
});

describe('names', () => {
  test('host names are resolved without blocking the hub (localhost)', async () => {
    const port = await serverWith((s) => s.end('hi'));
    const r = await run(function* () {
      let ticks = 0;
      const ticker = spawn(function* () {
        for (;;) {
          ticks++;
          yield* sleep(0);
        }
      });
      const c = yield* createConnection(['localhost', port]);
      const b = yield* c.read();
      c.close();
      yield* ticker.kill();
      return { b: b.toString(), ticks, peer: c.peername };
    });
    expect(r.b).toBe('hi');
    expect(r.ticks).toBeGreaterThan(0);
    expect(r.peer.port).toBe(port);
  });

  test('sourceAddress binds the local end', async () => {
    let seen: string | undefined;
    const port = await serverWith((s) => {
      seen = `${s.remoteAddress}:${s.remotePort}`;
      s.end();
    });
    const local = await run(function* () {
      const c = yield* createConnection(['127.0.0.1', port], { sourceAddress: ['127.0.0.1', 0] });
      const name = c.sockname;
      yield* c.read();
      c.close();
      return name;
    });
    expect(local.address).toBe('127.0.0.1');
    expect(seen).toBe(`127.0.0.1:${local.port}`);
  });

  test('errors from blocking calls outside greenlets say how to run them', () => {
    expect(getHub()).toBeDefined();
    const op = createConnection(['127.0.0.1', 1]);
    expect(() => [...(op as any)]).toThrow(/inside a greenlet/);
  });
});

export type { Socket };
