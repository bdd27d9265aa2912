import { joinall, LoopExit, sleep, spawn, spawnLater, Timeout } from '@g/hub';
import { describe, expect, test } from 'vitest';
import {
  AsyncResult,
  Channel,
  Empty,
  Full,
  JoinableQueue,
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
  StopIteration,
} from '../src/index.js';
import { ExpectedError, onVirtualHub } from './helpers.js';

type AnyQueue = Queue<any> | Channel<any>;

const kinds: Array<{
  name: string;
  make: (maxsize?: number) => AnyQueue;
  buffered: boolean;
}> = [
  { name: 'Queue', make: (m) => new Queue(m), buffered: true },
  { name: 'JoinableQueue', make: (m) => new JoinableQueue(m), buffered: true },
  { name: 'LifoQueue', make: (m) => new LifoQueue(m), buffered: true },
  { name: 'PriorityQueue', make: (m) => new PriorityQueue(m), buffered: true },
  { name: 'SimpleQueue', make: () => new SimpleQueue(), buffered: true },
  { name: 'Channel', make: () => new Channel(), buffered: false },
];

// gevent test__queue::UsesOnlyOneItemMixin, for Queue, JoinableQueue, LifoQueue,
// PriorityQueue, SimpleQueue and Channel (SUPPORTS_PUTTING_WITHOUT_GETTING = buffered)
describe.each(kinds)('$name: one item at a time', ({ make, buffered, name }) => {
  // test_put_nowait_simple
  test('putNowait from hub callbacks: the second raises Full', async () => {
    const r = await onVirtualHub(function* (hub) {
      const result: unknown[] = [];
      const q = make(1);
      const store = (item: number) => {
        try {
          q.putNowait(item);
          result.push(null);
        } catch (e) {
          result.push(e);
        }
      };
      hub.runCallback(store, 2);
      hub.runCallback(store, 3);
      yield* sleep(0);
      return result;
    });
    expect(r.length).toBe(2);
    if (buffered && name !== 'SimpleQueue') expect(r[0]).toBeNull();
    else if (!buffered) expect(r[0]).toBeInstanceOf(Full);
    if (name !== 'SimpleQueue') expect(r[1]).toBeInstanceOf(Full);
  });

  // test_put_nowait_unlock
  test('putNowait from the hub hands the item to a waiting getter', async () => {
    const r = await onVirtualHub(function* (hub) {
      const result: unknown[] = [];
      const q = make();
      const p = spawn(function* () {
        return yield* q.get();
      });
      const before = [q.empty(), q.full()];
      yield* sleep(0.001);
      hub.runCallback(() => {
        q.putNowait(10);
        result.push(null);
      });
      const readyBefore = p.ready();
      yield* sleep(0.001);
      return {
        before,
        readyBefore,
        result,
        ready: p.ready(),
        value: p.value,
        after: [q.empty(), q.full()],
      };
    });
    expect(r.before).toEqual([true, !buffered]);
    expect(r).toMatchObject({ readyBefore: false, result: [null], ready: true, value: 10 });
    expect(r.after).toEqual([true, !buffered]);
  });

  // test_send_last
  test('a getter waiting first receives a later put', async () => {
    const r = await onVirtualHub(function* () {
      const q = make();
      const p = spawn(function* () {
        const t = Timeout.startNew(0.1);
        try {
          return (yield* q.get()) === 'hi2' ? 'OK' : 'wrong';
        } finally {
          t.cancel();
        }
      });
      yield* sleep(0.01);
      yield* q.put('hi2');
      yield* sleep(0.01);
      return yield* p.get({ timeout: 0 });
    });
    expect(r).toBe('OK');
  });

  // TestGetInterrupt*.test_raises_timeout_number
  test('get({ timeout }) raises Empty after the timeout and leaves no getter', async () => {
    const r = await onVirtualHub(function* (hub) {
      const q = make();
      try {
        yield* q.get({ timeout: 0.01 });
        return 'got';
      } catch (e) {
        return { empty: e instanceof Empty, at: hub.loop.now(), getters: q.getters };
      }
    });
    expect(r).toEqual({ empty: true, at: 0.01, getters: 0 });
  });

  // TestGetInterrupt*.test_raises_timeout_Timeout, _exc_customized
  test('get({ timeout: Timeout }) raises that Timeout (or its exception)', async () => {
    const r = await onVirtualHub(function* () {
      const q = make();
      const t = new Timeout(0.2);
      const out: boolean[] = [];
      try {
        yield* q.get({ timeout: t });
      } catch (e) {
        out.push(e === t);
      } finally {
        t.cancel();
      }
      const error = new ExpectedError();
      const t2 = new Timeout(0.2, error);
      try {
        yield* q.get({ timeout: t2 });
      } catch (e) {
        out.push(e === error);
      } finally {
        t2.cancel();
      }
      return out;
    });
    expect(r).toEqual([true, true]);
  });

  // TestGetInterrupt*.test_outer_timeout_is_not_lost
  test('an outer shorter Timeout during get({ timeout: 1 }) is the error seen', async () => {
    const r = await onVirtualHub(function* () {
      const q = make();
      const outer = Timeout.startNew(0.001);
      try {
        yield* q.get({ timeout: 1 });
        return false;
      } catch (e) {
        return e === outer && q.getters === 0;
      } finally {
        outer.cancel();
      }
    });
    expect(r).toBe(true);
  });

  // TestPutInterrupt* (not SimpleQueue: it is never full)
  const bounded = name !== 'SimpleQueue'; // a SimpleQueue is never full
  if (bounded)
    test('put({ timeout }) on a full queue raises Full after the timeout', async () => {
      const r = await onVirtualHub(function* (hub) {
        const q = make(1);
        while (!q.full()) yield* q.put(1);
        try {
          yield* q.put(2, { timeout: 0.01 });
          return 'put';
        } catch (e) {
          return { full: e instanceof Full, at: hub.loop.now(), putters: q.putters };
        }
      });
      expect(r).toEqual({ full: true, at: 0.01, putters: 0 });
    });

  test('bad timeouts are clear errors made before anything happens', () => {
    const q = make();
    expect(() => q.get({ timeout: -1 })).toThrow(RangeError);
    expect(() => q.put(1, { timeout: -1 })).toThrow(RangeError);
    expect(() => q.get({ timeout: Number.NaN })).toThrow(TypeError);
  });

  test('iter() gets items until StopIteration; close() ends a waiting next()', async () => {
    const r = await onVirtualHub(function* () {
      const q = make();
      spawn(function* () {
        // One item at a time (a PriorityQueue cannot order StopIteration against numbers).
        for (const x of [1, 2, StopIteration]) {
          yield* q.put(x);
          yield* sleep(0);
        }
      });
      const got: unknown[] = [];
      const it = q.iter();
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) got.push(x.value);
      const it2 = q.iter();
      spawnLater(1, () => it2.close());
      const after = yield* it2.next();
      return { got, after: after.done, getters: q.getters };
    });
    expect(r).toEqual({ got: [1, 2], after: true, getters: 0 });
  });
});

describe('Queue (gevent test__queue::TestQueue)', () => {
  // test_get_nowait_simple
  test('getNowait from hub callbacks: the first gets the item, the second raises Empty', async () => {
    const r = await onVirtualHub(function* (hub) {
      const result: unknown[] = [];
      const q = new Queue<number>(1);
      yield* q.put(4);
      const store = () => {
        try {
          result.push(q.getNowait());
        } catch (e) {
          result.push(e);
        }
      };
      hub.runCallback(store);
      hub.runCallback(store);
      yield* sleep(0);
      return result;
    });
    expect(r[0]).toBe(4);
    expect(r[1]).toBeInstanceOf(Empty);
  });

  // test_get_nowait_unlock
  test('getNowait from the hub lets a waiting putter in', async () => {
    const r = await onVirtualHub(function* (hub) {
      const q = new Queue<number>(1);
      const p = spawn(function* () {
        yield* q.put(5);
      });
      const e0 = q.empty();
      yield* sleep(0);
      const f0 = q.full();
      const result: number[] = [];
      hub.runCallback(() => result.push(q.getNowait()));
      yield* sleep(0);
      return { e0, f0, e1: q.empty(), result, dead: p.dead };
    });
    expect(r).toEqual({ e0: true, f0: true, e1: true, result: [5], dead: true });
  });

  // test_send_first
  test('put then peek then get, without a switch', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      yield* q.put('hi');
      return [yield* q.peek(), yield* q.get(), q.empty()];
    });
    expect(r).toEqual(['hi', 'hi', true]);
  });

  // test_peek_empty
  test('peek on an empty queue with nothing else alive: LoopExit; peek({ timeout }): Empty', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue();
      const g = spawn(function* () {
        try {
          yield* q.peek({ timeout: 0.01 });
          return 'peeked';
        } catch (e) {
          return e instanceof Empty ? 'Empty' : String(e);
        }
      });
      const fromTimeout = yield* g.get();
      try {
        yield* q.peek();
        return { fromTimeout, main: 'returned' };
      } catch (e) {
        return { fromTimeout, main: e instanceof LoopExit ? 'LoopExit' : String(e) };
      }
    });
    expect(r).toEqual({ fromTimeout: 'Empty', main: 'LoopExit' });
  });

  // test_peek_multi_greenlet
  test('a peeking greenlet wakes on put and leaves the item in the queue', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<number>();
      const g = spawn(function* () {
        return yield* q.peek();
      });
      yield* sleep(0);
      yield* q.put(1);
      yield* g.join();
      return [g.exception, g.value, yield* q.peek(), q.qsize()];
    });
    expect(r).toEqual([null, 1, 1, 1]);
  });

  // test_max_size
  test('Queue(2): the putter puts a and b, then waits on c until a get', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>(2);
      const results: string[] = [];
      const p = spawn(function* () {
        for (const x of ['a', 'b', 'c']) {
          yield* q.put(x);
          results.push(x);
        }
        return 'OK';
      });
      yield* sleep(0);
      const first = results.slice();
      const a = yield* q.get();
      yield* sleep(0);
      return {
        first,
        a,
        then: results.slice(),
        b: yield* q.get(),
        c: yield* q.get(),
        p: yield* p.get({ timeout: 0 }),
      };
    });
    expect(r).toEqual({
      first: ['a', 'b'],
      a: 'a',
      then: ['a', 'b', 'c'],
      b: 'b',
      c: 'c',
      p: 'OK',
    });
  });

  // test_multiple_waiters
  test('multiple getters each get their own item, in the order they waited', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      const sendings = ['1', '2', '3', '4'];
      const evts = sendings.map(() => new AsyncResult<string>());
      for (const e of evts) {
        spawn(function* () {
          e.set(yield* q.get());
        });
      }
      yield* sleep(0.01);
      const counts: number[] = [];
      const collect = () => evts.filter((e) => e.ready()).length;
      yield* q.put(sendings[0]!);
      yield* sleep(0);
      counts.push(collect());
      yield* q.put(sendings[1]!);
      yield* sleep(0);
      counts.push(collect());
      yield* q.put(sendings[2]!);
      yield* q.put(sendings[3]!);
      yield* sleep(0);
      counts.push(collect());
      return { counts, values: evts.map((e) => e.value) };
    });
    expect(r).toEqual({ counts: [1, 2, 4], values: ['1', '2', '3', '4'] });
  });

  // test_waiters_that_cancel
  test('a getter cancelled by a Timeout leaves; the next put stays in the queue', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      const evt = new AsyncResult<string>();
      spawn(function* () {
        const t = Timeout.startNew(0, new ExpectedError());
        try {
          evt.set(yield* q.get());
        } catch {
          evt.set('timed out');
        } finally {
          t.cancel();
        }
      });
      const first = yield* evt.get();
      yield* q.put('hi');
      return [first, yield* q.get()];
    });
    expect(r).toEqual(['timed out', 'hi']);
  });

  // test_senders_that_die
  test('an item put by a greenlet that then ends is still got', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      spawn(function* () {
        yield* q.put('sent');
      });
      return yield* q.get();
    });
    expect(r).toBe('sent');
  });

  // test_two_waiters_one_dies
  test('two getters, one cancelled: the put goes to the live one', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      const dying = new AsyncResult<string>();
      const waiting = new AsyncResult<string>();
      spawn(function* () {
        const t = Timeout.startNew(0, new ExpectedError());
        try {
          dying.set(yield* q.get());
        } catch {
          dying.set('timed out');
        } finally {
          t.cancel();
        }
      });
      spawn(function* () {
        waiting.set(yield* q.get());
      });
      yield* sleep(0.1);
      yield* q.put('hi');
      return [yield* dying.get(), yield* waiting.get()];
    });
    expect(r).toEqual(['timed out', 'hi']);
  });

  // test_two_bogus_waiters
  test('two cancelled getters: the put stays in the queue', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      const e1 = new AsyncResult<string>();
      const e2 = new AsyncResult<string>();
      for (const e of [e1, e2]) {
        spawn(function* () {
          const t = Timeout.startNew(0, new ExpectedError());
          try {
            e.set(yield* q.get());
          } catch {
            e.set('timed out');
          } finally {
            t.cancel();
          }
        });
      }
      yield* sleep(0.1);
      yield* q.put('sent');
      return [yield* e1.get(), yield* e2.get(), yield* q.get()];
    });
    expect(r).toEqual(['timed out', 'timed out', 'sent']);
  });

  test('direct hand-off: a running greenlet cannot take an item put for a waiting getter', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>();
      const g = spawn(function* () {
        return yield* q.get();
      });
      yield* sleep(0);
      yield* q.put('for the waiter');
      const mine = q.qsize();
      return { mine, waiter: yield* g.get() };
    });
    expect(r).toEqual({ mine: 0, waiter: 'for the waiter' });
  });

  test('maxsize: 0/null unbounded; negative or fractional is a RangeError; growing lets putters in, in order', async () => {
    expect(new Queue(0).maxsize).toBeNull();
    expect(new Queue(null).full()).toBe(false);
    expect(() => new Queue(-1)).toThrow(RangeError);
    expect(() => new Queue(1.5)).toThrow(RangeError);
    const r = await onVirtualHub(function* () {
      const q = new Queue<number>(1);
      yield* q.put(0);
      const putters = [1, 2, 3].map((i) =>
        spawn(function* () {
          yield* q.put(i);
        }),
      );
      yield* sleep(0);
      const waiting = q.putters;
      q.maxsize = 3;
      const items = q.toArray();
      yield* joinall(putters.slice(0, 2));
      q.maxsize = null;
      yield* putters[2]!.join();
      return { waiting, items, all: q.toArray(), max: q.maxsize };
    });
    expect(r).toEqual({ waiting: 3, items: [0, 1, 2], all: [0, 1, 2, 3], max: null });
  });

  test('items given to the constructor are in the queue', async () => {
    const q = new Queue<number>(null, [1, 2, 3]);
    expect(q.qsize()).toBe(3);
    expect(q.length).toBe(3);
    expect(q.getNowait()).toBe(1);
    expect(q.peekNowait()).toBe(2);
    expect(() => new Queue().getNowait()).toThrow(Empty);
    expect(() => new Queue().peekNowait()).toThrow(Empty);
  });

  test('iter(stop) stops at a custom value', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>(null, ['a', 'b', 'end', 'c']);
      const it = q.iter('end');
      const got: string[] = [];
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) got.push(x.value);
      return { got, left: q.toArray(), again: (yield* it.next()).done };
    });
    expect(r).toEqual({ got: ['a', 'b'], left: ['c'], again: true });
  });
});

describe('shutdown (gevent test__queue::TestJoinableQueue._shutdown_all_methods_in_one_thread)', () => {
  test.each([false, true])('shutdown(immediate=%s)', async (immediate) => {
    const r = await onVirtualHub(function* () {
      const q = new JoinableQueue<string>();
      yield* q.put('L');
      q.putNowait('O');
      q.shutdown(immediate);
      const out: string[] = [];
      const attempt = function* (op: () => Iterable<unknown, unknown, any>) {
        try {
          return yield* op();
        } catch (e) {
          return (e as Error).name;
        }
      };
      out.push(String(yield* attempt(() => q.put('E'))));
      out.push(
        String(
          yield* attempt(function* () {
            q.putNowait('W');
          }),
        ),
      );
      if (immediate) {
        out.push(String(yield* attempt(() => q.get())));
        out.push(
          String(
            yield* attempt(function* () {
              return q.getNowait();
            }),
          ),
        );
        out.push(
          String(
            yield* attempt(function* () {
              q.taskDone();
            }),
          ),
        );
        out.push(String(yield* q.join()));
      } else {
        out.push(String(yield* q.get()));
        q.taskDone();
        out.push(String(yield* q.get()));
        q.taskDone();
        out.push(String(yield* q.join()));
        out.push(String(yield* attempt(() => q.get())));
        out.push(
          String(
            yield* attempt(function* () {
              return q.getNowait();
            }),
          ),
        );
        out.push(String(yield* attempt(() => q.get({ timeout: 1 }))));
      }
      return out;
    });
    if (immediate) {
      expect(r).toEqual(['ShutDown', 'ShutDown', 'ShutDown', 'ShutDown', 'RangeError', 'true']);
    } else {
      expect(r).toEqual([
        'ShutDown',
        'ShutDown',
        'L',
        'O',
        'true',
        'ShutDown',
        'ShutDown',
        'ShutDown',
      ]);
    }
  });

  test('shutdown wakes waiting getters and putters with ShutDown', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<number>(1);
      const empty = new Queue<number>();
      yield* q.put(1);
      const putter = spawn(function* () {
        yield* q.put(2);
      });
      const getter = spawn(function* () {
        return yield* empty.get();
      });
      yield* sleep(0);
      q.shutdown();
      empty.shutdown();
      yield* joinall([putter, getter]);
      return [
        (putter.exception as Error).name,
        (getter.exception as Error).name,
        q.toArray(),
        q.isShutdown,
      ];
    });
    expect(r).toEqual(['ShutDown', 'ShutDown', [1], true]);
  });
});

describe('JoinableQueue (gevent test__queue::TestJoinableQueue)', () => {
  // test_task_done
  test('get then taskDone: unfinishedTasks goes 1 then 0', async () => {
    const r = await onVirtualHub(function* () {
      const q = new JoinableQueue<object>();
      const X = {};
      spawn(function* () {
        yield* q.put(X);
      });
      const result = yield* q.get();
      const before = q.unfinishedTasks;
      q.taskDone();
      return { same: result === X, before, after: q.unfinishedTasks };
    });
    expect(r).toEqual({ same: true, before: 1, after: 0 });
  });

  // test_issue_45
  test('join() returns at once when nothing was put', async () => {
    const r = await onVirtualHub(function* (hub) {
      const q = new JoinableQueue();
      const ok = yield* q.join();
      return { ok, at: hub.loop.now() };
    });
    expect(r).toEqual({ ok: true, at: 0 });
  });

  test('join waits for every taskDone; join(timeout) resolves false; taskDone too often throws', async () => {
    const r = await onVirtualHub(function* (hub) {
      const q = new JoinableQueue<number>(null, [1, 2]);
      const partial = yield* q.join(0.5);
      spawn(function* () {
        for (let i = 0; i < 2; i++) {
          yield* q.get();
          yield* sleep(1);
          q.taskDone();
        }
      });
      const ok = yield* q.join();
      let err = '';
      try {
        q.taskDone();
      } catch (e) {
        err = (e as Error).name;
      }
      return { partial, ok, at: hub.loop.now(), err };
    });
    expect(r).toEqual({ partial: false, ok: true, at: 2.5, err: 'RangeError' });
  });
});

describe('PriorityQueue and LifoQueue', () => {
  // gevent queue.py PriorityQueue/LifoQueue
  test('PriorityQueue gives the smallest first; tuples compare element by element', async () => {
    const r = await onVirtualHub(function* () {
      const q = new PriorityQueue<[number, string]>();
      for (const x of [
        [3, 'c'],
        [1, 'a'],
        [2, 'b'],
        [1, 'A'],
      ] as [number, string][])
        yield* q.put(x);
      const out: string[] = [];
      while (!q.empty()) out.push((yield* q.get())[1]);
      return { out, tasks: q.unfinishedTasks };
    });
    expect(r).toEqual({ out: ['A', 'a', 'b', 'c'], tasks: 4 });
  });

  test('PriorityQueue with a compare function; uncomparable items are a TypeError', async () => {
    const q = new PriorityQueue<{ p: number }>(null, [{ p: 2 }, { p: 1 }], (a, b) => b.p - a.p);
    expect(q.getNowait().p).toBe(2);
    const bad = new PriorityQueue<unknown>();
    bad.putNowait({});
    expect(() => bad.putNowait({})).toThrow(TypeError);
  });

  test('LifoQueue gives the last put first', async () => {
    const q = new LifoQueue<number>(null, [1, 2]);
    q.putNowait(3);
    expect([q.peekNowait(), q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([3, 3, 2, 1]);
    expect(q.unfinishedTasks).toBe(3);
  });

  test('a waiting getter of a PriorityQueue is handed the item put', async () => {
    const r = await onVirtualHub(function* () {
      const q = new PriorityQueue<number>();
      const g = spawn(function* () {
        return yield* q.get();
      });
      yield* sleep(0);
      yield* q.put(5);
      yield* q.put(1);
      return [yield* g.get(), yield* q.get()];
    });
    expect(r).toEqual([5, 1]);
  });

  test('SimpleQueue is unbounded and its maxsize cannot be set', () => {
    const q = new SimpleQueue<number>();
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    expect(q.full()).toBe(false);
    expect(q.maxsize).toBeNull();
    expect(() => {
      q.maxsize = 3;
    }).toThrow(TypeError);
  });
});

describe('Channel (gevent test__queue::TestChannel)', () => {
  // test_get_nowait_unlock_channel
  test("getNowait from the hub takes a waiting putter's item", async () => {
    const r = await onVirtualHub(function* (hub) {
      const q = new Channel<number>();
      const p = spawn(function* () {
        yield* q.put(5);
      });
      const before = [q.empty(), q.full()];
      yield* sleep(0.001);
      const result: number[] = [];
      hub.runCallback(() => result.push(q.getNowait()));
      yield* sleep(0.001);
      return { before, after: [q.empty(), q.full()], result, dead: p.dead };
    });
    expect(r).toEqual({ before: [true, true], after: [true, true], result: [5], dead: true });
  });

  // test_zero_max_size
  test('a put waits until a get takes the item', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Channel<string>();
      const e1 = new AsyncResult<string>();
      const e2 = new AsyncResult<string>();
      const p1 = spawn(function* () {
        yield* q.put('hi');
        e1.set('done');
      });
      yield* sleep(0.001);
      const early = e1.ready();
      const p2 = spawn(function* () {
        e2.set(yield* q.get());
      });
      const got = [yield* e2.get(), yield* e1.get()];
      const t = Timeout.startNew(0);
      try {
        yield* joinall([p1, p2]);
      } finally {
        t.cancel();
      }
      return { early, got };
    });
    expect(r).toEqual({ early: false, got: ['hi', 'done'] });
  });

  // test_send
  test('interleaving of put from main and get from another greenlet', async () => {
    const r = await onVirtualHub(function* () {
      const channel = new Channel<string>();
      const events: string[] = [];
      const g = spawn(function* () {
        events.push(yield* channel.get());
        events.push(yield* channel.get());
      });
      events.push('sending');
      yield* channel.put('hello');
      events.push('sent hello');
      yield* channel.put('world');
      events.push('sent world');
      yield* g.get();
      return events;
    });
    expect(r).toEqual(['sending', 'hello', 'sent hello', 'world', 'sent world']);
  });

  // test_wait
  test('interleaving of get from main and put from another greenlet', async () => {
    const r = await onVirtualHub(function* () {
      const channel = new Channel<string>();
      const events: string[] = [];
      const g = spawn(function* () {
        events.push('sending hello');
        yield* channel.put('hello');
        events.push('sending world');
        yield* channel.put('world');
        events.push('sent world');
      });
      events.push('waiting');
      events.push(yield* channel.get());
      events.push(yield* channel.get());
      const before = events.slice();
      yield* sleep(0);
      yield* g.get();
      return { before, events };
    });
    expect(r.before).toEqual(['waiting', 'sending hello', 'hello', 'sending world', 'world']);
    expect(r.events).toEqual([
      'waiting',
      'sending hello',
      'hello',
      'sending world',
      'world',
      'sent world',
    ]);
  });

  // test_iterable
  test('iteration ends at StopIteration', async () => {
    const r = await onVirtualHub(function* () {
      const channel = new Channel<typeof StopIteration>();
      spawn(function* () {
        yield* channel.put(StopIteration);
      });
      const it = channel.iter();
      const out: unknown[] = [];
      for (let x = yield* it.next(); !x.done; x = yield* it.next()) out.push(x.value);
      return out;
    });
    expect(r).toEqual([]);
  });

  test('putters are served FIFO; balance counts waiting putters minus getters', async () => {
    const r = await onVirtualHub(function* () {
      const ch = new Channel<number>();
      for (let i = 0; i < 3; i++) {
        spawn(function* () {
          yield* ch.put(i);
        });
      }
      yield* sleep(0);
      const balance = ch.balance;
      const got = [yield* ch.get(), yield* ch.get(), yield* ch.get()];
      return { balance, got, after: ch.balance, size: ch.qsize() };
    });
    expect(r).toEqual({ balance: 3, got: [0, 1, 2], after: 0, size: 0 });
  });

  test('put({ block: false }) and putNowait raise Full with no getter; getNowait Empty with no putter', async () => {
    const r = await onVirtualHub(function* () {
      const ch = new Channel<number>();
      const out: string[] = [];
      try {
        yield* ch.put(1, { block: false });
      } catch (e) {
        out.push((e as Error).name);
      }
      try {
        ch.putNowait(1);
      } catch (e) {
        out.push((e as Error).name);
      }
      try {
        ch.getNowait();
      } catch (e) {
        out.push((e as Error).name);
      }
      const g = spawn(function* () {
        return yield* ch.get();
      });
      yield* sleep(0);
      yield* ch.put(7, { block: false });
      out.push(String(yield* g.get()));
      return out;
    });
    expect(r).toEqual(['Full', 'Full', 'Empty', '7']);
  });
});
