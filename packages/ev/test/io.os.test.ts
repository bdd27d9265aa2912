import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type Io, Loop, NOWAIT, ONCE, READ, WRITE } from '../src/index.js';
import { turn } from './helpers.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function pair(): Promise<{ server: Server; client: Socket; peer: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection');
  const client = new Socket();
  client.connect(port, '127.0.0.1');
  const [peer] = (await accepted) as [Socket];
  await once(client, 'connect');
  cleanup.push(() => {
    client.destroy();
    peer.destroy();
    server.close();
  });
  return { server, client, peer };
}

/** Runs ONCE iterations until `cond()` or `max` iterations. */
async function spinUntil(loop: Loop, cond: () => boolean, max = 200): Promise<void> {
  for (let i = 0; i < max && !cond(); i++) await loop.run(ONCE);
}

// ev.pod "ev_io": level-triggered readiness, here on Node streams (a loopback TCP socket
// and a pipe).
describe('io watchers on a loopback socket', () => {
  it('READ fires when data is buffered, consumes nothing, and keeps firing until read', async () => {
    const { client, peer } = await pair();
    const loop = new Loop();
    const seen: [number, number][] = [];
    const w = loop.io(client, READ);
    w.start((_w, revents) => seen.push([revents, client.readableLength]));
    peer.write('hello');
    await spinUntil(loop, () => seen.length > 0);
    expect(seen[0]).toEqual([READ, 5]);
    await loop.run(ONCE);
    await loop.run(ONCE);
    expect(seen.length).toBeGreaterThanOrEqual(3); // level-triggered
    expect(client.readableLength).toBe(5); // nothing consumed
    expect(String(client.read())).toBe('hello');
    const count = seen.length;
    loop.run(NOWAIT);
    loop.run(NOWAIT);
    expect(seen.length).toBe(count); // quiet once consumed
    w.stop();
    loop.verify();
  });

  it('READ reports the end of the stream', async () => {
    const { client, peer } = await pair();
    const loop = new Loop();
    let fired = 0;
    const w = loop.io(client, READ);
    w.start(() => fired++);
    peer.end();
    await spinUntil(loop, () => fired > 0);
    expect(fired).toBeGreaterThan(0);
    expect(client.read()).toBe(null); // EOF: nothing to read
    w.stop();
  });

  it('WRITE fires once connected and while under the high-water mark, not while full', async () => {
    const server = createServer(() => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const peers: Socket[] = [];
    server.on('connection', (s) => {
      s.pause();
      peers.push(s);
    });
    const client = new Socket();
    cleanup.push(() => {
      client.destroy();
      for (const p of peers) p.destroy();
      server.close();
    });
    const loop = new Loop();
    const events: number[] = [];
    client.connect(port, '127.0.0.1');
    const w = loop.io(client, WRITE);
    w.start((_w, revents) => events.push(revents));
    loop.run(NOWAIT);
    expect(events).toEqual([]); // still connecting
    await spinUntil(loop, () => events.length > 0);
    expect(events[0]).toBe(WRITE);
    // Fill the socket: the peer does not read.
    const chunk = Buffer.alloc(1 << 20);
    while (client.write(chunk));
    expect(client.writableNeedDrain).toBe(true);
    events.length = 0;
    loop.run(NOWAIT);
    loop.run(NOWAIT);
    expect(events).toEqual([]);
    // The peer reads: the buffer drains and WRITE comes back.
    for (const p of peers) p.resume();
    await spinUntil(loop, () => events.length > 0, 2000);
    expect(events[0]).toBe(WRITE);
    w.stop();
  });

  it('a listening server reports READ for a connection; accept() takes it', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const loop = new Loop();
    const got: Socket[] = [];
    const w = loop.io(server, READ);
    w.start((io: Io) => {
      for (let s = io.accept(); s !== null; s = io.accept()) got.push(s);
    });
    const client = new Socket();
    cleanup.push(() => {
      client.destroy();
      for (const s of got) s.destroy();
      server.close();
    });
    client.connect(port, '127.0.0.1');
    await spinUntil(loop, () => got.length > 0);
    expect(got).toHaveLength(1);
    expect(got[0].remotePort).toBe(client.localPort);
    expect(w.accept()).toBe(null);
    w.stop();
    expect(() => loop.io(server, WRITE)).toThrow(RangeError);
  });

  it('the stream listener only schedules a wake-up: callbacks run in an iteration', async () => {
    const loop = new Loop();
    const s = new PassThrough();
    let calls = 0;
    loop.io(s, READ).start(() => calls++);
    s.write('x');
    s.emit('readable'); // synchronous emit inside "someone else's code"
    expect(calls).toBe(0);
    let woke = false;
    loop.wake(() => {
      woke = true;
    });
    await turn();
    await turn();
    expect(woke).toBe(true);
    expect(calls).toBe(0);
    loop.run(NOWAIT);
    expect(calls).toBe(1);
    loop.destroy();
  });

  it('many watchers (in two loops) share one set of listeners, removed by the last stop', async () => {
    const { client, peer } = await pair();
    const before = client.listenerCount('readable');
    const a = new Loop();
    const b = new Loop();
    const hits: string[] = [];
    const wa = a.io(client, READ);
    const wb = b.io(client, READ | WRITE);
    wa.start(() => hits.push('a'));
    wb.start((_w, ev) => hits.push(`b${ev}`));
    expect(client.listenerCount('readable')).toBe(before + 1);
    peer.write('z');
    await spinUntil(a, () => hits.includes('a'));
    b.run(NOWAIT);
    expect(hits).toContain(`b${READ | WRITE}`);
    wa.stop();
    expect(client.listenerCount('readable')).toBe(before + 1);
    wb.stop();
    expect(client.listenerCount('readable')).toBe(before);
  });
});

describe('io watchers on a pipe', () => {
  it("READ on a child process's stdout pipe delivers its output", async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('x'.repeat(1000))"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const loop = new Loop();
    let text = '';
    let ended = false;
    const w = loop.io(child.stdout!, READ);
    w.start(() => {
      for (let c = child.stdout!.read(); c !== null; c = child.stdout!.read()) text += c;
      if (child.stdout!.readableEnded || (child.stdout as any)._readableState.ended) {
        ended = true;
        w.stop();
      }
    });
    await loop.run();
    expect(ended).toBe(true);
    expect(text).toBe('x'.repeat(1000));
  });
});

describe('io argument checks', () => {
  it('a raw file descriptor must be an integer >= 0 (fd.os.test.ts tests raw fds)', () => {
    const loop = new Loop();
    expect(() => loop.io(-1, READ)).toThrow(RangeError);
    expect(() => loop.io(1.5, READ)).toThrow(RangeError);
    expect(() => loop.io(Number.NaN, READ)).toThrow(RangeError);
  });

  it('bad events and targets are refused', () => {
    const loop = new Loop();
    const s = new PassThrough();
    expect(() => loop.io(s, 4)).toThrow(RangeError);
    expect(() => loop.io({} as any, READ)).toThrow(TypeError);
    const w = loop.io(s, READ);
    w.start(() => {});
    expect(() => w.modify(WRITE)).toThrow(/active/);
    w.stop();
    w.modify(READ | WRITE);
    expect(w.events).toBe(READ | WRITE);
  });
});
