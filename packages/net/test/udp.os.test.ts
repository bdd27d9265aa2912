// UDP through node:dgram: UdpSocket and DatagramServer. Ports gevent's
// test__example_udp_server.py / test__example_udp_client.py.
import * as dgram from 'node:dgram';
import { run, sleep, spawn } from '@g/hub';
import { afterEach, describe, expect, test } from 'vitest';
import { DatagramServer } from '../src/datagram-server.js';
import { SocketError, SocketTimeout } from '../src/errors.js';
import { UdpSocket } from '../src/udp.js';
import { withReports } from './helpers.js';

const servers: DatagramServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await run(s.stop(0));
});

describe('UdpSocket', () => {
  test('sendto and recvfrom between two sockets, with the sender address', async () => {
    const r = await run(function* () {
      const a = new UdpSocket();
      const b = new UdpSocket();
      yield* a.bind(['127.0.0.1', 0]);
      yield* b.bind(['127.0.0.1', 0]);
      const n = yield* a.sendto('ping', ['127.0.0.1', b.sockname!.port]);
      const [data, from] = yield* b.recvfrom();
      yield* b.sendto(Buffer.from('pong'), from);
      const [back] = yield* a.recvfrom();
      const out = {
        n,
        data: data.toString(),
        from,
        back: back.toString(),
        aport: a.sockname!.port,
      };
      a.close();
      b.close();
      return out;
    });
    expect(r.n).toBe(4);
    expect(r.data).toBe('ping');
    expect(r.from).toEqual(['127.0.0.1', r.aport]);
    expect(r.back).toBe('pong');
  });

  test('recvfrom(max) truncates a longer datagram; recv timeouts raise SocketTimeout', async () => {
    const r = await run(function* () {
      const a = new UdpSocket();
      yield* a.bind(['127.0.0.1', 0]);
      const b = new UdpSocket();
      yield* b.sendto('0123456789', ['127.0.0.1', a.sockname!.port]);
      yield* b.sendto('next', ['127.0.0.1', a.sockname!.port]);
      const [first] = yield* a.recvfrom(4);
      const [second] = yield* a.recvfrom(100);
      a.timeout = 0.1;
      let err: unknown = null;
      try {
        yield* a.recvfrom();
      } catch (e) {
        err = e;
      }
      a.close();
      b.close();
      return { first: first.toString(), second: second.toString(), err };
    });
    expect(r.first).toBe('0123');
    expect(r.second).toBe('next');
    expect(r.err).toBeInstanceOf(SocketTimeout);
  });

  test('connect, send and recv; close wakes a blocked reader with EBADF; use after close is EBADF', async () => {
    const r = await run(function* () {
      const a = new UdpSocket();
      yield* a.bind(['127.0.0.1', 0]);
      const b = new UdpSocket();
      yield* b.connect(['127.0.0.1', a.sockname!.port]);
      expect(() => new UdpSocket().send('x')).toThrow(SocketError);
      yield* b.send('connected');
      const got = (yield* a.recv()).toString();
      const reader = spawn(function* () {
        try {
          yield* a.recv();
          return null;
        } catch (e) {
          return e;
        }
      });
      yield* sleep(0.01);
      a.close();
      const err = yield* reader.get();
      let after: unknown = null;
      try {
        yield* a.sendto('x', ['127.0.0.1', 9]);
      } catch (e) {
        after = e;
      }
      b.close();
      return { got, err, after };
    });
    expect(r.got).toBe('connected');
    expect((r.err as SocketError).code).toBe('EBADF');
    expect((r.after as SocketError).code).toBe('EBADF');
  });

  test('datagrams past maxQueue are dropped and counted', async () => {
    const r = await run(function* () {
      const a = new UdpSocket({ maxQueue: 3 });
      yield* a.bind(['127.0.0.1', 0]);
      const b = new UdpSocket();
      for (let i = 0; i < 6; i++) yield* b.sendto(`m${i}`, ['127.0.0.1', a.sockname!.port]);
      for (let i = 0; i < 500 && a.queued + a.dropped < 6; i++) yield* sleep(0.01);
      const q = a.queued;
      const dropped = a.dropped;
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push((yield* a.recv()).toString());
      a.close();
      b.close();
      return { q, dropped, got };
    });
    expect(r.q).toBe(3);
    expect(r.dropped).toBe(3);
    expect(r.got).toEqual(['m0', 'm1', 'm2']);
  });

  test('binding a taken port raises EADDRINUSE with the address; bad input is clear', async () => {
    const err = await run(function* () {
      const a = new UdpSocket();
      yield* a.bind(['127.0.0.1', 0]);
      const b = new UdpSocket();
      try {
        yield* b.bind(['127.0.0.1', a.sockname!.port]);
        return null;
      } catch (e) {
        return [e, a.sockname!.port] as const;
      } finally {
        a.close();
        b.close();
      }
    });
    expect(err![0]).toBeInstanceOf(SocketError);
    expect((err![0] as SocketError).code).toBe('EADDRINUSE');
    expect((err![0] as Error).message).toContain(`127.0.0.1:${err![1]}`);
    expect(() => new UdpSocket({ type: 'udp5' as any })).toThrow(TypeError);
    expect(() => new UdpSocket().recvfrom(0)).toThrow(RangeError);
    expect(() => new UdpSocket().sendto(5 as any, ['127.0.0.1', 1])).toThrow(TypeError);
  });
});

describe('DatagramServer', () => {
  // test__example_udp_server: the server replies 'Received %s bytes'
  test('each datagram is handled in a greenlet; the handler replies with this.sendto', async () => {
    const server = new DatagramServer(['127.0.0.1', 0], function* (data, address) {
      yield* this.sendto(`Received ${data.length} bytes`, address);
    });
    servers.push(server);
    await run(server.start());
    const client = dgram.createSocket('udp4');
    const reply = await new Promise<string>((resolve) => {
      client.on('message', (m) => resolve(m.toString()));
      client.send('Hello', server.serverPort!, '127.0.0.1');
    });
    client.close();
    expect(reply).toBe('Received 5 bytes');
    await run(server.stop());
    expect(server.started).toBe(false);
  });

  test('a handler that throws is reported and the server goes on', async () => {
    await withReports(async (reports) => {
      const server = new DatagramServer(['127.0.0.1', 0], function* (data, address) {
        if (data.toString() === 'bad') throw new Error('bad datagram');
        yield* this.sendto('ok', address);
      });
      servers.push(server);
      await run(server.start());
      const r = await run(function* () {
        const c = new UdpSocket();
        c.timeout = 5;
        yield* c.sendto('bad', ['127.0.0.1', server.serverPort!]);
        yield* c.sendto('good', ['127.0.0.1', server.serverPort!]);
        const [m] = yield* c.recvfrom();
        c.close();
        return m.toString();
      });
      expect(r).toBe('ok');
      expect(reports.join('')).toContain('bad datagram');
      expect(reports.join('')).toMatch(
        /<DatagramServer 127\.0\.0\.1:\d+> handling a datagram from 127\.0\.0\.1:\d+/,
      );
    });
  });

  test('with a full pool, datagrams queue up to backlog and the rest are dropped', async () => {
    let handled = 0;
    const server = new DatagramServer(
      ['127.0.0.1', 0],
      function* () {
        handled++;
        yield* sleep(0.3);
      },
      { spawn: 1, backlog: 2 },
    );
    servers.push(server);
    await run(server.start());
    await run(function* () {
      const c = new UdpSocket();
      for (let i = 0; i < 6; i++) yield* c.sendto(`d${i}`, ['127.0.0.1', server.serverPort!]);
      for (let i = 0; i < 500 && server.dropped < 3; i++) yield* sleep(0.01);
      expect(handled).toBe(1);
      expect(server.queued).toBe(2);
      expect(server.dropped).toBe(3);
      for (let i = 0; i < 500 && handled < 3; i++) yield* sleep(0.01);
      expect(handled).toBe(3);
      c.close();
    });
  });
});
