/**
 * The direct hand-off (Hub#_handOff through @g/greenlet's `_redirect` hook): a greenlet
 * that waits switches straight to the run queue's next greenlet when the hub would do
 * nothing else first. These tests check that it happens and that it changes nothing that
 * can be observed: the order of wake-ups, pending watchers first, polls, the monitor.
 */
import { Check, type Loop } from '@g/ev';
import { describe, expect, test } from 'vitest';
import { type Hub, sleep, spawn } from '../src/index.js';
import { vhub } from './helpers.js';

/** Counts the hand-offs the hub makes (null: the hub's body ran instead). */
function countHandOffs(hub: Hub): { made: number; declined: number } {
  const counts = { made: 0, declined: 0 };
  const h = hub as any;
  const orig = h._handOff;
  h._redirect = function (this: unknown) {
    const to = orig.call(hub);
    if (to === null) counts.declined++;
    else counts.made++;
    return to;
  };
  return counts;
}

function* pingPong(log: string[], name: string, rounds: number): Generator<unknown, void, any> {
  for (let i = 0; i < rounds; i++) {
    log.push(`${name}${i}`);
    yield* sleep(0);
  }
}

describe('direct hand-off between greenlets', () => {
  test('a greenlet that yields hands control straight to the next runnable greenlet', async () => {
    const { hub, run } = vhub();
    const counts = countHandOffs(hub);
    const log: string[] = [];
    await run(function* () {
      const a = spawn(pingPong, log, 'a', 20);
      const b = spawn(pingPong, log, 'b', 20);
      yield* a.join();
      yield* b.join();
    });
    // The same round-robin order as when the hub resumes every greenlet itself...
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) expected.push(`a${i}`, `b${i}`);
    expect(log).toEqual(expected);
    // ...with most switches handed off directly (the hub body runs when the queue is empty
    // or a poll is due).
    expect(counts.made).toBeGreaterThan(30);
  });

  test('a watcher fed by a greenlet runs before the next greenlet in the run queue', async () => {
    const { hub, run } = vhub();
    const counts = countHandOffs(hub);
    const log: string[] = [];
    const check = new Check(hub.loop as unknown as Loop);
    check.callback = () => log.push('watcher');
    await run(function* () {
      const b = spawn(function* () {
        log.push('b');
      });
      const a = spawn(function* () {
        log.push('a feeds');
        check.feed();
        yield* sleep(0);
        log.push('a again');
      });
      yield* a.join();
      yield* b.join();
    });
    // Pending watchers come before the run queue: the hand-off is declined for them.
    expect(log).toEqual(['b', 'a feeds', 'watcher', 'a again']);
    expect(counts.declined).toBeGreaterThan(0);
  });

  test('the hub still polls the loop between batches: a timer due now interrupts a ping-pong', async () => {
    const { hub, run } = vhub();
    const log: string[] = [];
    let stop = false;
    await run(function* () {
      const spinners = [0, 1].map(() =>
        spawn(function* () {
          let n = 0;
          while (!stop) {
            n++;
            yield* sleep(0);
          }
          return n;
        }),
      );
      const timer = (hub.loop as unknown as Loop).timer(0, 0);
      timer.start(() => {
        log.push('timer');
        stop = true;
      });
      for (const s of spinners) {
        const n = yield* s.get();
        // One batch of run-queue entries between two polls, not an endless spin.
        expect(n).toBeLessThan(200);
      }
    });
    expect(log).toEqual(['timer']);
  });

  test('no hand-off while the blocking monitor times each greenlet', async () => {
    const { hub, run } = vhub();
    const counts = countHandOffs(hub);
    (hub as any)._monitor = { threshold: Infinity, onSwitch() {} };
    try {
      await run(function* () {
        const a = spawn(pingPong, [], 'a', 10);
        const b = spawn(pingPong, [], 'b', 10);
        yield* a.join();
        yield* b.join();
      });
    } finally {
      (hub as any)._monitor = null;
    }
    expect(counts.made).toBe(0);
  });
});
