// TLS client and server through node:tls, with a self-signed certificate made in the test.
import * as tls from 'node:tls';
import { run } from '@g/hub';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createConnection } from '../src/connect.js';
import { SocketError } from '../src/errors.js';
import type { Socket } from '../src/socket.js';
import { StreamServer } from '../src/stream-server.js';
import { delay, plainConnect, readAll } from './helpers.js';
import { selfSigned } from './tls-helpers.js';

let cert: { key: Buffer; cert: Buffer };
beforeAll(() => {
  cert = selfSigned();
});

const servers: StreamServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await run(s.stop(0));
});

function* echo(sock: Socket): Generator<unknown, void, any> {
  for (;;) {
    const line = yield* sock.readline();
    if (line.length === 0) return;
    yield* sock.sendall(line);
  }
}

function tlsServer(handle = echo) {
  const s = new StreamServer(['127.0.0.1', 0], handle, { ssl: { key: cert.key, cert: cert.cert } });
  servers.push(s);
  return s;
}

describe('TLS', () => {
  test('a TLS StreamServer and a TLS client talk, verified against the self-signed certificate', async () => {
    const server = tlsServer();
    const r = await run(function* () {
      yield* server.start();
      const c = yield* createConnection(['127.0.0.1', server.serverPort!], {
        timeout: 5,
        ssl: { ca: cert.cert },
      });
      const raw = c.raw as tls.TLSSocket;
      yield* c.sendall('secret line\n');
      const back = (yield* c.readline()).toString();
      const info = { authorized: raw.authorized, protocol: raw.getProtocol() };
      c.close();
      return { back, info };
    });
    expect(r.back).toBe('secret line\n');
    expect(r.info.authorized).toBe(true);
    expect(r.info.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  test('a client that does not trust the certificate gets a catchable SocketError with the code', async () => {
    const server = tlsServer();
    const err = await run(function* () {
      yield* server.start();
      try {
        yield* createConnection(['127.0.0.1', server.serverPort!], { timeout: 5, ssl: true });
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect((err as Error).message).toContain(`127.0.0.1:${server.serverPort}`);
  });

  test('a failed handshake (plain TCP client) never reaches a handler and the server goes on', async () => {
    let handled = 0;
    const server = tlsServer(function* (sock: Socket) {
      handled++;
      yield* echo(sock);
    });
    await run(server.start());
    const bad = await plainConnect(server.serverPort!);
    const badAll = readAll(bad);
    bad.write('GET / HTTP/1.0\r\n\r\n');
    await badAll;
    await delay(20);
    expect(handled).toBe(0);
    const back = await run(function* () {
      const c = yield* createConnection(['localhost', server.serverPort!], {
        ssl: { ca: cert.cert },
      });
      yield* c.sendall('still serving\n');
      const b = (yield* c.readline()).toString();
      c.close();
      return b;
    });
    expect(back).toBe('still serving\n');
    expect(handled).toBe(1);
  });

  test('a plain Node TLS client works against the g server (the server side is ordinary TLS)', async () => {
    const server = tlsServer();
    await run(server.start());
    const c = tls.connect({ host: '127.0.0.1', port: server.serverPort!, ca: cert.cert });
    await new Promise<void>((r) => c.once('secureConnect', () => r()));
    const all = readAll(c as any);
    c.end('from node\n');
    expect((await all).toString()).toBe('from node\n');
  });
});
