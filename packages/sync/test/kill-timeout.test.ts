// Every blocking call of @g/sync honours kill and Timeout: the wait ends at once with the
// kill (the greenlet dies) or the Timeout (raised where the call was made), and the
// primitive is left with no stale waiter. Then: a waiter killed before it was served loses
// its turn to the next one; a waiter served (handed a permit, an item, a slot) and killed
// before it ran still gets it: nothing is lost, nothing is given twice.
import { GreenletExit, type Op, sleep, spawn, Timeout } from '@g/hub';
import { describe, expect, test } from 'vitest';
import {
  AsyncResult,
  BoundedSemaphore,
  Channel,
  Event,
  Group,
  JoinableQueue,
  LifoQueue,
  Lock,
  Pool,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
  SimpleQueue,
} from '../src/index.js';
import { onVirtualHub } from './helpers.js';

interface Case {
  /** Makes the primitive (in the test's greenlet) and the blocking Op to run in another. */
  setup(): Generator<unknown, { op: () => Op<unknown>; waiting: () => number }, any>;
}

function* forever() {
  for (;;) {
    try {
      yield* sleep(1e6);
    } catch {
      // swallow kills: only a forced end stops it
    }
  }
}

const cases: Record<string, Case> = {
  'Semaphore.acquire': {
    *setup() {
      const s = new Semaphore(0);
      return { op: () => s.acquire(), waiting: () => s.linkcount() };
    },
  },
  'Semaphore.acquire({ timeout })': {
    *setup() {
      const s = new Semaphore(0);
      return { op: () => s.acquire({ timeout: 100 }), waiting: () => s.linkcount() };
    },
  },
  'Semaphore.wait': {
    *setup() {
      const s = new Semaphore(0);
      return { op: () => s.wait(), waiting: () => s.linkcount() };
    },
  },
  'Semaphore.hold': {
    *setup() {
      const s = new Semaphore(0);
      return { op: () => s.hold(), waiting: () => s.linkcount() };
    },
  },
  'BoundedSemaphore.acquire': {
    *setup() {
      const s = new BoundedSemaphore(1);
      yield* s.acquire();
      return { op: () => s.acquire(), waiting: () => s.linkcount() };
    },
  },
  'Lock.acquire': {
    *setup() {
      const s = new Lock();
      yield* s.acquire();
      return { op: () => s.acquire(), waiting: () => s.linkcount() };
    },
  },
  'RLock.acquire': {
    *setup() {
      const s = new RLock();
      yield* s.acquire();
      return { op: () => s.acquire(), waiting: () => s.linkcount() };
    },
  },
  'RLock.hold': {
    *setup() {
      const s = new RLock();
      yield* s.acquire();
      return { op: () => s.hold(), waiting: () => s.linkcount() };
    },
  },
  'RLock.wait': {
    *setup() {
      const s = new RLock();
      yield* s.acquire();
      return { op: () => s.wait(), waiting: () => s.linkcount() };
    },
  },
  'Event.wait': {
    *setup() {
      const e = new Event();
      return { op: () => e.wait(), waiting: () => e.linkcount() };
    },
  },
  'AsyncResult.get': {
    *setup() {
      const a = new AsyncResult();
      return { op: () => a.get(), waiting: () => a.linkcount() };
    },
  },
  'AsyncResult.wait': {
    *setup() {
      const a = new AsyncResult();
      return { op: () => a.wait(), waiting: () => a.linkcount() };
    },
  },
  'Queue.get': {
    *setup() {
      const q = new Queue();
      return { op: () => q.get(), waiting: () => q.getters };
    },
  },
  'Queue.get({ timeout })': {
    *setup() {
      const q = new Queue();
      return { op: () => q.get({ timeout: 100 }), waiting: () => q.getters };
    },
  },
  'Queue.put': {
    *setup() {
      const q = new Queue(1);
      yield* q.put(0);
      return { op: () => q.put(1), waiting: () => q.putters };
    },
  },
  'Queue.peek': {
    *setup() {
      const q = new Queue();
      return { op: () => q.peek(), waiting: () => (q as any)._peekers.length };
    },
  },
  'Queue.iter().next': {
    *setup() {
      const q = new Queue();
      const it = q.iter();
      return { op: () => it.next(), waiting: () => q.getters };
    },
  },
  'SimpleQueue.get': {
    *setup() {
      const q = new SimpleQueue();
      return { op: () => q.get(), waiting: () => q.getters };
    },
  },
  'JoinableQueue.join': {
    *setup() {
      const q = new JoinableQueue(null, [1]);
      return { op: () => q.join(), waiting: () => (q as any).joiners.length };
    },
  },
  'PriorityQueue.put': {
    *setup() {
      const q = new PriorityQueue<number>(1, [1]);
      return { op: () => q.put(2), waiting: () => q.putters };
    },
  },
  'LifoQueue.get': {
    *setup() {
      const q = new LifoQueue();
      return { op: () => q.get(), waiting: () => q.getters };
    },
  },
  'Channel.get': {
    *setup() {
      const c = new Channel();
      return { op: () => c.get(), waiting: () => c.getters };
    },
  },
  'Channel.put': {
    *setup() {
      const c = new Channel();
      return { op: () => c.put(1), waiting: () => c.putters };
    },
  },
  'Group.join': {
    *setup() {
      const g = new Group();
      yield* g.spawn(sleep, 1e6);
      return { op: () => g.join(), waiting: () => g._emptyWaiters.length };
    },
  },
  'Group.kill (a member that swallows kills)': {
    *setup() {
      const g = new Group();
      yield* g.spawn(forever);
      yield* sleep(0);
      return { op: () => g.kill(), waiting: () => g._emptyWaiters.length };
    },
  },
  'Group.killone (a member that swallows kills)': {
    *setup() {
      const g = new Group();
      const m = yield* g.spawn(forever);
      yield* sleep(0);
      return { op: () => g.killone(m), waiting: () => m.hasLinks() - 1 };
    },
  },
  'Group.apply': {
    *setup() {
      const g = new Group();
      return {
        op: () => g.apply(sleep, [1e6]),
        waiting: () => {
          let links = 0;
          for (const m of g) links += m.hasLinks() - 1; // beyond the group's own link
          return links;
        },
      };
    },
  },
  'Pool.spawn (full)': {
    *setup() {
      const p = new Pool(1);
      yield* p.spawn(sleep, 1e6);
      return { op: () => p.spawn(sleep, 1), waiting: () => (p as any).slotWaiters.length };
    },
  },
  'Pool.add (full)': {
    *setup() {
      const p = new Pool(1);
      yield* p.spawn(sleep, 1e6);
      const other = spawn(sleep, 1e6);
      return { op: () => p.add(other), waiting: () => (p as any).slotWaiters.length };
    },
  },
  'Pool.waitAvailable': {
    *setup() {
      const p = new Pool(1);
      yield* p.spawn(sleep, 1e6);
      return { op: () => p.waitAvailable(), waiting: () => (p as any).availWaiters.length };
    },
  },
  'Pool.imap().next': {
    *setup() {
      const p = new Pool(2);
      const it = p.imap(sleep, [1e6]);
      return { op: () => it.next(), waiting: () => ((it as any).reader === null ? 0 : 1) };
    },
  },
  'Pool.map': {
    *setup() {
      const p = new Pool(2);
      return { op: () => p.map(sleep, [1e6, 1e6]), waiting: () => p.length };
    },
  },
  'Group.scope': {
    *setup() {
      const g = new Group();
      return {
        op: () =>
          g.scope(function* (gr) {
            yield* gr.spawn(sleep, 1e6);
            yield* sleep(1e6);
          }),
        waiting: () => g.length,
      };
    },
  },
};

describe.each(Object.entries(cases))('%s', (_name, c) => {
  test('kill while waiting: the greenlet dies at that wait, leaving no waiter', async () => {
    const r = await onVirtualHub(
      function* () {
        const { op, waiting } = yield* c.setup();
        const base = waiting();
        const g = spawn(function* () {
          yield* op();
          return 'returned';
        });
        yield* sleep(0);
        yield* sleep(0);
        const during = waiting();
        yield* g.kill();
        return {
          during: during > base,
          dead: g.dead,
          exit: (g.value as unknown) instanceof GreenletExit,
          left: waiting() - base,
        };
      },
      { killGrace: 30 },
    );
    expect(r).toEqual({ during: true, dead: true, exit: true, left: 0 });
  });

  test('a forced end (a kill swallowed past its grace period) leaves no waiter', async () => {
    const r = await onVirtualHub(
      function* (hub) {
        hub.exceptionStream = null;
        const { op, waiting } = yield* c.setup();
        const base = waiting();
        let swallowed = 0;
        const g = spawn(function* () {
          for (;;) {
            try {
              yield* op();
              return 'returned';
            } catch {
              swallowed++; // a catch-all: only the forced end stops it
            }
          }
        });
        yield* sleep(0);
        yield* sleep(0);
        yield* g.kill({ timeout: 0.5 });
        yield* sleep(0.001); // what it killed on its way out (a scope's members) dies
        return { dead: g.dead, swallowed: swallowed >= 1, left: waiting() - base };
      },
      { killGrace: 30 },
    );
    expect(r).toEqual({ dead: true, swallowed: true, left: 0 });
  });

  test('a Timeout while waiting raises itself at that wait, leaving no waiter', async () => {
    const r = await onVirtualHub(
      function* (hub) {
        const { op, waiting } = yield* c.setup();
        const base = waiting();
        const t0 = hub.loop.now();
        const g = spawn(function* () {
          const t = Timeout.startNew(1);
          try {
            yield* op();
            return 'returned';
          } catch (e) {
            return e === t ? 'timeout' : `other: ${e}`;
          } finally {
            t.cancel();
          }
        });
        const v = yield* g.get();
        return { v, took: hub.loop.now() - t0, left: waiting() - base };
      },
      { killGrace: 30 },
    );
    expect(r).toEqual({ v: 'timeout', took: 1, left: 0 });
  });
});

describe('nothing lost, nothing given twice', () => {
  test('Semaphore: a waiter killed before it was served loses its turn to the next', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(0);
      const got: string[] = [];
      const [a, b] = ['a', 'b'].map((name) =>
        spawn(function* () {
          yield* s.acquire();
          got.push(name);
        }),
      );
      yield* sleep(0);
      yield* a!.kill();
      s.release();
      yield* b!.join();
      return { got, counter: s.counter, waiting: s.linkcount() };
    });
    expect(r).toEqual({ got: ['b'], counter: 0, waiting: 0 });
  });

  test('Semaphore: a waiter handed the permit and killed before it ran keeps it; its finally passes it on', async () => {
    const r = await onVirtualHub(function* () {
      const s = new Semaphore(0);
      const got: string[] = [];
      const holders = ['a', 'b'].map((name) =>
        spawn(function* () {
          yield* s.acquire();
          got.push(name);
          try {
            yield* sleep(10);
          } finally {
            s.release();
          }
        }),
      );
      yield* sleep(0);
      s.release(); // handed to a
      yield* holders[0]!.kill(); // before a ran
      yield* holders[1]!.join();
      return { got, counter: s.counter };
    });
    expect(r).toEqual({ got: ['a', 'b'], counter: 1 });
  });

  test('Queue: a getter killed before it was served loses its turn; one served and killed keeps its item', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<number>();
      const got: Array<[string, number]> = [];
      const getter = (name: string) =>
        spawn(function* () {
          for (;;) got.push([name, yield* q.get()]);
        });
      const a = getter('a');
      const b = getter('b');
      const c = getter('c');
      yield* sleep(0);
      yield* a.kill(); // never served
      yield* q.put(1); // to b
      yield* b.kill(); // served before it ran: b still records 1, then dies at its next get
      yield* q.put(2); // to c
      yield* q.put(3); // c is not waiting yet: stays in the queue
      yield* sleep(0);
      const left = q.toArray();
      yield* c.kill();
      return { got, left, getters: q.getters };
    });
    expect(r.got).toEqual([
      ['b', 1],
      ['c', 2],
      ['c', 3],
    ]);
    expect(r.left).toEqual([]);
    expect(r.getters).toBe(0);
  });

  test('Queue: a putter killed while waiting does not put its item', async () => {
    const r = await onVirtualHub(function* () {
      const q = new Queue<string>(1);
      yield* q.put('first');
      const p = spawn(function* () {
        yield* q.put('killed');
      });
      const p2 = spawn(function* () {
        yield* q.put('second');
      });
      yield* sleep(0);
      yield* p.kill();
      return [yield* q.get(), yield* q.get(), q.qsize(), p2.dead || (yield* p2.join())];
    });
    expect(r).toEqual(['first', 'second', 0, true]);
  });

  test('Channel: a getter served and killed keeps the item; the putter is released once', async () => {
    const r = await onVirtualHub(function* () {
      const ch = new Channel<number>();
      const got: number[] = [];
      const g = spawn(function* () {
        for (;;) got.push(yield* ch.get());
      });
      yield* sleep(0);
      const putter = spawn(function* () {
        yield* ch.put(7);
        return 'put returned';
      });
      yield* sleep(0); // putter hands 7 to g and yields
      yield* g.kill();
      return { got, put: yield* putter.get(), balance: ch.balance };
    });
    expect(r).toEqual({ got: [7], put: 'put returned', balance: 0 });
  });

  test('Pool: a spawner killed while waiting for a slot leaves it to the next one', async () => {
    const r = await onVirtualHub(function* () {
      const p = new Pool(1);
      yield* p.spawn(sleep, 1);
      const order: string[] = [];
      const spawner = (name: string) =>
        spawn(function* () {
          yield* p.spawn(() => order.push(name));
        });
      const a = spawner('a');
      const b = spawner('b');
      yield* sleep(0);
      yield* a.kill();
      yield* b.join();
      yield* p.join();
      return { order, free: p.freeCount() };
    });
    expect(r).toEqual({ order: ['b'], free: 1 });
  });
});
