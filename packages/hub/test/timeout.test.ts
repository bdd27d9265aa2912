/**
 * Timeout and withTimeout: ports of test__timeout.py, test__api_timeout.py and the
 * with_timeout parts of test__api.py, on the virtual clock.
 */
import { describe, expect, test } from 'vitest';
import {
  BlockingSwitchOutError,
  getcurrent,
  isTimeout,
  sleep,
  spawn,
  Timeout,
  withTimeout,
} from '../src/index.js';
import { ExpectedError, vhub } from './helpers.js';

const DELAY = 0.01;
const SHOULD_EXPIRE = 0.01;
const SHOULD_NOT_EXPIRE = SHOULD_EXPIRE * 2;

/** Waits until something raises in this greenlet (gevent's `get_hub().switch()`). */
function* waitForever(): Generator<unknown, void, any> {
  yield* sleep(1e6);
  throw new Error('sleep(1e6) returned: the Timeout did not fire');
}

function* catching(body: () => Generator<unknown, unknown, any>) {
  try {
    yield* body();
  } catch (e) {
    return e;
  }
  return null;
}

describe('Timeout raised directly', () => {
  // test__timeout TestDirectRaise.test_direct_raise_class / _instance
  test('throw new Timeout(): caught as a Timeout, not pending', () => {
    const t = new Timeout();
    try {
      throw t;
    } catch (e) {
      expect(e).toBe(t);
      expect(e).toBeInstanceOf(Timeout);
      expect(isTimeout(e)).toBe(true);
      expect((e as Timeout).pending).toBe(false);
    }
  });
});

describe('Timeout expiry', () => {
  // test__timeout Test.test_expires (and restart after expiry)
  test('start() raises the Timeout itself after its seconds; it can be started again', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const t = new Timeout(SHOULD_EXPIRE);
      for (let i = 0; i < 2; i++) {
        const t0 = hub.loop.now();
        t.start();
        expect(t.pending).toBe(true);
        expect(yield* catching(waitForever)).toBe(t);
        expect(hub.loop.now() - t0).toBe(SHOULD_EXPIRE);
        expect(t.pending).toBe(false);
      }
      t.close();
    });
  });

  // test__timeout Test.test_expires_false
  test('outside a scope, a Timeout made with exception false still raises itself', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(SHOULD_EXPIRE, false);
      t.start();
      expect(yield* catching(waitForever)).toBe(t);
      t.start();
      expect(yield* catching(waitForever)).toBe(t);
      t.close();
    });
  });

  // test__timeout Test.test_expires_str, test_context_manager_str
  test('a string exception: the Timeout itself is raised and its message ends with it', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(SHOULD_EXPIRE, 'XXX');
      t.start();
      const e = yield* catching(waitForever);
      expect(e).toBe(t);
      expect(String(e)).toMatch(/XXX$/);
      t.cancel();
    });
  });

  // test__timeout Test.test_expires_non_exception (here refused at construction)
  test('an exception that is not an Error class or instance is a TypeError at construction', () => {
    class OldStyle {}
    expect(() => new Timeout(SHOULD_EXPIRE, {})).toThrow(/exceptions must be/);
    expect(() => new Timeout(SHOULD_EXPIRE, OldStyle)).toThrow(TypeError);
    expect(() => new Timeout(SHOULD_EXPIRE, new OldStyle())).toThrow(TypeError);
    expect(() => new Timeout(SHOULD_EXPIRE, 42)).toThrow(TypeError);
    expect(() => new Timeout(Number.NaN)).toThrow(TypeError);
    expect(() => new Timeout('1' as any)).toThrow(TypeError);
  });

  // test__api_timeout Test.test_api: custom exception instance and class
  test('a custom exception instance is raised as is; a class is instantiated', async () => {
    const { run } = vhub();
    await run(function* () {
      const err = new ExpectedError('Operation takes way too long');
      let t = Timeout.startNew(DELAY, err);
      expect(yield* catching(() => sleep(DELAY * 10) as any)).toBe(err);
      t.cancel();
      t = Timeout.startNew(DELAY, RangeError);
      const e = yield* catching(() => sleep(DELAY * 10) as any);
      expect(e).toBeInstanceOf(RangeError);
      t.cancel();
    });
  });

  // test__timeout Test.test_cancel
  test('cancel() stops a pending Timeout; cancelling twice (or unstarted) does nothing', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(SHOULD_EXPIRE);
      t.cancel();
      t.start();
      t.cancel();
      t.cancel();
      yield* sleep(SHOULD_NOT_EXPIRE);
      expect(t.pending).toBe(false);
      t.close();
      t.close();
    });
  });

  // gevent Timeout.start: starting a pending Timeout is an error
  test('start() on a pending Timeout throws; cancel() first restarts it', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = Timeout.startNew(1);
      expect(() => t.start()).toThrow(/already started; to restart it, cancel\(\) it first/);
      expect(t.pending).toBe(true);
      t.cancel();
      t.start();
      expect(t.pending).toBe(true);
      t.cancel();
      yield* sleep(2);
    });
  });

  // test__api_timeout Test.test_api: Timeout(None); gevent Timeout docstring: Timeout(0)
  test('seconds null (or Infinity) never fires; 0 fires as soon as control reaches the loop', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      for (const never of [null, undefined, Infinity]) {
        const t = Timeout.startNew(never);
        expect(t.pending).toBe(false);
        yield* sleep(DELAY);
        t.cancel();
      }
      const t0 = hub.loop.now();
      const t = Timeout.startNew(0);
      expect(yield* catching(waitForever)).toBe(t);
      expect(hub.loop.now()).toBe(t0);
      const neg = Timeout.startNew(-1);
      expect(yield* catching(waitForever)).toBe(neg);
    });
  });

  // test__api_timeout Test.test_api: nothing happens when the block ends first
  test('a block that ends before the Timeout: cancelled, nothing raised later', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(DELAY * 2);
      expect(t.pending).toBe(false);
      {
        using _t = t.start();
        expect(t.pending).toBe(true);
        yield* sleep(DELAY);
      }
      expect(t.pending).toBe(false);
      yield* sleep(DELAY * 2);
      // the same without `using`:
      const t2 = Timeout.startNew(DELAY * 2);
      try {
        yield* sleep(DELAY);
      } finally {
        t2.cancel();
      }
      yield* sleep(DELAY * 2);
    });
  });

  // test__api_timeout Test.test_api: `with Timeout(DELAY) as t: sleep(DELAY * 10)` raises t
  test('using t = Timeout.startNew(s): the block raises t after s', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      let t: Timeout | null = null;
      const e = yield* catching(function* () {
        using t1 = Timeout.startNew(DELAY);
        t = t1;
        yield* sleep(DELAY * 10);
      });
      expect(e).toBe(t);
      expect(hub.loop.now()).toBe(DELAY);
      expect(t!.pending).toBe(false);
    });
  });

  // test__api_timeout Test.test_api: an exception raised in the block wins over the Timeout
  test('an error raised in the block propagates and the Timeout is cancelled', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = Timeout.startNew(DELAY);
      const e = yield* catching(function* () {
        try {
          throw new ExpectedError('first');
        } finally {
          t.cancel();
        }
      });
      expect(e).toBeInstanceOf(ExpectedError);
      yield* sleep(DELAY * 10);
    });
  });

  // test__api_timeout Test.test_api: the timer can be cancelled inside the block
  test('cancel() inside the block disarms it', async () => {
    const { run } = vhub();
    await run(function* () {
      using timer = Timeout.startNew(DELAY);
      timer.cancel();
      yield* sleep(DELAY * 2);
    });
  });

  // test__timeout Test.test_context_manager_false; test__api_timeout test_api (silent)
  test('scope() of a Timeout made with false: the expiry is quiet; message ends "(silent)"', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const t = new Timeout(0.1, false);
      const after: string[] = [];
      const r = yield* t.scope(function* () {
        yield* sleep(0.2);
        after.push('never');
        return 'value';
      });
      expect(r).toBeUndefined();
      expect(after).toEqual([]);
      expect(hub.loop.now()).toBe(0.1);
      expect(String(t)).toMatch(/\(silent\)$/);
      // with time to spare, scope returns fn's result
      expect(yield* new Timeout(1, false).scope(() => 'quick')).toBe('quick');
    });
  });

  // test__timeout Test.test_context_manager (scope of a raising Timeout)
  test('scope() of an ordinary Timeout raises it at expiry and cancels it at the end', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(SHOULD_EXPIRE);
      const e = yield* catching(() => t.scope(waitForever) as any);
      expect(e).toBe(t);
      expect(t.pending).toBe(false);
      const t2 = new Timeout(1);
      yield* t2.scope(function* (self) {
        expect(self).toBe(t2);
        expect(t2.pending).toBe(true);
      });
      expect(t2.pending).toBe(false);
    });
  });

  // test__api_timeout Test.test_nested_timeout
  test('nested Timeouts: the shorter one fires; each raises only itself; quiet ones too', async () => {
    const { run } = vhub();
    await run(function* () {
      // with Timeout(DELAY, False): with Timeout(DELAY * 10, False): sleep(...)
      const after: string[] = [];
      yield* new Timeout(DELAY, false).scope(function* () {
        yield* new Timeout(DELAY * 10, false).scope(function* () {
          yield* sleep(DELAY * 3 * 20);
        });
        after.push('should not get there');
      });
      expect(after).toEqual([]);

      {
        using t1 = Timeout.startNew(DELAY);
        {
          using t2 = Timeout.startNew(DELAY * 20);
          const e = yield* catching(() => sleep(DELAY * 30) as any);
          expect(e).toBe(t1);
          expect(t1.pending).toBe(false);
          expect(t2.pending).toBe(true);
        }
      }
      {
        using t1 = Timeout.startNew(DELAY * 20);
        let t2ref: Timeout;
        {
          using t2 = Timeout.startNew(DELAY);
          t2ref = t2;
          const e = yield* catching(() => sleep(DELAY * 30) as any);
          expect(e).toBe(t2);
          expect(t1.pending).toBe(true);
          expect(t2.pending).toBe(false);
        }
        expect(t2ref.pending).toBe(false);
      }
    });
  });

  // test__api_timeout Test.test_timeout_calls_update_now, test_sleep_calls_update_now
  test('Timeout start() and sleep(s > 0) update the loop time exactly once; sleep(0) never', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const loop = hub.loop as any;
      const orig = loop.nowUpdate;
      let calls = 0;
      loop.nowUpdate = function (this: unknown) {
        calls++;
        return orig.call(this);
      };
      try {
        const t = Timeout.startNew(DELAY * 2);
        expect(calls).toBe(1);
        t.cancel();
        calls = 0;
        yield* sleep(0.01);
        expect(calls).toBe(1);
        calls = 0;
        yield* sleep(0);
        expect(calls).toBe(0);
      } finally {
        loop.nowUpdate = orig;
      }
    });
  });

  // gevent timeout.py: Timeout timers have priority -1
  test('a Timeout due at the same instant as a wake-up comes second (priority -1)', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = Timeout.startNew(1);
      yield* sleep(1); // both due now: the sleep's timer runs first and wakes us
      const e = yield* catching(() => sleep(0) as any); // then the Timeout raises at the next wait
      expect(e).toBe(t);
    });
  });

  // test__timeout Test.test_expires: the Timeout binds the greenlet that started it
  test('the Timeout raises in the greenlet that started it, not in others', async () => {
    const { run } = vhub();
    await run(function* () {
      const other = spawn(function* () {
        yield* sleep(DELAY * 5);
        return 'untouched';
      });
      const t = Timeout.startNew(DELAY);
      expect(yield* catching(waitForever)).toBe(t);
      expect(yield* other.get()).toBe('untouched');
    });
  });

  test('Timeout.start() outside a greenlet is a BlockingSwitchOutError', async () => {
    const t = new Timeout(1);
    expect(() => t.start()).toThrow(BlockingSwitchOutError);
    expect(t.pending).toBe(false);
    const { hub } = vhub();
    // from a callback run by the hub
    let err: unknown = null;
    hub.runCallback(() => {
      try {
        Timeout.startNew(1);
      } catch (e) {
        err = e;
      }
    });
    await hub.join();
    expect(err).toBeInstanceOf(BlockingSwitchOutError);
  });

  // gevent timeout.py: start_new accepts a Timeout
  test('Timeout.startNew(aTimeout) starts it if needed and returns it', async () => {
    const { run } = vhub();
    await run(function* () {
      const t = new Timeout(1);
      expect(Timeout.startNew(t)).toBe(t);
      expect(t.pending).toBe(true);
      expect(Timeout.startNew(t)).toBe(t); // pending: left as is
      t.cancel();
      yield* sleep(0);
    });
  });
});

describe('withTimeout', () => {
  // test__timeout Test.test_with_timeout
  test("raises Timeout on expiry; returns timeoutValue if given; else fn's result", async () => {
    const { run } = vhub();
    await run(function* () {
      expect(
        yield* catching(() => withTimeout(SHOULD_EXPIRE, sleep, SHOULD_NOT_EXPIRE) as any),
      ).toBeInstanceOf(Timeout);
      const X = {};
      expect(yield* withTimeout(SHOULD_EXPIRE, { timeoutValue: X }, sleep, SHOULD_NOT_EXPIRE)).toBe(
        X,
      );
      expect(
        yield* withTimeout(SHOULD_NOT_EXPIRE, { timeoutValue: X }, sleep, SHOULD_EXPIRE),
      ).toBeUndefined();
      const args: unknown[] = [];
      expect(
        yield* withTimeout(
          1,
          { timeoutValue: X },
          (a: number, b: string) => {
            args.push(a, b);
            return 'r';
          },
          1,
          'b',
        ),
      ).toBe('r');
      expect(args).toEqual([1, 'b']); // timeoutValue is not passed to fn
      expect(yield* withTimeout(1, async () => 'promised')).toBe('promised');
    });
  });

  // test__api Test.test_nested_with_timeout
  test('nested withTimeout with timeoutValue catches only its own Timeout', async () => {
    const { run } = vhub();
    await run(function* () {
      const e = yield* catching(function* () {
        return yield* withTimeout(DELAY, function* () {
          return yield* withTimeout(DELAY * 2, { timeoutValue: 'inner' }, sleep, 2);
        });
      });
      expect(e).toBeInstanceOf(Timeout);
      const outer = yield* withTimeout(DELAY, { timeoutValue: 'outer' }, function* () {
        return yield* withTimeout(DELAY * 2, { timeoutValue: 'inner' }, sleep, 2);
      });
      expect(outer).toBe('outer');
    });
  });

  test('bad arguments: a TypeError at the call', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => (withTimeout as any)(1)).toThrow(TypeError);
      expect(() => (withTimeout as any)(1, {}, 42)).toThrow(TypeError);
      expect(() => withTimeout(Number.NaN, () => 1)).toThrow(TypeError);
      yield* sleep(0);
    });
  });

  test('a kill passes through withTimeout', async () => {
    const { run } = vhub();
    await run(function* () {
      const seen: unknown[] = [];
      const g = spawn(function* () {
        try {
          yield* withTimeout(10, { timeoutValue: 'quiet' }, sleep, 5);
        } catch (e) {
          seen.push(e);
          throw e;
        }
      });
      yield* sleep(0);
      yield* g.kill();
      expect(seen).toHaveLength(1);
      expect(g.successful()).toBe(true);
      expect(getcurrent()).toBeDefined();
    });
  });
});
