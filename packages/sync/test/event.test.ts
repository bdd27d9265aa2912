import { idle, iwait, sleep, spawn, spawnLater, Timeout, wait, withTimeout } from '@g/hub';
import { describe, expect, test } from 'vitest';
import { AsyncResult, Event } from '../src/index.js';
import { ExpectedError, onVirtualHub } from './helpers.js';

describe('Event', () => {
  // gevent test__event::TestEventWait (AbstractGenericWaitTestCase.test_returns_none_after_timeout)
  test('wait(timeout) returns the flag (false) after the timeout', async () => {
    const r = await onVirtualHub(function* (hub) {
      const e = new Event();
      const flag = yield* e.wait(0.2);
      return { flag, at: hub.loop.now(), left: e.linkcount() };
    });
    expect(r).toEqual({ flag: false, at: 0.2, left: 0 });
  });

  // gevent test__event::TestGeventWaitOnEvent
  test('wait([event], { timeout }) returns nothing ready after the timeout', async () => {
    const r = await onVirtualHub(function* (hub) {
      const e = new Event();
      const ready = yield* wait([e], { timeout: 0.2 });
      return { ready: ready.length, at: hub.loop.now(), left: e.linkcount() };
    });
    expect(r).toEqual({ ready: 0, at: 0.2, left: 0 });
  });

  // gevent test__event::TestGeventWaitOnEvent.test_set_during_wait (issue 771)
  test('after set, wait, clear: a new wait really waits (no stale link)', async () => {
    const r = await onVirtualHub(function* () {
      const event = new Event();
      const waiter = spawn(function* () {
        const s = spawn(function* () {
          event.set();
        });
        const res = yield* event.wait();
        const ready = event.ready();
        yield* s.join();
        event.clear();
        const o = yield* wait([event], { timeout: 0.01 });
        return { res, ready, stillClear: !event.ready(), found: o.includes(event) };
      });
      return yield* waiter.get();
    });
    expect(r).toEqual({ res: true, ready: true, stillClear: true, found: false });
  });

  // gevent test__event::TestEvent_SetThenClear, 100, 1000
  test.each([1, 100, 1000])(
    'set() wakes all %i waiters even if clear() follows at once',
    async (n) => {
      const r = await onVirtualHub(function* () {
        const e = new Event();
        const waiters = Array.from({ length: n }, () =>
          spawn(function* () {
            return yield* e.wait();
          }),
        );
        yield* sleep(0.001);
        e.set();
        e.clear();
        for (const g of waiters) yield* g.join();
        return waiters.every((g) => g.value === true);
      });
      expect(r).toBe(true);
    },
  );

  // gevent test__event::TestEventBasics.test_wait_while_notifying (issue 1520)
  test('a wait on a set event while earlier waiters are being woken runs after them, before a check watcher', async () => {
    const r = await onVirtualHub(function* (hub) {
      const event = new Event();
      const results: number[] = [];
      function* waitThenAppend(arg: number) {
        yield* event.wait();
        results.push(arg);
      }
      spawn(waitThenAppend, 1);
      spawn(waitThenAppend, 2);
      yield* idle();
      const linkcount = event.linkcount();
      const check = (hub.loop as any).check();
      check.start(() => results.push(4));
      event.set();
      yield* waitThenAppend(3);
      check.stop();
      return { linkcount, results };
    });
    expect(r).toEqual({ linkcount: 2, results: [1, 2, 3] });
  });

  test('waiters are woken in the order they began to wait; a set event returns true at once', async () => {
    const r = await onVirtualHub(function* () {
      const e = new Event();
      const log: number[] = [];
      for (let i = 0; i < 4; i++) {
        spawn(function* () {
          yield* e.wait();
          log.push(i);
        });
      }
      yield* sleep(0);
      e.set();
      yield* sleep(0);
      const order = log.slice();
      const atOnce = yield* e.wait();
      return { order, atOnce, isSet: e.isSet() };
    });
    expect(r).toEqual({ order: [0, 1, 2, 3], atOnce: true, isSet: true });
  });

  test('rawlink: called from the hub after set (not inside set), once; iwait sees the event', async () => {
    const r = await onVirtualHub(function* () {
      const e = new Event();
      const log: string[] = [];
      e.rawlink((ev) => log.push(`link ${ev === e}`));
      e.set();
      log.push('after set');
      yield* sleep(0);
      e.clear();
      e.set();
      yield* sleep(0);
      const e2 = new Event();
      spawnLater(1, () => e2.set());
      const it = iwait([e2]);
      const first = yield* it.next();
      return { log, iwait: first.value === e2 };
    });
    expect(r).toEqual({ log: ['after set', 'link true'], iwait: true });
  });

  test('a link that throws is reported and the others still run', async () => {
    const r = await onVirtualHub(function* (hub) {
      const reported: unknown[] = [];
      hub.handleError = (_ctx, err) => {
        reported.push(err);
      };
      const e = new Event();
      const log: string[] = [];
      e.rawlink(() => {
        throw new ExpectedError('link');
      });
      e.rawlink(() => log.push('second'));
      e.set();
      yield* sleep(0);
      return { log, reported: reported.length };
    });
    expect(r).toEqual({ log: ['second'], reported: 1 });
  });

  test('bad timeouts are clear errors', () => {
    const e = new Event();
    expect(() => e.wait(-1)).toThrow(RangeError);
    expect(() => e.wait(Number.NaN)).toThrow(TypeError);
    expect(() => e.wait('1' as any)).toThrow(TypeError);
  });
});

describe('AsyncResult', () => {
  // gevent test__event::TestAsyncResultWait, TestWaitAsyncResult
  test('wait(timeout) returns undefined after the timeout; wait([result]) likewise', async () => {
    const r = await onVirtualHub(function* (hub) {
      const a = new AsyncResult<number>();
      const v = yield* a.wait(0.2);
      const ready = yield* wait([a], { timeout: 0.2 });
      return { v, n: ready.length, at: hub.loop.now() };
    });
    expect(r).toEqual({ v: undefined, n: 0, at: 0.4 });
  });

  // gevent test__event::TestAsyncResultGet (AbstractGenericGetTestCase)
  test('get({ timeout }) raises a Timeout after the timeout; a Timeout instance is raised itself', async () => {
    const r = await onVirtualHub(function* (hub) {
      const a = new AsyncResult();
      const out: unknown[] = [];
      try {
        yield* a.get({ timeout: 0.01 });
      } catch (e) {
        out.push(e instanceof Timeout, hub.loop.now());
      }
      const t = new Timeout(0.2);
      try {
        yield* a.get({ timeout: t });
      } catch (e) {
        out.push(e === t);
      } finally {
        t.cancel();
      }
      const error = new ExpectedError('custom');
      const t2 = new Timeout(0.2, error);
      try {
        yield* a.get({ timeout: t2 });
      } catch (e) {
        out.push(e === error);
      } finally {
        t2.cancel();
      }
      out.push(a.linkcount());
      return out;
    });
    expect(r).toEqual([true, 0.01, true, true, 0]);
  });

  // gevent testing/timing.py _DelayWaitMixin.test_outer_timeout_is_not_lost
  test('an outer, shorter Timeout firing during get({ timeout: 1 }) is the error seen', async () => {
    const r = await onVirtualHub(function* () {
      const a = new AsyncResult();
      const outer = Timeout.startNew(0.001);
      try {
        yield* a.get({ timeout: 1 });
        return false;
      } catch (e) {
        return e === outer;
      } finally {
        outer.cancel();
      }
    });
    expect(r).toBe(true);
  });

  // gevent test__event::TestAsyncResult.test_link
  test('rawlink(null) is a TypeError; unlink(null) is ignored', () => {
    const a = new AsyncResult();
    expect(() => a.rawlink(null as any)).toThrow(TypeError);
    a.unlink(null);
    a.unlink(null);
    expect(String(a)).toMatch(/AsyncResult unset/);
  });

  // gevent test__event::TestAsyncResult.test_set_exc
  test('setException(e): a blocked get() raises that same object', async () => {
    const r = await onVirtualHub(function* () {
      const e = new AsyncResult();
      const log: unknown[] = [];
      const before = [e.exception, e.ready(), e.successful()];
      spawn(function* () {
        try {
          yield* e.get();
        } catch (err) {
          log.push(err);
        }
      });
      const obj = new ExpectedError();
      yield* sleep(0);
      e.setException(obj);
      yield* sleep(0);
      return {
        before,
        same: log[0] === obj,
        n: log.length,
        exc: e.exception === obj,
        ok: e.successful(),
      };
    });
    expect(r).toEqual({ before: [null, false, false], same: true, n: 1, exc: true, ok: false });
  });

  // gevent test__event::TestAsyncResult.test_set
  test('an outer Timeout with an exception (even Timeout.startNew(0, exc)) interrupts get()', async () => {
    const r = await onVirtualHub(function* () {
      const event1 = new AsyncResult<string>();
      const timerExc = new ExpectedError('interrupted');
      const g = spawnLater(0.2, () => event1.set('hello event1'));
      const t = Timeout.startNew(0, timerExc);
      try {
        yield* event1.get();
        return false;
      } catch (e) {
        return e === timerExc;
      } finally {
        t.cancel();
        yield* g.kill();
      }
    });
    expect(r).toBe(true);
  });

  // gevent test__event::TestAsyncResult.test_set_with_timeout
  test('withTimeout(..., { timeoutValue }) returns that value when nothing is set', async () => {
    const r = await onVirtualHub(function* () {
      const event2 = new AsyncResult();
      const X = {};
      const result = yield* withTimeout(0.1, { timeoutValue: X }, function* () {
        return yield* event2.get();
      });
      return result === X;
    });
    expect(r).toBe(true);
  });

  // gevent test__event::TestAsyncResult.test_nonblocking_get
  test('get({ block: false }) and getNowait() raise a Timeout when unset', async () => {
    const r = await onVirtualHub(function* () {
      const a = new AsyncResult<number>();
      const out: boolean[] = [];
      try {
        yield* a.get({ block: false });
      } catch (e) {
        out.push(e instanceof Timeout);
      }
      try {
        a.getNowait();
      } catch (e) {
        out.push(e instanceof Timeout);
      }
      a.set(5);
      out.push(a.getNowait() === 5, (yield* a.get({ block: false })) === 5);
      return out;
    });
    expect(r).toEqual([true, true, true, true]);
  });

  // gevent test__event::TestAsyncResultAsLinkTarget.test_set
  test('as a link target: link gets the value, linkValue too, linkException nothing', async () => {
    const r = await onVirtualHub(function* () {
      const g = spawn(() => 1);
      const s1 = new AsyncResult();
      const s2 = new AsyncResult();
      const s3 = new AsyncResult();
      g.link(s1);
      g.linkValue((gr) => s2.set(gr.value));
      g.linkException((gr) => s3.setException(gr.exception));
      const X = {};
      return [
        yield* s1.get(),
        yield* s2.get(),
        (yield* withTimeout(0.1, { timeoutValue: X }, function* () {
          return yield* s3.get();
        })) === X,
      ];
    });
    expect(r).toEqual([1, 1, true]);
  });

  // gevent test__event::TestAsyncResultAsLinkTarget.test_set_exception
  test('as a link target of a failing greenlet: get() raises its error', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const g = spawn(() => {
        throw new ExpectedError('TestAsyncResultAsLinkTarget.test_set_exception');
      });
      const s1 = new AsyncResult();
      g.link(s1);
      try {
        yield* s1.get();
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(r).toBe('TestAsyncResultAsLinkTarget.test_set_exception');
  });

  // gevent test__event::TestWait, TestWait_notimeout, TestWait_count1, TestWait_count2
  test.each([
    { count: null, timeout: 1 },
    { count: null, timeout: null },
    { count: 1, timeout: 1 },
    { count: 2, timeout: 1 },
  ])(
    'wait(events + results, %o) returns them in the order they became ready',
    async ({ count, timeout }) => {
      const r = await onVirtualHub(function* () {
        const N = 5;
        const period = 0.01;
        const events = Array.from({ length: N }, () => new Event());
        const asyncs = Array.from({ length: N }, () => new AsyncResult());
        const order: unknown[] = [];
        const ev = events.slice();
        const as = asyncs.slice();
        const sender = spawn(function* () {
          while (ev.length || as.length) {
            yield* sleep(period);
            if (ev.length) {
              const e = ev.pop()!;
              order.push(e);
              e.set();
            }
            yield* sleep(period);
            if (as.length) {
              const a = as.pop()!;
              order.push(a);
              a.set(1);
            }
          }
        });
        const results = yield* wait([...events, ...asyncs], { count, timeout });
        const senderReady = sender.ready();
        if (!senderReady) yield* sender.kill();
        return { results, order, senderReady };
      });
      const expected = count === null ? 10 : count;
      expect(r.results.length).toBe(expected);
      expect(r.results).toEqual(r.order.slice(0, expected));
      expect(r.senderReady).toBe(count === null);
    },
  );

  test('set() twice replaces the value; wait() never throws the stored error', async () => {
    const r = await onVirtualHub(function* () {
      const a = new AsyncResult<number>();
      a.set(1);
      a.set(2);
      const v = yield* a.wait();
      a.setException(new ExpectedError());
      const w = yield* a.wait();
      return { v, w, value: a.value };
    });
    expect(r).toEqual({ v: 2, w: undefined, value: undefined });
  });
});
