import { createHub, type Hub, sleep, spawn } from '@g/hub';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Chat } from '../src/chat.js';
import type { RoomEvent } from '../src/events.js';
import { chatSession } from '../src/session.js';
import { FakeTransport } from './fake-transport.js';

let hub: Hub;
beforeEach(() => {
  hub = createHub({ backend: 'virtual' });
});
afterEach(() => {
  hub.destroy();
});

/** Lets every greenlet run until all wait (virtual time moves by 1 ms). */
const settle = () => sleep(0.001);

function* connect(chat: Chat, nick: string) {
  const t = new FakeTransport(`${nick}:1`);
  const g = spawn(chatSession, chat, t);
  t.type(nick);
  yield* settle();
  return { t, g };
}

describe('chat session', () => {
  test('two clients talk in a room; /who, /me, /join, /nick, /rooms work', async () => {
    const chat = new Chat(16, null);
    await hub.run(function* () {
      const a = yield* connect(chat, 'alice');
      const b = yield* connect(chat, 'bob');
      expect(a.t.out).toContain('Hello alice, you are in #lobby (/help for commands).');
      expect(a.t.out).toContain('[lobby] -- bob joined');
      a.t.type('hello bob');
      b.t.type('/me waves');
      yield* settle();
      expect(b.t.out).toContain('[lobby] <alice> hello bob');
      expect(a.t.out).toContain('[lobby] * bob waves');
      a.t.type('/who');
      yield* settle();
      expect(a.t.out).toContain('[lobby] 2 here: alice, bob');
      b.t.type('/join Dev', '/nick robert', '/rooms');
      yield* settle();
      expect(a.t.out).toContain('[lobby] -- bob left (to #dev)');
      expect(b.t.out).toContain('[dev] -- bob is now known as robert');
      expect(b.t.out).toContain('rooms: #dev (1), #lobby (1)');
      a.t.type('only lobby hears this');
      yield* settle();
      expect(b.t.grep(/only lobby/)).toEqual([]);
      a.t.type('/quit');
      b.t.type('/nope');
      yield* settle();
      expect(a.t.out.at(-1)).toBe('-- bye');
      expect(a.t.closed).toBe(true);
      expect(a.g.dead).toBe(true);
      expect(b.t.out).toContain('! unknown command /nope (try /help)');
      expect(chat.clients.size).toBe(1);
    });
  });

  test('a taken or invalid nickname is asked again', async () => {
    const chat = new Chat(16, null);
    await hub.run(function* () {
      yield* connect(chat, 'alice');
      const t = new FakeTransport();
      spawn(chatSession, chat, t);
      t.type('ALICE', 'no spaces', 'carol');
      yield* settle();
      expect(t.grep(/^!/)).toEqual([
        '! ALICE is taken; try another nickname:',
        '! a nickname is 1-20 letters, digits, _ or -; try another nickname:',
      ]);
      expect(t.out).toContain('Hello carol, you are in #lobby (/help for commands).');
    });
  });

  test('a client whose queue is full is dropped; the others get every message', async () => {
    const chat = new Chat(4, null);
    await hub.run(function* () {
      const a = yield* connect(chat, 'alice');
      const b = yield* connect(chat, 'bob');
      const slow = yield* connect(chat, 'slow');
      slow.t.stuck = true; // stops reading: its writer waits forever in write()
      for (let i = 0; i < 20; i++) a.t.type(`m${i}`);
      yield* settle();
      expect(slow.t.aborted).toBe(true);
      expect(slow.g.dead).toBe(true);
      expect(chat.counters.droppedSlow).toBe(1);
      const got = b.t.grep(/<alice> m\d+$/).map((l) => l.split(' ').pop());
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      expect(b.t.grep(/slow left/)).toEqual([
        '[lobby] -- slow left (dropped: too slow, 4 messages waiting)',
      ]);
      expect(chat.rooms.who('lobby')).toEqual(['alice', 'bob']);
    });
  });

  test('a client silent for idleTimeout seconds is told and closed', async () => {
    const chat = new Chat(16, 30);
    await hub.run(function* () {
      const t0 = hub.loop.now();
      const a = yield* connect(chat, 'alice');
      const b = yield* connect(chat, 'bob');
      yield* sleep(20);
      b.t.type('still here');
      yield* a.g.join();
      expect(hub.loop.now() - t0).toBeCloseTo(30, 2);
      expect(a.t.out.at(-1)).toBe('-- you were idle for 30 s; bye');
      expect(b.t.out).toContain('[lobby] -- alice left (idle)');
      expect(b.g.dead).toBe(false);
      expect(chat.counters.droppedIdle).toBe(1);
    });
  });

  test('a peer that closes ends its session at once and frees its place', async () => {
    const chat = new Chat(16, null);
    await hub.run(function* () {
      const t0 = hub.loop.now();
      const a = yield* connect(chat, 'alice');
      const b = yield* connect(chat, 'bob');
      a.t.input.putNowait(null); // the end of the stream
      yield* a.g.join();
      expect(hub.loop.now() - t0).toBeLessThan(0.1); // no flush wait for a peer that left
      expect(b.t.out).toContain('[lobby] -- alice left (connection closed)');
      expect(chat.clients.size).toBe(1);
    });
  });

  test('endAll tells every client, flushes its queue, and ends every session', async () => {
    const chat = new Chat(16, null);
    await hub.run(function* () {
      const a = yield* connect(chat, 'alice');
      const b = yield* connect(chat, 'bob');
      a.t.type('last words');
      yield* settle();
      chat.endAll('the server is shutting down; bye');
      yield* settle();
      for (const c of [a, b]) {
        expect(c.g.dead).toBe(true);
        expect(c.t.closed).toBe(true);
        expect(c.t.out.at(-1)).toBe('-- the server is shutting down; bye');
      }
      expect(b.t.out).toContain('[lobby] <alice> last words');
      expect(chat.clients.size).toBe(0);
    });
  });

  test('room events go to the cluster sink; remote events reach local members and /who', async () => {
    const chat = new Chat(16, null, 1);
    const sent: RoomEvent[] = [];
    chat.sink = { publish: (e) => sent.push(e) };
    await hub.run(function* () {
      const a = yield* connect(chat, 'alice');
      a.t.type('hi');
      yield* settle();
      expect(sent.map((e) => e.type)).toEqual(['join', 'msg']);
      chat.deliverRemote(2, { type: 'join', room: 'lobby', nick: 'zed', ts: 0 });
      chat.deliverRemote(2, { type: 'msg', room: 'lobby', nick: 'zed', text: 'from 2', ts: 0 });
      a.t.type('/who');
      yield* settle();
      expect(a.t.out).toContain('[lobby] <zed> from 2');
      expect(a.t.out).toContain('[lobby] 2 here: alice, zed');
      expect(chat.rooms.nickTaken('ZED')).toBe(true);
      chat.rooms.forgetWorker(2);
      expect(chat.rooms.who('lobby')).toEqual(['alice']);
    });
  });
});
