import {
  Greenlet,
  GreenletExit,
  joinall,
  killall,
  sleep,
  spawn,
  spawnLater,
  Timeout,
  withTimeout,
} from '@g/hub';
import { describe, expect, test } from 'vitest';
import { Event, Group, Pool, PoolFull, Queue, StopIteration } from '../src/index.js';
import { ExpectedError, onVirtualHub } from './helpers.js';

function* sqr(x: number, wait = 0) {
  yield* sleep(wait);
  return x * x;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Group (gevent test__greenletset)', () => {
  const DELAY = 0.2;

  // test_basic
  test('spawned greenlets are tracked and leave the group when they die', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Group();
      yield* s.spawn(sleep, DELAY);
      const a = s.length;
      yield* s.spawn(sleep, DELAY * 5);
      const b = s.length;
      yield* sleep();
      yield* sleep(DELAY * 2 + 0.1);
      const c = s.length;
      yield* sleep(DELAY * 5 + 0.1);
      return [a, b, c, s.length];
    });
    expect(r).toEqual([1, 2, 1, 0]);
  });

  // test_waitall
  test('join({ raiseError: true }) waits about as long as the longest member', async () => {
    const r = await onVirtualHub(function* (hub) {
      const s = new Group();
      yield* s.spawn(sleep, DELAY);
      yield* s.spawn(sleep, DELAY * 2);
      const t0 = hub.loop.now();
      const ok = yield* s.join({ raiseError: true });
      return { ok, left: s.length, took: hub.loop.now() - t0 };
    });
    expect(r.ok).toBe(true);
    expect(r.left).toBe(0);
    expect(r.took).toBeCloseTo(DELAY * 2, 9);
  });

  test("join({ raiseError }) throws a member's error; join({ timeout }) on a busy group resolves false", async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const s = new Group();
      const err = new ExpectedError();
      yield* s.spawn(function* () {
        yield* sleep(0.1);
        throw err;
      });
      yield* s.spawn(sleep, 1);
      let thrown: unknown = null;
      try {
        yield* s.join({ raiseError: true }); // members present now are checked
      } catch (e) {
        thrown = e;
      }
      const at = hub.loop.now();
      yield* s.spawn(sleep, 1);
      const partial = yield* s.join({ timeout: 0.5 });
      return { partial, same: thrown === err, at };
    });
    expect(r).toEqual({ partial: false, same: true, at: 1 });
  });

  // test_kill_block
  test('kill() empties the group at once (killing sleeping members)', async () => {
    const r = await onVirtualHub(function* (hub) {
      const s = new Group();
      yield* s.spawn(sleep, DELAY);
      yield* s.spawn(sleep, DELAY * 2);
      yield* sleep(0);
      const t0 = hub.loop.now();
      yield* s.kill();
      return { left: s.length, took: hub.loop.now() - t0 };
    });
    expect(r).toEqual({ left: 0, took: 0 });
  });

  // test_kill_noblock
  test('kill({ block: false }) leaves the members until the hub runs', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Group();
      yield* s.spawn(sleep, DELAY);
      yield* s.spawn(sleep, DELAY * 2);
      yield* s.kill({ block: false });
      const right = s.length;
      yield* sleep(0.0001);
      return [right, s.length];
    });
    expect(r).toEqual([2, 0]);
  });

  // test_kill_fires_once
  test('killone/kill deliver the kill at most once per member; kill({ block }) waits on swallowers', async () => {
    class SpecialError extends Error {}
    const r = await onVirtualHub(function* () {
      const shots = [0, 0];
      const undead = (i: number) =>
        function* () {
          for (;;) {
            try {
              yield* sleep(1);
            } catch (e) {
              if (e instanceof SpecialError) break;
              shots[i]!++;
            }
          }
        };
      const p1 = spawn(undead(0));
      const p2 = spawn(undead(1));
      const checks: number[][] = [];
      const check = () => checks.push([shots[0]!, shots[1]!, Number(p1.dead), Number(p2.dead)]);
      yield* sleep(0.01);
      const s = new Group([p1, p2]);
      const size = s.length;
      check();
      yield* s.killone(p1, { block: false });
      check();
      yield* sleep(0);
      check();
      yield* s.killone(p1);
      check();
      yield* s.killone(p1);
      check();
      yield* s.kill({ block: false });
      yield* s.kill({ block: false });
      yield* s.kill({ block: false });
      check();
      yield* sleep(DELAY);
      check();
      const X = {};
      const result = yield* withTimeout(DELAY, { timeoutValue: X }, function* () {
        yield* s.kill({ block: true });
      });
      const still = s.length;
      check();
      yield* p1.kill({ exception: new SpecialError() });
      yield* p2.kill({ exception: new SpecialError() });
      return { size, checks, timedOut: result === X, still };
    });
    expect(r.size).toBe(2);
    expect(r.checks).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
    expect(r.timedOut).toBe(true);
    expect(r.still).toBe(2);
  });

  // test_killall_subclass
  test('new Group(greenlets) adopts them; kill() works on a failed and a sleeping one', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const p1 = spawn(() => 1 / (0 as number) && (undefined as any).x);
      const p2 = spawn(sleep, 10);
      const s = new Group([p1, p2]);
      yield* s.kill();
      return [p1.dead, p2.dead, s.length];
    });
    expect(r).toEqual([true, true, 0]);
  });

  // test_killall_iterable_argument_timeout_started (hub's killall through a group's members)
  test('kill({ timeout }) returns after the timeout when members swallow the kill and wait', async () => {
    const r = await onVirtualHub(function* (hub) {
      const f = function* () {
        try {
          yield* sleep(1.5);
        } catch {
          yield* sleep(0.8);
        }
      };
      const s = new Group();
      yield* s.spawn(f);
      yield* s.spawn(f);
      yield* sleep(0.001);
      const t0 = hub.loop.now();
      yield* s.kill({ timeout: 0.5 });
      const after = { took: hub.loop.now() - t0, alive: s.length };
      yield* s.join();
      return after;
    });
    expect(r.alive).toBe(2);
    expect(r.took).toBeCloseTo(0.5, 9);
  });

  test('discard stops tracking; has/iteration/greenlets show members; bad input is a TypeError', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Group();
      const g = yield* s.spawn(sleep, 1);
      const h = yield* s.spawn(sleep, 1);
      const seen = [s.has(g), [...s].length, s.greenlets.size];
      s.discard(g);
      s.discard(g);
      yield* s.kill();
      return { seen, g: g.dead, h: h.dead, has: s.has(g) };
    });
    expect(r).toEqual({ seen: [true, 2, 2], g: false, h: true, has: false });
    const s = new Group();
    expect(() => s.spawn(42 as any)).toThrow(TypeError);
    expect(() => s.add({} as any)).toThrow(TypeError);
  });

  test('[Symbol.dispose] kills the members without waiting (using)', async () => {
    const r = await onVirtualHub(function* () {
      let g: Greenlet<any> | null = null;
      {
        using group = new Group();
        g = yield* group.spawn(sleep, 10);
        yield* sleep(0);
      }
      yield* sleep(0);
      return g.dead;
    });
    expect(r).toBe(true);
  });
});

describe('Pool (gevent test__pool)', () => {
  // TestCoroutinePool.test_apply_async
  test('applyAsync runs the function', async () => {
    const r = await onVirtualHub(function* () {
      const done = new Event();
      const pool = new Pool(2);
      pool.applyAsync((_: string) => done.set(), ['x']);
      return yield* done.wait();
    });
    expect(r).toBe(true);
  });

  // TestCoroutinePool.test_apply, PoolBasicTests.test_apply
  test('apply returns the result', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(2);
      return [
        yield* pool.apply(() => 'return value'),
        yield* pool.apply((a: number) => ['foo', a], [1]),
      ];
    });
    expect(r).toEqual(['return value', ['foo', 1]]);
  });

  // TestCoroutinePool.test_apply_raises
  test("apply raises the function's error", async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const pool = new Pool(1);
      try {
        yield* pool.apply(() => {
          throw new ExpectedError();
        });
        return 'no error';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(r).toBe('ExpectedError');
  });

  // TestCoroutinePool.test_multiple_coros
  test('a consumer and a producer in the pool interleave', async () => {
    const r = await onVirtualHub(function* () {
      const evt = new Event();
      const results: string[] = [];
      const pool = new Pool(2);
      const done = yield* pool.spawn(function* () {
        results.push('cons1');
        yield* evt.wait();
        results.push('cons2');
      });
      pool.applyAsync(function* () {
        yield* sleep(0.001);
        results.push('prod');
        evt.set();
      });
      yield* done.get();
      return results;
    });
    expect(r).toEqual(['cons1', 'prod', 'cons2']);
  });

  // TestCoroutinePool.test_reentrant
  test('apply from a member runs inline: no deadlock in a Pool(1)', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(1);
      const result = yield* pool.apply(function* () {
        return yield* pool.apply((a: number) => a + 1, [5]);
      });
      const evt = new Event();
      pool.applyAsync(() => evt.set());
      yield* evt.wait();
      return result;
    });
    expect(r).toBe(6);
  });

  // TestCoroutinePool.test_stderr_raising
  test('an error that also breaks the error report does not leak a slot', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = {
        write() {
          throw new Error('Whaaa');
        },
      };
      const pool = new Pool(1);
      const waiter = yield* pool.spawn(() => {
        throw new Error('Whoa');
      });
      let msg = '';
      try {
        yield* waiter.get({ timeout: 2 });
      } catch (e) {
        msg = (e as Error).message;
      }
      yield* sleep(0);
      const free = pool.freeCount();
      const t = Timeout.startNew(0.1);
      try {
        yield* pool.apply(sleep, [0]);
      } finally {
        t.cancel();
      }
      return { msg, free };
    });
    expect(r).toEqual({ msg: 'Whoa', free: 1 });
  });

  // PoolBasicTests.test_execute_async
  test('freeCount drops on spawn and recovers; applyAsync never waits, even when full', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(2);
      const log: number[] = [];
      const seen: unknown[] = [p.freeCount()];
      const first = yield* p.spawn((x: number) => log.push(x), 1);
      seen.push(p.freeCount());
      yield* first.get();
      seen.push(log.slice());
      yield* sleep(0);
      seen.push(p.freeCount());
      p.applyAsync((x: number) => log.push(x), [2]);
      seen.push(p.freeCount(), log.slice());
      p.applyAsync((x: number) => log.push(x), [3]);
      seen.push(p.freeCount(), log.slice());
      p.applyAsync((x: number) => log.push(x), [4]);
      seen.push(log.slice());
      yield* sleep(0.01);
      seen.push(log.slice().sort());
      return seen;
    });
    expect(r).toEqual([2, 1, [1], 2, 1, [1], 0, [1], [1], [1, 2, 3, 4]]);
  });

  // PoolBasicTests.test_discard
  test('discard frees the slot at once', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(1);
      const first = yield* p.spawn(sleep, 1000);
      p.discard(first);
      yield* first.kill();
      return [first.dead, p.length, p.freeCount()];
    });
    expect(r).toEqual([true, 0, 1]);
  });

  // PoolBasicTests.test_add_method, _non_blocking, _timeout, test_start_method_timeout
  test('add blocks when full (Timeout); blocking: false and timeout raise PoolFull; start too', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(1);
      const first = spawn(sleep, 1000);
      const second = spawn(sleep, 1000);
      const out: unknown[] = [p.freeCount(), p.length];
      yield* p.add(first);
      out.push(p.freeCount(), p.length);
      const t = Timeout.startNew(0.1);
      try {
        yield* p.add(second);
      } catch (e) {
        out.push(e === t);
      } finally {
        t.cancel();
      }
      out.push(p.freeCount(), p.length);
      for (const op of [
        () => p.add(second, { blocking: false }),
        () => p.add(second, { timeout: 0.1 }),
        () => p.start(new Greenlet(sleep, 1000), { timeout: 0.1 }),
      ]) {
        try {
          yield* op();
        } catch (e) {
          out.push(e instanceof PoolFull);
        }
      }
      yield* killall([first, second]);
      return out;
    });
    expect(r).toEqual([1, 0, 0, 1, true, 0, 1, true, true, true]);
  });

  // PoolBasicTests.test_init_error, TestPool0.test_wait_full, TestPoolUnlimit
  test('Pool(-1) is a RangeError; Pool(0) is always full; Pool() is unlimited', async () => {
    expect(() => new Pool(-1)).toThrow(RangeError);
    expect(() => new Pool(1.5)).toThrow(RangeError);
    const r = await onVirtualHub(function* (hub) {
      const p = new Pool(0);
      const out: unknown[] = [
        p.freeCount(),
        p.full(),
        yield* p.waitAvailable(0.01),
        hub.loop.now(),
      ];
      const u = new Pool();
      out.push(u.size, u.full(), u.freeCount());
      return out;
    });
    expect(r).toEqual([0, true, 0, 0.01, null, false, Infinity]);
  });

  // TestJoinEmpty, TestSpawn.test, TestSpawn.testSpawnAndWait, TestJoinSleep(_raise_error)
  test('spawn blocks while full; join on an empty pool is true; join({ timeout }) on a busy one false', async () => {
    const r = await onVirtualHub(function* (hub) {
      const p = new Pool(1);
      const out: unknown[] = [yield* p.join(), p.length];
      yield* p.spawn(sleep, 0.1);
      out.push(p.length);
      yield* p.spawn(sleep, 0.1); // waits for the first
      out.push(p.length, hub.loop.now());
      yield* sleep(0.19);
      out.push(p.length);
      yield* p.spawn(sleep, 0.1);
      out.push(
        yield* p.join({ timeout: 0.01 }),
        yield* p.join({ timeout: 0.01, raiseError: true }),
      );
      out.push(yield* p.join(), p.length);
      return out;
    });
    expect(r).toEqual([true, 0, 1, 1, 0.1, 0, false, false, true, 0]);
  });

  test('size can change: a larger size lets waiting spawners in (FIFO), a smaller one makes spawn wait', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(1);
      const log: string[] = [];
      yield* p.spawn(sleep, 10);
      const spawners = ['a', 'b', 'c'].map((name) =>
        spawn(function* () {
          yield* p.spawn(sleep, 10);
          log.push(name);
        }),
      );
      yield* sleep(0);
      p.size = 3;
      yield* sleep(0);
      const afterGrow = log.slice();
      p.size = 1;
      yield* p.kill();
      yield* joinall(spawners);
      return { afterGrow, log, size: p.size, members: p.length };
    });
    expect(r.afterGrow).toEqual(['a', 'b']);
    expect(r.log).toEqual(['a', 'b', 'c']);
  });

  test('waitAvailable resolves when a member leaves', async () => {
    const r = await onVirtualHub(function* (hub) {
      const p = new Pool(1);
      yield* p.spawn(sleep, 2);
      const free = yield* p.waitAvailable();
      return [free, hub.loop.now()];
    });
    expect(r).toEqual([1, 2]);
  });
});

describe.each([1, 2, 3, 10, null])('Pool(%s) mapping (gevent test__pool::TestPool*)', (size) => {
  // test_apply
  test('apply', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(size);
      return yield* pool.apply(sqr, [5]);
    });
    expect(r).toBe(25);
  });

  // test_map, test_empty_map
  test('map returns the results in order; [] for no items', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(size);
      return [
        yield* pool.map(sqr, range(10)),
        yield* pool.map(sqr, range(100)),
        yield* pool.map(sqr, []),
      ];
    });
    expect(r[0]).toEqual(range(10).map((x) => x * x));
    expect(r[1]).toEqual(range(100).map((x) => x * x));
    expect(r[2]).toEqual([]);
  });

  // test_async, test_async_callback, test_async_timeout
  test('applyAsync: get waits for the result; the callback gets it; get({ timeout }) raises Timeout', async () => {
    const r = await onVirtualHub(function* (hub) {
      const pool = new Pool(size);
      const result: number[] = [];
      const res = pool.applyAsync(sqr, [7, 0.082], (v) => result.push(v));
      const t0 = hub.loop.now();
      const v = yield* res.get();
      const took = hub.loop.now() - t0;
      yield* sleep(0);
      const res2 = pool.applyAsync(sqr, [6, 0.235]);
      let timedOut = false;
      try {
        yield* res2.get({ timeout: 0.035 });
      } catch (e) {
        timedOut = e instanceof Timeout;
      }
      yield* pool.join();
      return { v, took, result, timedOut };
    });
    expect(r.v).toBe(49);
    expect(r.took).toBeCloseTo(0.082, 9);
    expect(r.result).toEqual([49]);
    expect(r.timedOut).toBe(true);
  });

  // test_imap_list_small, test_imap_it_small, test_imap_it_large, test_imap_random
  test('imap keeps the order of the items', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(size);
      const out: number[] = [];
      const it = pool.imap(function* (x: number) {
        yield* sleep(((x * 7919) % 13) / 100);
        return x * x;
      }, range(200));
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
      return { out, again: (yield* it.next()).done };
    });
    expect(r.out).toEqual(range(200).map((x) => x * x));
    expect(r.again).toBe(true);
  });

  // test_imap_unordered, test_imap_unordered_random, test_empty_imap(_unordered)
  test('imapUnordered yields every result once; empty inputs give nothing', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(size);
      const collect = function* (it: ReturnType<Pool['imapUnordered']>) {
        const out: unknown[] = [];
        for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
        return out;
      };
      const all = (yield* collect(pool.imapUnordered(sqr, range(1000)))) as number[];
      return {
        all: all.sort((a, b) => a - b),
        e1: yield* collect(pool.imapUnordered(sqr, [])),
        e2: yield* collect(pool.imap(sqr, [])),
      };
    });
    expect(r.all).toEqual(range(1000).map((x) => x * x));
    expect(r.e1).toEqual([]);
    expect(r.e2).toEqual([]);
  });

  // test_terminate
  test('kill() returns quickly with many sleeping members', async () => {
    const r = await onVirtualHub(function* (hub) {
      const pool = new Pool(size);
      const result = pool.mapAsync(sleep, Array((size ?? 10) * 2).fill(0.1));
      yield* sleep(0.1);
      const t0 = hub.loop.now();
      yield* pool.kill();
      const took = hub.loop.now() - t0;
      yield* result.join();
      return took;
    });
    expect(r).toBeLessThan(0.5);
  });

  // test_imap_unordered_sleep
  test('imapUnordered yields in completion order', async () => {
    const r = await onVirtualHub(function* () {
      const pool = new Pool(size);
      const out: string[] = [];
      const it = pool.imapUnordered(
        function* (x: number) {
          yield* sleep(x / 10);
          return String(x);
        },
        [10, 1, 2],
      );
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
      return out;
    });
    expect(r).toEqual(size === 1 ? ['10', '1', '2'] : ['1', '2', '10']);
  });

  // test_imap_no_stop, test_imap_unordered_no_stop (issue 423)
  test.each(['imap', 'imapUnordered'] as const)(
    '%s over a queue that blocks, ended by StopIteration',
    async (method) => {
      const r = await onVirtualHub(function* () {
        const pool = new Pool(size);
        const q = new Queue<number | typeof StopIteration>();
        yield* q.put(123);
        spawnLater(0.1, () => q.putNowait(StopIteration));
        const it = pool[method]((x: number) => x, q.iter());
        const out: number[] = [];
        for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
        return out;
      });
      expect(r).toEqual([123]);
    },
  );

  // test_imap_final_sleep, test_imap_unordered_final_sleep (issue 311)
  test.each(['imap', 'imapUnordered'] as const)(
    '%s over a source that waits at its end',
    async (method) => {
      const r = await onVirtualHub(function* () {
        const pool = new Pool(size);
        const q = new Queue<number | typeof StopIteration>(null, [0, 1, 2]);
        spawnLater(0.2, () => q.putNowait(StopIteration));
        const it = pool[method](sqr, q.iter());
        const out: number[] = [];
        for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
        return out.sort((a, b) => a - b);
      });
      expect(r).toEqual([0, 1, 4]);
    },
  );

  // test_imap_unordered_bounded_queue (issue 638)
  test.each(['imapUnordered', 'imap'] as const)(
    '%s with maxsize 1: the calls run ahead of the reader by at most 2',
    async (method) => {
      const r = await onVirtualHub(function* () {
        const pool = new Pool(size);
        const iterable = range(100);
        let running = 0;
        let worst = 0;
        const mapping = pool[method](
          (i: number) => {
            running++;
            return i;
          },
          iterable,
          { maxsize: 1 },
        );
        const result: number[] = [];
        for (let i = 0; ; i++) {
          const x = yield* mapping.next();
          if (x.done) break;
          worst = Math.max(worst, running - (i + 2));
          result.push(x.value);
          yield* sleep(0.01);
        }
        return { sorted: result.sort((a, b) => a - b), worst };
      });
      expect(r.sorted).toEqual(range(100));
      expect(r.worst).toBeLessThanOrEqual(0);
    },
  );
});

describe('mapping errors (gevent test__pool::TestErrorInIterator, TestErrorInHandler)', () => {
  function* errorIter() {
    yield 1;
    yield 2;
    throw new ExpectedError('from the iterator');
  }
  const divideBy = (x: number) => {
    if (x === 0) throw new RangeError('division by zero');
    return 1 / x;
  };

  // TestErrorInIterator.test
  test('an error in the items propagates out of map', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(3);
      try {
        yield* p.map(() => null, errorIter());
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(r).toBe('from the iterator');
  });

  // TestErrorInIterator.test_unordered
  test('an error in the items is raised by imapUnordered after the results before it', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(3);
      const it = p.imapUnordered((x: number) => x, errorIter());
      const out: unknown[] = [];
      try {
        for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
      } catch (e) {
        out.push((e as Error).message);
      }
      out.push((yield* it.next()).done);
      return out;
    });
    expect(r).toEqual([1, 2, 'from the iterator', true]);
  });

  // TestErrorInHandler.test_map
  test('an error in the function fails map', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const p = new Pool(3);
      try {
        yield* p.map(divideBy, [1, 0, 2]);
        return 'no error';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(r).toBe('RangeError');
  });

  // TestErrorInHandler.test_imap, test_imap_unordered
  test.each(['imap', 'imapUnordered'] as const)(
    '%s: the error is raised at its place and iteration goes on',
    async (method) => {
      const r = await onVirtualHub(function* (hub) {
        hub.exceptionStream = null;
        const p = new Pool(1);
        const it = p[method](divideBy, [1, 0, 2]);
        const out: unknown[] = [(yield* it.next()).value];
        try {
          yield* it.next();
        } catch (e) {
          out.push((e as Error).name);
        }
        out.push((yield* it.next()).value, (yield* it.next()).done);
        return out;
      });
      expect(r).toEqual([1, 'RangeError', 0.5, true]);
    },
  );

  test("map's first error kills the calls still running", async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const p = new Pool(4);
      const slow = spawn(function* () {
        try {
          yield* p.map(
            function* (x: number) {
              yield* sleep(x);
              if (x === 1) throw new ExpectedError();
              return x;
            },
            [1, 5, 6, 7],
          );
        } catch (e) {
          return (e as Error).name;
        }
      });
      const name = yield* slow.get();
      yield* sleep(0);
      return { name, members: p.length, at: hub.loop.now() };
    });
    expect(r).toEqual({ name: 'ExpectedError', members: 0, at: 1 });
  });
});

describe('imap over an endless source (DECISIONS: results stream, in flight stays bounded)', () => {
  test.each(['imap', 'imapUnordered'] as const)(
    '%s streams results and keeps at most 2 * size calls in flight',
    async (method) => {
      const r = await onVirtualHub(function* () {
        const pool = new Pool(4);
        let started = 0;
        let maxAhead = 0;
        let consumed = 0;
        function* naturals() {
          for (let i = 0; ; i++) yield i;
        }
        const it = pool[method](function* (x: number) {
          started++;
          maxAhead = Math.max(maxAhead, started - consumed);
          yield* sleep((x % 3) * 0.01);
          return x;
        }, naturals());
        const got: number[] = [];
        for (let i = 0; i < 500; i++) {
          const x = yield* it.next();
          got.push(x.value as number);
          consumed++;
          if (i % 50 === 0) yield* sleep(0.1); // a slow reader now and then
        }
        it.close();
        const joined = yield* pool.join({ timeout: 1 }); // the killed calls die
        return { got, maxAhead, members: pool.length, joined };
      });
      if (method === 'imap') expect(r.got).toEqual(range(500));
      else expect([...r.got].sort((a, b) => a - b).slice(0, 400)).toEqual(range(400));
      expect(r.maxAhead).toBeLessThanOrEqual(8 + 1);
      expect(r.members).toBe(0);
    },
  );
});

describe('Group#scope (structured concurrency)', () => {
  test('children still running when the body returns are killed and joined', async () => {
    const r = await onVirtualHub(function* (hub) {
      const log: string[] = [];
      const group = new Group();
      const v = yield* group.scope(function* (g) {
        yield* g.spawn(function* () {
          try {
            yield* sleep(100);
          } finally {
            yield* sleep(0.5); // cleanup that waits runs to its end before scope returns
            log.push('child cleaned up');
          }
        });
        yield* sleep(0.5);
        return 'body result';
      });
      log.push('scope returned');
      return { v, log, at: hub.loop.now(), left: group.length };
    });
    expect(r).toEqual({
      v: 'body result',
      log: ['child cleaned up', 'scope returned'],
      at: 1,
      left: 0,
    });
  });

  test('an error in the body kills and joins the children, then propagates', async () => {
    const r = await onVirtualHub(function* () {
      let child: Greenlet<any> | null = null;
      try {
        yield* new Group().scope(function* (g) {
          child = yield* g.spawn(sleep, 100);
          yield* sleep(0);
          throw new ExpectedError('body');
        });
        return null;
      } catch (e) {
        return {
          msg: (e as Error).message,
          childDead: child!.dead,
          childValue: child!.value instanceof GreenletExit,
        };
      }
    });
    expect(r).toEqual({ msg: 'body', childDead: true, childValue: true });
  });

  test('without cancelOnError a failing child is reported and the scope goes on', async () => {
    const r = await onVirtualHub(function* (hub) {
      const reported: unknown[] = [];
      hub.handleError = (_c, e) => {
        reported.push(e);
      };
      const v = yield* new Group().scope(function* (g) {
        yield* g.spawn(function* () {
          yield* sleep(0.1);
          throw new ExpectedError('child');
        });
        yield* sleep(1);
        return 'done';
      });
      return { v, reported: reported.length, at: hub.loop.now() };
    });
    expect(r).toEqual({ v: 'done', reported: 1, at: 1 });
  });

  test('cancelOnError: the first failing child kills its siblings and fails the scope at once', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const log: string[] = [];
      let sibling: Greenlet<any> | null = null;
      try {
        yield* new Group().scope({ cancelOnError: true }, function* (g) {
          sibling = yield* g.spawn(function* () {
            try {
              yield* sleep(100);
            } finally {
              log.push('sibling killed');
            }
          });
          yield* g.spawn(function* () {
            yield* sleep(0.2);
            throw new ExpectedError('child failed');
          });
          try {
            yield* sleep(50); // interrupted by the child's error
          } catch (e) {
            log.push(`body saw ${(e as Error).message}`);
            throw e;
          }
        });
        return null;
      } catch (e) {
        return { msg: (e as Error).message, log, at: hub.loop.now(), dead: sibling!.dead };
      }
    });
    expect(r).toEqual({
      msg: 'child failed',
      log: ['sibling killed', 'body saw child failed'],
      at: 0.2,
      dead: true,
    });
  });

  test('cancelOnError: a failure after the body returned still fails the scope, and does not leak', async () => {
    const r = await onVirtualHub(function* (hub) {
      hub.exceptionStream = null;
      const group = new Group();
      let msg = '';
      try {
        yield* group.scope({ cancelOnError: true }, function* (g) {
          yield* g.spawn(() => {
            throw new ExpectedError('late');
          });
          yield* sleep(0); // the child fails now; the body returns before its death is announced
          return 1;
        });
      } catch (e) {
        msg = (e as Error).message;
      }
      // The error was not left pending for a later wait of this greenlet.
      yield* sleep(1);
      return { msg, at: hub.loop.now() };
    });
    expect(r).toEqual({ msg: 'late', at: 1 });
  });

  test('a scope whose greenlet is killed kills and joins its children', async () => {
    const r = await onVirtualHub(function* () {
      const log: string[] = [];
      const group = new Group();
      const owner = spawn(function* () {
        yield* group.scope(function* (g) {
          yield* g.spawn(function* () {
            try {
              yield* sleep(100);
            } finally {
              log.push('child finally');
            }
          });
          yield* sleep(100);
        });
      });
      yield* sleep(1);
      yield* owner.kill();
      return { log, owner: owner.dead, members: group.length };
    });
    expect(r).toEqual({ log: ['child finally'], owner: true, members: 0 });
  });

  test('scope(fn) requires a function', () => {
    expect(() => new Group().scope(5 as any)).toThrow(TypeError);
    expect(() => new Group().scope({}, 5 as any)).toThrow(TypeError);
  });
});
