// WebSocket upgrade through HttpServer (the `ws` library underneath), with the cooperative
// recv()/send() API on both sides.
import { run, sleep, spawn } from '@g/hub';
import { afterEach, describe, expect, test } from 'vitest';
import WS from 'ws';
import { SocketError, SocketTimeout } from '../src/errors.js';
import { HttpServer, type HttpServerOptions } from '../src/http-server.js';
import { connectWebSocket, type WebSocket } from '../src/websocket.js';
import { eventually, plainConnect, withReports } from './helpers.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await run(s.stop(0));
});

async function start(ws: HttpServerOptions['websocket'], options: HttpServerOptions = {}) {
  const s = new HttpServer(['127.0.0.1', 0], () => 'plain http', { ...options, websocket: ws });
  servers.push(s);
  await run(s.start());
  return s;
}

function* echo(ws: WebSocket): Generator<unknown, void, any> {
  for (let m = yield* ws.recv(); m !== null; m = yield* ws.recv()) yield* ws.send(m);
}

describe('WebSocket', () => {
  test('an echo handler: text stays text, binary stays binary; close ends recv with null', async () => {
    const server = await start(echo);
    const r = await run(function* () {
      const ws = yield* connectWebSocket(`ws://127.0.0.1:${server.serverPort}/echo`, {
        timeout: 5,
      });
      yield* ws.send('hello');
      yield* ws.send(Buffer.from([1, 2, 3]));
      const a = yield* ws.recv();
      const b = yield* ws.recv();
      ws.close(1000, 'bye');
      const end = yield* ws.recv();
      return { a, b, end, code: ws.closeCode };
    });
    expect(r.a).toBe('hello');
    expect(Buffer.isBuffer(r.b)).toBe(true);
    expect([...(r.b as Buffer)]).toEqual([1, 2, 3]);
    expect(r.end).toBe(null);
    expect(r.code).toBe(1000);
  });

  test('the server side sees the request; the handler returning closes the connection', async () => {
    const server = await start(function* (ws, req) {
      yield* ws.send(`hello ${req.path} ${req.query.get('name')}`);
    });
    const r = await run(function* () {
      const ws = yield* connectWebSocket(`ws://127.0.0.1:${server.serverPort}/room?name=ann`);
      const msgs: unknown[] = [];
      const it = ws.messages();
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) msgs.push(x.value);
      return { msgs, code: ws.closeCode };
    });
    expect(r.msgs).toEqual(['hello /room ann']);
    expect(r.code).toBe(1000);
  });

  test('many messages queue while nobody reads and come out in order; a plain ws client works', async () => {
    const server = await start(function* (ws) {
      for (let i = 0; i < 1000; i++) yield* ws.send(`m${i}`);
      yield* sleep(0.05);
    });
    const got = await new Promise<string[]>((resolve, reject) => {
      const c = new WS(`ws://127.0.0.1:${server.serverPort}/`);
      const out: string[] = [];
      c.on('message', (d) => out.push(d.toString()));
      c.on('close', () => resolve(out));
      c.on('error', reject);
    });
    expect(got).toHaveLength(1000);
    expect(got[999]).toBe('m999');
  });

  test('recv with a timeout raises SocketTimeout; send after close raises EPIPE', async () => {
    const server = await start(function* (ws) {
      yield* ws.recv();
    });
    const r = await run(function* () {
      const ws = yield* connectWebSocket(`ws://127.0.0.1:${server.serverPort}/`);
      ws.timeout = 0.1;
      let timeoutErr: unknown = null;
      try {
        yield* ws.recv();
      } catch (e) {
        timeoutErr = e;
      }
      ws.timeout = 5;
      yield* ws.send('done');
      while ((yield* ws.recv()) !== null) {}
      let sendErr: unknown = null;
      try {
        yield* ws.send('too late');
      } catch (e) {
        sendErr = e;
      }
      return { timeoutErr, sendErr };
    });
    expect(r.timeoutErr).toBeInstanceOf(SocketTimeout);
    expect(r.sendErr).toBeInstanceOf(SocketError);
    expect((r.sendErr as SocketError).code).toBe('EPIPE');
  });

  test('a handler error is reported and the client sees close code 1011', async () => {
    await withReports(async (reports) => {
      const server = await start(function* (ws) {
        yield* ws.recv();
        throw new Error('ws handler bug');
      });
      const code = await run(function* () {
        const ws = yield* connectWebSocket(`ws://127.0.0.1:${server.serverPort}/`);
        yield* ws.send('trigger');
        while ((yield* ws.recv()) !== null) {}
        return ws.closeCode;
      });
      expect(code).toBe(1011);
      expect(reports.join('')).toContain('ws handler bug');
    });
  });

  test('without a websocket handler an upgrade gets 426; connecting raises a SocketError', async () => {
    const s = new HttpServer(['127.0.0.1', 0], () => 'plain');
    servers.push(s);
    await run(s.start());
    const err = await run(function* () {
      try {
        yield* connectWebSocket(`ws://127.0.0.1:${s.serverPort}/`);
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(SocketError);
    expect((err as Error).message).toContain('426');
  });

  test('a client that vanishes ends the server handler (recv returns null), no greenlet left', async () => {
    let ended = false;
    const server = await start(function* (ws) {
      while ((yield* ws.recv()) !== null) {}
      ended = true;
    });
    const c = new WS(`ws://127.0.0.1:${server.serverPort}/`);
    await new Promise((r) => c.on('open', r));
    c.terminate();
    await run(function* () {
      for (let i = 0; i < 100 && !ended; i++) yield* sleep(0.01);
    });
    expect(ended).toBe(true);
    expect(server.handlerCount).toBe(0);
  });

  test('a handshake ws refuses (bad version) gets 400 and leaves no greenlet behind', async () => {
    let ran = false;
    const server = await start(function* () {
      ran = true;
    });
    const s = await plainConnect(server.serverPort!);
    let data = '';
    s.on('data', (d) => (data += d));
    const closed = new Promise((r) => s.on('close', r));
    s.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await closed;
    expect(data).toMatch(/^HTTP\/1\.1 400/);
    await eventually(() => server.handlerCount === 0, 'the connection greenlet to end');
    expect(ran).toBe(false);
  });

  test('stop() closes WebSocket connections with 1001 after the timeout', async () => {
    const server = await start(echo);
    const r = await run(function* () {
      const ws = yield* connectWebSocket(`ws://127.0.0.1:${server.serverPort}/`);
      const stopper = spawn(function* () {
        yield* server.stop(0.1);
      });
      while ((yield* ws.recv()) !== null) {}
      yield* stopper.join();
      return ws.closeCode;
    });
    expect(r).toBe(1001);
  });
});
