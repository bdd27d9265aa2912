import { joinall, LoopExit, sleep, spawn, wait } from '@g/hub';
import { describe, expect, test } from 'vitest';
import { BoundedSemaphore, DummySemaphore, Lock, RLock, Semaphore } from '../src/index.js';
import { onVirtualHub } from './helpers.js';

describe('Semaphore', () => {
  // gevent test__semaphore::TestSemaphore.test_acquire_returns_false_after_timeout
  test('acquire({ timeout }) resolves false after the timeout, at that virtual time', async () => {
    const r = await onVirtualHub(function* (hub) {
      const s = new Semaphore(0);
      const got = yield* s.acquire({ timeout: 0.01 });
      return { got, at: hub.loop.now(), waiters: s.linkcount() };
    });
    expect(r).toEqual({ got: false, at: 0.01, waiters: 0 });
  });

  test('acquire({ blocking: false }) never waits: true with a permit, false without', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(1);
      return [
        yield* s.acquire({ blocking: false }),
        yield* s.acquire({ blocking: false }),
        s.counter,
      ];
    });
    expect(r).toEqual([true, false, 0]);
  });

  test('a free permit is taken without a switch; release without waiters raises the counter', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(2);
      const order: string[] = [];
      spawn(function* () {
        order.push('other');
      });
      yield* s.acquire();
      yield* s.acquire();
      order.push('acquired twice');
      const locked = s.locked();
      s.release();
      return { order: order.slice(), locked, counter: s.counter, ready: s.ready() };
    });
    expect(r).toEqual({ order: ['acquired twice'], locked: true, counter: 1, ready: true });
  });

  // gevent test__semaphore::TestSemaphore.test_release_twice
  test('release notifies rawlink callbacks (each once)', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore();
      const result: string[] = [];
      s.rawlink(() => result.push('a'));
      s.release();
      s.rawlink(() => result.push('b'));
      s.release();
      yield* sleep(0.001);
      s.release();
      yield* sleep(0.001);
      return result.sort();
    });
    expect(r).toEqual(['a', 'b']);
  });

  // gevent test__semaphore::TestSemaphore.test_rawlink_on_unacquired_runs_notifiers
  test('wait([semaphore]) on a free semaphore returns at once (no LoopExit)', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore();
      const ready = yield* wait([s]);
      return ready.length;
    });
    expect(r).toBe(1);
  });

  test('rawlink on a taken semaphore fires when a permit is free, not when it is handed over', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(1);
      const log: string[] = [];
      yield* s.acquire();
      const waiter = spawn(function* () {
        yield* s.acquire();
        log.push('waiter got it');
      });
      yield* sleep(0);
      s.rawlink(() => log.push('link'));
      s.release(); // handed to the waiter: no free permit
      yield* sleep(0);
      yield* waiter.join();
      log.push('before second release');
      s.release();
      yield* sleep(0);
      return log;
    });
    expect(r).toEqual(['waiter got it', 'before second release', 'link']);
  });

  test('rawlink(non-function) is a TypeError; unlink of an unknown callback is a no-op', () => {
    const s = new Semaphore();
    expect(() => s.rawlink(null as any)).toThrow(TypeError);
    s.unlink(() => {});
    s.unlink(null);
  });

  test('unlink removes a callback before it runs', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(0);
      const log: string[] = [];
      const cb = () => log.push('x');
      s.rawlink(cb);
      s.unlink(cb);
      s.release();
      yield* sleep(0);
      return log;
    });
    expect(r).toEqual([]);
  });

  // gevent test__semaphore::TestSemaphoreFair.test_fair_or_hangs
  test('waiters acquire strictly FIFO: a release/acquire ping-pong cannot starve a third greenlet', async () => {
    const r = await onVirtualHub(function* () {
      const sem = new Semaphore();
      const shouldQuit: boolean[] = [];
      function* acquireThenSpawn(): Generator<unknown, void, any> {
        if (shouldQuit.length) return;
        yield* sem.acquire();
        const g = spawn(releaseThenSpawn);
        yield* g.join();
      }
      function* releaseThenSpawn(): Generator<unknown, void, any> {
        sem.release();
        if (shouldQuit.length) return;
        const g = spawn(acquireThenSpawn);
        yield* g.join();
      }
      function* acquireThenExit() {
        yield* sem.acquire();
        shouldQuit.push(true);
      }
      const keepGoing1 = spawn(acquireThenSpawn);
      const keepGoing2 = spawn(acquireThenSpawn);
      const exiting = spawn(acquireThenExit);
      let loopExit = false;
      try {
        yield* joinall([keepGoing1, keepGoing2, exiting]);
      } catch (e) {
        loopExit = e instanceof LoopExit;
      }
      return { loopExit, exiting: exiting.dead, kg2: keepGoing2.dead, kg1: keepGoing1.dead };
    });
    // The exiting greenlet got its turn (without fairness it never would, and this hangs).
    expect(r.loopExit).toBe(true);
    expect(r.exiting).toBe(true);
    expect(r.kg1).toBe(false);
    expect(r.kg2).toBe(true);
  });

  test('direct hand-off: a greenlet running when the permit is released cannot barge in', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(1);
      const log: string[] = [];
      yield* s.acquire();
      const waiter = spawn(function* () {
        yield* s.acquire();
        log.push('waiter');
      });
      yield* sleep(0);
      s.release();
      // The permit belongs to the waiter already: a non-blocking acquire here fails.
      log.push(`barger ${yield* s.acquire({ blocking: false })}`);
      yield* waiter.join();
      return log;
    });
    expect(r).toEqual(['barger false', 'waiter']);
  });

  test('a release wakes exactly one waiter, in the order they waited', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(0);
      const log: number[] = [];
      for (let i = 0; i < 5; i++) {
        spawn(function* () {
          yield* s.acquire();
          log.push(i);
        });
      }
      yield* sleep(0);
      s.release();
      yield* sleep(0);
      const afterOne = log.slice();
      s.release();
      s.release();
      yield* sleep(0);
      return { afterOne, log, waiting: s.linkcount() };
    });
    expect(r).toEqual({ afterOne: [0], log: [0, 1, 2], waiting: 2 });
  });

  test('wait() returns the counter when a permit is free; 0 after its timeout', async () => {
    const r = await onVirtualHub(function* (hub) {
      const s = new Semaphore(0);
      const timedOut = yield* s.wait(0.5);
      const at = hub.loop.now();
      spawn(function* () {
        yield* sleep(1);
        s.release();
      });
      const freed = yield* s.wait();
      return { timedOut, at, freed, counter: s.counter };
    });
    expect(r).toEqual({ timedOut: 0, at: 0.5, freed: 1, counter: 1 });
  });

  test('hold() returns a Disposable that releases once (using, and its try/finally twin)', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(1);
      const seen: number[] = [];
      {
        using _held = yield* s.hold();
        seen.push(s.counter);
      }
      seen.push(s.counter);
      const h = yield* s.hold();
      try {
        seen.push(s.counter);
      } finally {
        h[Symbol.dispose]();
        h[Symbol.dispose]();
      }
      seen.push(s.counter);
      return seen;
    });
    expect(r).toEqual([0, 1, 0, 1]);
  });

  test('hold({ timeout }) raises a Timeout when no permit comes in time', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(0);
      try {
        yield* s.hold({ timeout: 1 });
        return 'held';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(r).toBe('Timeout');
  });

  test('bad input: a negative, fractional or NaN value or timeout is a clear error', async () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore(Number.NaN)).toThrow(RangeError);
    const s = new Semaphore(1);
    expect(() => s.acquire({ timeout: -1 })).toThrow(RangeError);
    expect(() => s.acquire({ timeout: Number.NaN })).toThrow(TypeError);
    expect(() => s.wait(-0.5)).toThrow(RangeError);
    expect(s.counter).toBe(1);
  });

  test('acquire from main outside greenlets: a free permit is taken; a wait is a clear error', async () => {
    const s = new Semaphore(1);
    const it = s.acquire()[Symbol.iterator]();
    expect(it.next()).toEqual({ done: true, value: true });
    const it2 = s.acquire()[Symbol.iterator]();
    expect(() => it2.next()).toThrow(/only wait inside a greenlet/);
    expect(s.linkcount()).toBe(0);
  });
});

describe('BoundedSemaphore, Lock, DummySemaphore', () => {
  // gevent _semaphore.py BoundedSemaphore (ValueError "Semaphore released too many times")
  test('BoundedSemaphore: release past the initial value throws and changes nothing', async () => {
    const s = new BoundedSemaphore(2);
    expect(() => s.release()).toThrow(/released too many times/);
    expect(s.counter).toBe(2);
    const r = await onVirtualHub(function* () {
      yield* s.acquire();
      s.release();
      return s.counter;
    });
    expect(r).toBe(2);
  });

  test('Lock: one holder; release of an unlocked lock throws', async () => {
    const r = await onVirtualHub(function* () {
      const lock = new Lock();
      const log: string[] = [];
      const a = spawn(function* () {
        using _h = yield* lock.hold();
        log.push('a in');
        yield* sleep(1);
        log.push('a out');
      });
      const b = spawn(function* () {
        yield* lock.acquire();
        try {
          log.push('b in');
        } finally {
          lock.release();
        }
      });
      yield* joinall([a, b]);
      let err = '';
      try {
        lock.release();
      } catch (e) {
        err = (e as Error).message;
      }
      return { log, locked: lock.locked(), err };
    });
    expect(r.log).toEqual(['a in', 'a out', 'b in']);
    expect(r.locked).toBe(false);
    expect(r.err).toMatch(/not locked/);
  });

  // gevent lock.py DummySemaphore
  test('DummySemaphore never blocks and ignores release', async () => {
    const r = await onVirtualHub(function* () {
      const d = new DummySemaphore();
      const out = [yield* d.acquire(), yield* d.acquire(), yield* d.wait(), d.locked(), d.ready()];
      d.release();
      d.rawlink(() => {});
      d.unlink(() => {});
      using _h = yield* d.hold();
      out.push((yield* wait([d])).length);
      return out;
    });
    expect(r).toEqual([true, true, 1, false, true, 1]);
  });
});

describe('RLock', () => {
  // gevent lock.py RLock (test__lock's thread tests are not portable)
  test('the owner re-enters without waiting; the lock passes on at count 0', async () => {
    const r = await onVirtualHub(function* () {
      const lock = new RLock();
      const log: string[] = [];
      const other = spawn(function* () {
        yield* lock.acquire();
        log.push(`other owns: ${lock.isOwned()} count ${lock.count}`);
        lock.release();
      });
      yield* lock.acquire();
      yield* lock.acquire();
      yield* sleep(0); // other waits
      log.push(`count ${lock.count}`);
      lock.release();
      yield* sleep(0);
      log.push(`still held: ${lock.locked()}`);
      lock.release();
      yield* other.join();
      log.push(`free: ${!lock.locked()}`);
      return log;
    });
    expect(r).toEqual(['count 2', 'still held: true', 'other owns: true count 1', 'free: true']);
  });

  test('release by a greenlet that does not own it throws and changes nothing', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const lock = new RLock();
      yield* lock.acquire();
      const g = spawn(function* () {
        lock.release();
      });
      yield* g.join();
      const ownerStill = lock.isOwned() && lock.count === 1;
      lock.release();
      return { err: (g.exception as Error).message, ownerStill };
    });
    expect(r.err).toMatch(/cannot release un-acquired lock/);
    expect(r.ownerStill).toBe(true);
  });

  test('acquire({ blocking: false }) / ({ timeout }) by a non-owner resolve false', async () => {
    const r = await onVirtualHub(function* (hub) {
      const lock = new RLock();
      yield* lock.acquire();
      const g = spawn(function* () {
        return [
          yield* lock.acquire({ blocking: false }),
          yield* lock.acquire({ timeout: 2 }),
          hub.loop.now(),
        ];
      });
      return yield* g.get();
    });
    expect(r).toEqual([false, false, 2]);
  });

  test('hold() nests for the owner (using)', async () => {
    const r = await onVirtualHub(function* () {
      const lock = new RLock();
      const counts: number[] = [];
      function* inner() {
        using _h = yield* lock.hold();
        counts.push(lock.count);
      }
      {
        using _h = yield* lock.hold();
        counts.push(lock.count);
        yield* inner();
        counts.push(lock.count);
      }
      counts.push(lock.count);
      return counts;
    });
    expect(r).toEqual([1, 2, 1, 0]);
  });

  test('rawlink/unlink: called once when the lock is free', async () => {
    const r = await onVirtualHub(function* () {
      const lock = new RLock();
      const log: string[] = [];
      yield* lock.acquire();
      const cb = () => log.push('unlinked');
      lock.rawlink(() => log.push('free'));
      lock.rawlink(cb);
      lock.unlink(cb);
      lock.release();
      yield* sleep(0);
      return log;
    });
    expect(r).toEqual(['free']);
  });
});
