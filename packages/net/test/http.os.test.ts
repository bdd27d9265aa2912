// HttpServer on real loopback sockets: requests, streaming, keep-alive, HEAD, chunked,
// 100-continue, bad input, slow clients, disconnects, stop. Ports the behaviours of
// gevent's test__pywsgi.py where a test names it.
import * as http from 'node:http';
import type * as net from 'node:net';
import { getcurrent } from '@g/greenlet';
import { run, sleep } from '@g/hub';
import { afterEach, describe, expect, test } from 'vitest';
import { HttpError, SocketError } from '../src/errors.js';
import type { HttpRequest } from '../src/http-request.js';
import type { HttpResponse } from '../src/http-response.js';
import { HttpServer, type HttpServerOptions } from '../src/http-server.js';
import { delay, eventually, plainConnect, withReports } from './helpers.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await run(s.stop(0));
});

async function start(
  handle: (req: HttpRequest, res: HttpResponse) => unknown,
  options: HttpServerOptions = {},
): Promise<HttpServer> {
  const s = new HttpServer(['127.0.0.1', 0], handle as any, options);
  servers.push(s);
  await run(s.start());
  return s;
}

/** Sends raw bytes, returns everything received until the server closes (or `ms` pass). */
async function raw(
  port: number,
  text: string | Buffer,
  ms = 3000,
): Promise<{ data: string; closed: boolean }> {
  const s = await plainConnect(port);
  return new Promise((resolve) => {
    let data = '';
    let closed = false;
    const t = setTimeout(() => {
      s.destroy();
      resolve({ data, closed });
    }, ms);
    s.on('data', (d) => (data += d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      clearTimeout(t);
      resolve({ data, closed });
    });
    s.write(text);
  });
}

/** A plain node:http request; resolves with status, headers and body. */
function request(
  port: number,
  opts: http.RequestOptions & { body?: string | Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, ...opts }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('requests and responses', () => {
  test('GET streams a chunked response; POST reads the body; a returned string is the body', async () => {
    const server = await start(function* (req, res) {
      if (req.method === 'POST') {
        const data = yield* req.json<{ n: number }>();
        return `n+1=${data.n + 1}`;
      }
      expect(req.path).toBe('/stream');
      expect(req.query.get('x')).toBe('1');
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 3; i++) {
        yield* res.write(`line ${i}\n`);
        yield* sleep(0.01);
      }
      yield* res.end();
    });
    const a = await request(server.serverPort!, { path: '/stream?x=1' });
    expect(a.status).toBe(200);
    expect(a.headers['transfer-encoding']).toBe('chunked');
    expect(a.body).toBe('line 0\nline 1\nline 2\n');
    const b = await request(server.serverPort!, {
      method: 'POST',
      path: '/',
      body: JSON.stringify({ n: 41 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(b.status).toBe(200);
    expect(b.headers['content-length']).toBe('6');
    expect(b.body).toBe('n+1=42');
  });

  test('keep-alive: requests of one connection are served in order by one greenlet', async () => {
    const seen: unknown[] = [];
    const server = await start(function* (req) {
      seen.push(getcurrent());
      yield* sleep(0.01);
      return `you asked ${req.path}\n`;
    });
    // Two pipelined requests on one connection.
    const r = await raw(
      server.serverPort!,
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(r.data.indexOf('you asked /a')).toBeGreaterThan(0);
    expect(r.data.indexOf('you asked /b')).toBeGreaterThan(r.data.indexOf('you asked /a'));
    expect(r.closed).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });

  // test__pywsgi TestHead
  test('HEAD gets the headers and no body', async () => {
    const server = await start(function* (_req, res) {
      yield* res.send('twelve bytes');
    });
    const r = await raw(
      server.serverPort!,
      'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(r.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.data).toMatch(/content-length: 12\r\n/i);
    expect(r.data.endsWith('\r\n\r\n')).toBe(true);
  });

  // test__pywsgi TestChunkedPost
  test('a chunked request body is read with readline and read', async () => {
    const server = await start(function* (req) {
      const first = (yield* req.readline()).toString();
      const rest = (yield* req.read()).toString();
      return `${JSON.stringify(first)} ${JSON.stringify(rest)}`;
    });
    const body = 'oh hai\nmore\nand more';
    const chunked = `${Buffer.byteLength('oh hai\n').toString(16)}\r\noh hai\n\r\n${Buffer.byteLength('more\nand more').toString(16)}\r\nmore\nand more\r\n0\r\n\r\n`;
    const r = await raw(
      server.serverPort!,
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`,
    );
    expect(r.data).toContain(`${JSON.stringify('oh hai\n')} ${JSON.stringify('more\nand more')}`);
    expect(body.length).toBe(20);
  });

  // test__pywsgi Expect100ContinueTests
  test('100-continue is sent at the first body read, never when the handler answers without reading', async () => {
    const server = await start(function* (req, res) {
      if (req.path === '/deny') {
        yield* res.send('no thanks', 417);
        return;
      }
      const body = yield* req.text();
      return `accepted ${body}`;
    });
    const port = server.serverPort!;
    // Denied: no 100, just the answer.
    const d = await raw(
      port,
      'POST /deny HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    expect(d.data).not.toContain('100 Continue');
    expect(d.data).toMatch(/^HTTP\/1\.1 417/);
    // Accepted: 100 first, then the body is sent and the answer comes.
    const s = await plainConnect(port);
    let got = '';
    s.on('data', (x) => {
      got += x;
      if (got.includes('100 Continue') && !got.includes('hello')) s.write('hello');
    });
    s.write(
      'POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    await new Promise((r) => s.on('close', r));
    expect(got).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(got).toContain('accepted hello');
  });

  test('HttpError becomes its status; other errors a reported 500 with the connection closed', async () => {
    await withReports(async (reports) => {
      const server = await start(function* (req) {
        if (req.path === '/missing') throw new HttpError(404, 'no such page', { 'x-why': 'test' });
        if (req.path === '/boom') throw new Error('handler bug');
        return 'fine';
      });
      const port = server.serverPort!;
      const a = await request(port, { path: '/missing' });
      expect(a.status).toBe(404);
      expect(a.headers['x-why']).toBe('test');
      expect(a.body).toBe('no such page\n');
      const b = await request(port, { path: '/boom' });
      expect(b.status).toBe(500);
      expect(b.headers.connection).toBe('close');
      expect(reports.join('')).toContain('handler bug');
      expect(reports.join('')).toMatch(/handling GET \/boom from 127\.0\.0\.1:\d+/);
      expect(reports.join('')).not.toContain('no such page');
      expect((await request(port, { path: '/' })).body).toBe('fine');
    });
  });

  test('writeHead fixes status and headers: setHeader before it is kept, a second writeHead is refused', async () => {
    const errors: string[] = [];
    const server = await start(function* (_req, res) {
      res.setHeader('x-early', 'kept');
      res.writeHead(201, { 'x-given': 'yes' });
      try {
        res.writeHead(500);
      } catch (e) {
        errors.push((e as Error).message);
      }
      expect(() => res.setHeader('x-late', 'no')).toThrow();
      yield* res.end('made');
    });
    const r = await request(server.serverPort!);
    expect(r.status).toBe(201);
    expect(r.headers['x-early']).toBe('kept');
    expect(r.headers['x-given']).toBe('yes');
    expect(r.body).toBe('made');
    expect(errors[0]).toMatch(/already fixed/);
  });

  test('a response the handler did not end is ended for it', async () => {
    const server = await start(function* (_req, res) {
      res.status = 204;
    });
    const r = await request(server.serverPort!);
    expect(r.status).toBe(204);
  });
});

describe('bad input and limits', () => {
  test('malformed HTTP gets 400 and the connection is closed; the server goes on', async () => {
    const server = await start(() => 'ok');
    const r = await raw(server.serverPort!, 'THIS IS NOT HTTP\r\n\r\n');
    expect(r.data).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(r.closed).toBe(true);
    const r2 = await raw(
      server.serverPort!,
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n',
    );
    expect(r2.data).toMatch(/^HTTP\/1\.1 400/);
    expect(server.clientErrors).toBe(2);
    expect((await request(server.serverPort!)).body).toBe('ok');
  });

  test('a head larger than maxHeaderSize gets 431', async () => {
    const server = await start(() => 'ok', { maxHeaderSize: 1024 });
    const r = await raw(
      server.serverPort!,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`,
    );
    expect(r.data).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(r.closed).toBe(true);
    const ok = await raw(
      server.serverPort!,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Small: ${'a'.repeat(500)}\r\nConnection: close\r\n\r\n`,
    );
    expect(ok.data).toMatch(/^HTTP\/1\.1 200/);
  });

  test('a body larger than maxBodySize gets 413: at once from Content-Length, or at the read that passes it', async () => {
    let called = 0;
    const server = await start(
      function* (req) {
        called++;
        const b = yield* req.body();
        return `read ${b.length}`;
      },
      { maxBodySize: 1000 },
    );
    const port = server.serverPort!;
    const a = await raw(
      port,
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'a'.repeat(100)}`,
    );
    expect(a.data).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(a.closed).toBe(true);
    expect(called).toBe(0);
    const chunk = 'b'.repeat(800);
    const body = `320\r\n${chunk}\r\n320\r\n${chunk}\r\n0\r\n\r\n`;
    const b = await raw(
      port,
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    );
    expect(b.data).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(b.closed).toBe(true);
    expect(called).toBe(1);
    const c = await request(port, { method: 'POST', body: 'c'.repeat(1000) });
    expect(c.body).toBe('read 1000');
  });

  test('slowloris: a client that sends nothing, or one byte at a time, is dropped after headersTimeout', async () => {
    const server = await start(() => 'ok', { headersTimeout: 0.6 });
    const port = server.serverPort!;
    const t0 = performance.now();
    const silent = raw(port, '', 10_000);
    const dripping = (async () => {
      const s = await plainConnect(port);
      const req = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n';
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('error', () => {});
      const closed = new Promise<number>((r) => s.on('close', () => r(performance.now())));
      for (let i = 0; i < req.length && !s.destroyed; i++) {
        s.write(req[i]!);
        await delay(150);
      }
      return { at: await closed, data };
    })();
    const s1 = await silent;
    const t1 = performance.now() - t0;
    const d = await dripping;
    expect(s1.closed).toBe(true);
    expect(s1.data).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(t1).toBeGreaterThanOrEqual(500);
    expect(t1).toBeLessThan(5000);
    expect(d.data).toMatch(/^HTTP\/1\.1 408/);
    expect(d.at - t0).toBeLessThan(5000);
    // A normal client is served meanwhile and after.
    expect((await request(port)).body).toBe('ok');
  });
});

describe('disconnects and slow clients', () => {
  test('a client that disconnects in the middle of the body: the read raises ECONNRESET, nothing leaks', async () => {
    let err: unknown = null;
    const server = await start(function* (req) {
      try {
        yield* req.body();
      } catch (e) {
        err = e;
        throw e;
      }
      return 'unreachable';
    });
    const s = await plainConnect(server.serverPort!);
    s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    await eventually(() => server.handlerCount === 1, 'the handler');
    await delay(50);
    s.destroy();
    await eventually(() => err !== null && server.handlerCount === 0, 'the handler to end');
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('ECONNRESET');
    expect(server.handlerCount).toBe(0);
    expect(server.connectionCount).toBe(0);
  });

  test('a client that disconnects in the middle of a streamed response: the write raises EPIPE, not reported', async () => {
    await withReports(async (reports) => {
      let err: unknown = null;
      let writes = 0;
      const server = await start(function* (_req, res) {
        res.writeHead(200);
        try {
          for (;;) {
            yield* res.write('x'.repeat(1000));
            writes++;
            yield* sleep(0.01);
          }
        } catch (e) {
          err = e;
          throw e;
        }
      });
      const s = await plainConnect(server.serverPort!);
      s.on('error', () => {});
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await eventually(() => writes > 2, 'some writes');
      s.destroy();
      await eventually(() => err !== null && server.handlerCount === 0, 'the handler to end');
      expect(writes).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(SocketError);
      expect((err as SocketError).code).toBe('EPIPE');
      expect(server.handlerCount).toBe(0);
      expect(reports.join('')).toBe('');
    });
  });

  test('a client that stops reading holds the streaming handler at write (back-pressure), writeTimeout ends it', async () => {
    let written = 0;
    let err: unknown = null;
    const server = await start(
      function* (_req, res) {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 97);
        try {
          for (;;) {
            yield* res.write(chunk);
            written += chunk.length;
          }
        } catch (e) {
          err = e;
        }
      },
      { writeTimeout: 0.5 },
    );
    const s = await plainConnect(server.serverPort!);
    s.pause();
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(1500);
    // Bounded by socket buffers, not by the loop: far less than what an unbounded loop writes.
    expect(written).toBeLessThan(64 * 1024 * 1024);
    expect((err as Error | null)?.name).toBe('SocketTimeout');
    s.destroy();
  });
});

describe('pool and stop', () => {
  test('spawn: 1 serves one connection at a time; the next waits, paused', async () => {
    const server = await start(
      function* (req) {
        yield* sleep(0.2);
        return `done ${req.path}`;
      },
      { spawn: 1 },
    );
    const port = server.serverPort!;
    const t0 = performance.now();
    const [a, b] = await Promise.all([
      request(port, { path: '/a' }),
      request(port, { path: '/b' }),
    ]);
    const dt = performance.now() - t0;
    expect([a.body, b.body].sort()).toEqual(['done /a', 'done /b']);
    expect(dt).toBeGreaterThanOrEqual(350);
  });

  test('stop lets a request in progress finish (Connection: close), closes idle keep-alive connections, refuses new ones', async () => {
    let slowStarted = false;
    const server = await start(function* (req) {
      if (req.path === '/slow') {
        slowStarted = true;
        yield* sleep(0.3);
      }
      return `done ${req.path}`;
    });
    const port = server.serverPort!;
    // An idle keep-alive connection.
    const idle = await plainConnect(port);
    let idleData = '';
    idle.on('data', (d) => (idleData += d));
    const idleClosed = new Promise((r) => idle.on('close', r));
    idle.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => idleData.includes('done /first'), 'the first response');
    const slow = request(port, { path: '/slow' });
    await eventually(() => slowStarted, 'the slow request');
    await run(server.stop(5));
    const r = await slow;
    expect(r.body).toBe('done /slow');
    expect(r.headers.connection).toBe('close');
    await idleClosed;
    await expect(plainConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(server.connectionCount).toBe(0);
  });

  test('stop past its timeout kills handlers; a response not started becomes 503', async () => {
    let started = false;
    const server = await start(function* () {
      started = true;
      yield* sleep(30);
      return 'never';
    });
    const p = request(server.serverPort!, { path: '/' });
    await eventually(() => started, 'the handler');
    await run(server.stop(0.2));
    const r = await p;
    expect(r.status).toBe(503);
    expect(server.handlerCount).toBe(0);
  });
});

describe('options', () => {
  test('bad options are clear errors', () => {
    expect(() => new HttpServer(['127.0.0.1', 0], 'x' as any)).toThrow(TypeError);
    expect(() => new HttpServer(['127.0.0.1', 0], () => 1, { maxBodySize: -1 })).toThrow(
      RangeError,
    );
    expect(() => new HttpServer(['127.0.0.1', 0], () => 1, { headersTimeout: Number.NaN })).toThrow(
      RangeError,
    );
    expect(() => new HttpServer(['127.0.0.1', 0], () => 1, { maxHeaderSize: 0 })).toThrow(
      RangeError,
    );
  });
});

export type { net };
