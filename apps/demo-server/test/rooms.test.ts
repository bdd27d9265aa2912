import { describe, expect, test } from 'vitest';
import { Client } from '../src/broadcast.js';
import { Outgoing, toLine } from '../src/events.js';
import { formatMetrics } from '../src/metrics.js';
import { badNick, Rooms, roomName } from '../src/rooms.js';
import type { Sample } from '../src/stats.js';
import { FakeTransport } from './fake-transport.js';

const counters = () => ({ delivered: 0, droppedSlow: 0 });

describe('rooms and nicknames', () => {
  test('nicknames are unique without regard to case, on every worker', () => {
    const rooms = new Rooms();
    const a = new Client(new FakeTransport(), 4, counters());
    rooms.setNick(a, 'Alice');
    rooms.join(a, 'lobby');
    expect(rooms.nickTaken('alice')).toBe(true);
    rooms.applyRemote(2, { type: 'join', room: 'dev', nick: 'Zed', ts: 0 });
    expect(rooms.nickTaken('ZED')).toBe(true);
    rooms.applyRemote(2, { type: 'nick', room: 'dev', from: 'Zed', nick: 'Zoe', ts: 0 });
    expect(rooms.nickTaken('zed')).toBe(false);
    expect(rooms.list()).toEqual([
      ['dev', 1],
      ['lobby', 1],
    ]);
    expect(rooms.online()).toBe(2);
    rooms.applyRemote(2, { type: 'leave', room: 'dev', nick: 'Zoe', reason: '', ts: 0 });
    expect(rooms.who('dev')).toEqual([]);
    rooms.remove(a);
    expect(rooms.nickTaken('alice')).toBe(false);
    expect(rooms.members('lobby').size).toBe(0);
  });

  test('a remote leave for another room does not remove a member that moved', () => {
    const rooms = new Rooms();
    rooms.applyRemote(3, { type: 'join', room: 'a', nick: 'x', ts: 0 });
    rooms.applyRemote(3, { type: 'join', room: 'b', nick: 'x', ts: 0 });
    rooms.applyRemote(3, { type: 'leave', room: 'a', nick: 'x', reason: 'to #b', ts: 0 });
    expect(rooms.who('b')).toEqual(['x']);
    expect(rooms.remoteMembers()).toEqual([{ worker: 3, nick: 'x', room: 'b' }]);
  });

  test('names', () => {
    expect(badNick('ok_name-1')).toBeNull();
    expect(badNick('')).not.toBeNull();
    expect(badNick('a'.repeat(21))).not.toBeNull();
    expect(roomName('#Dev')).toBe('dev');
    expect(roomName('no spaces')).toBeNull();
  });
});

describe('events', () => {
  test('text lines for TCP clients', () => {
    expect(toLine({ type: 'msg', room: 'lobby', nick: 'a', text: 'hi', ts: 0 })).toBe(
      '[lobby] <a> hi',
    );
    expect(toLine({ type: 'me', room: 'lobby', nick: 'a', text: 'waves', ts: 0 })).toBe(
      '[lobby] * a waves',
    );
    expect(toLine({ type: 'who', room: 'x', nicks: ['a', 'b'] })).toBe('[x] 2 here: a, b');
    expect(toLine({ type: 'leave', room: 'x', nick: 'a', reason: '', ts: 0 })).toBe(
      '[x] -- a left',
    );
  });

  test('an Outgoing renders each format once and shares it', () => {
    const o = new Outgoing({ type: 'msg', room: 'r', nick: 'n', text: 't', ts: 1 });
    expect(o.line).toBe('[r] <n> t\n');
    expect(o.line).toBe(o.line);
    expect(JSON.parse(o.json)).toEqual({ type: 'msg', room: 'r', nick: 'n', text: 't', ts: 1 });
  });
});

describe('metrics', () => {
  test('Prometheus text with a worker label on every series', () => {
    const s = (greenlets: number): Sample => ({
      t: 0,
      greenlets,
      switchesPerSec: 10,
      loopLagMs: 1.5,
      clients: 3,
      tcp: 2,
      ws: 1,
      httpConnections: 1,
      tcpQueued: 0,
      receivedPerSec: 4,
      deliveredPerSec: 8,
      switches: 100,
      received: 40,
      delivered: 80,
      droppedSlow: 1,
      droppedIdle: 2,
      sessions: 5,
      tcpRefused: 0,
      rssBytes: 1000,
    });
    const text = formatMetrics(
      new Map([
        [2, s(7)],
        [1, s(9)],
      ]),
    );
    expect(text).toContain(
      '# TYPE g_greenlets gauge\ng_greenlets{worker="1"} 9\ng_greenlets{worker="2"} 7\n',
    );
    expect(text).toContain('g_loop_lag_seconds{worker="1"} 0.0015\n');
    expect(text).toContain('chat_clients{worker="1",kind="ws"} 1\n');
    expect(text).toContain('chat_clients_dropped_total{worker="2",reason="idle"} 2\n');
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+\{worker="\d+"(,\w+="\w+")?\} [\d.e+-]+)$/);
    }
  });
});
