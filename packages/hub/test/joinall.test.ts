/**
 * joinall, killall, wait and iwait: ports of test__joinall.py, the joinall/killall parts of
 * test__greenlet.py and test__greenletset.py, test__hub_join_timeout.py and the wait/iwait
 * parts of test__event.py / test__iwait.py, on the virtual clock.
 */
import { describe, expect, test } from 'vitest';
import {
  Greenlet,
  iwait,
  joinall,
  killall,
  sleep,
  spawn,
  spawnLater,
  spawnRaw,
  Timeout,
  type Waitable,
  wait,
} from '../src/index.js';
import { ExpectedError, vhub } from './helpers.js';

const DELAY = 0.01;

/** A minimal Waitable (an Event without @g/sync): set() notifies its links from the hub. */
class Flag implements Waitable {
  private links: Array<(x: Flag) => void> = [];
  private isSet = false;
  constructor(private readonly hub: { runCallback(fn: (a: any) => void, arg?: any): void }) {}
  ready(): boolean {
    return this.isSet;
  }
  rawlink(cb: (x: Flag) => void): void {
    this.links.push(cb);
    if (this.isSet) this.notify();
  }
  unlink(cb: (x: Flag) => void): void {
    const i = this.links.indexOf(cb);
    if (i >= 0) this.links.splice(i, 1);
  }
  set(): void {
    this.isSet = true;
    this.notify();
  }
  get linkCount(): number {
    return this.links.length;
  }
  private notify(): void {
    this.hub.runCallback(() => {
      for (const cb of this.links.splice(0)) cb(this);
    });
  }
}

describe('joinall', () => {
  // test__joinall Test.test
  test('returns once all are done; duplicates are allowed', async () => {
    const { run } = vhub();
    await run(function* () {
      const a = spawn(() => {});
      const b = spawn(() => {});
      const done = yield* joinall([a, b, a]);
      expect(a.dead && b.dead).toBe(true);
      expect(new Set(done)).toEqual(new Set([a, b]));
    });
  });

  // test__greenlet TestStuff.test_wait_noerrors
  test('raiseError with no errors returns all, values in place', async () => {
    const { run } = vhub();
    await run(function* () {
      const x = spawn(() => 1);
      const y = spawn(() => 2);
      const z = spawn(() => 3);
      yield* joinall([x, y, z], { raiseError: true });
      expect([x.value, y.value, z.value]).toEqual([1, 2, 3]);
    });
  });

  // test__greenlet TestStuff.test_wait_error
  test('raiseError raises the error of a failing greenlet', async () => {
    const { run } = vhub();
    await run(function* () {
      const x = spawn(function* () {
        yield* sleep(DELAY);
        return 1;
      });
      const y = spawn(() => {
        throw new ExpectedError('test_wait_error');
      });
      for (const list of [[x, y], [y]]) {
        let caught: unknown = null;
        try {
          yield* joinall(list, { raiseError: true });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(ExpectedError);
      }
      yield* x.join();
    });
  });

  // test__greenlet TestStuff.test_joinall_exception_order
  test('raiseError raises the first error in time, not in list order', async () => {
    const { run } = vhub();
    await run(function* () {
      const a = spawn(function* () {
        yield* sleep(0.1);
        throw new ExpectedError('first');
      });
      const b = spawn(() => {
        throw new ExpectedError('second');
      });
      let caught: unknown = null;
      try {
        yield* joinall([a, b], { raiseError: true });
      } catch (e) {
        caught = e;
      }
      expect((caught as Error).message).toBe('second');
      yield* joinall([a, b]);
    });
  });

  // test__greenlet TestStuff.test_joinall_count_raise_error
  test('count works without raiseError: returns once one is ready', async () => {
    const { run } = vhub();
    await run(function* () {
      const sleeper = spawn(function* () {
        for (;;) yield* sleep(0.1);
      });
      const raiser = spawn(() => {
        throw new ExpectedError('count');
      });
      const done = yield* joinall([sleeper, raiser], { raiseError: false, count: 1 });
      expect(done).toEqual([raiser]);
      expect(raiser.ready()).toBe(true);
      expect(sleeper.ready()).toBe(false);
      yield* sleeper.kill();
      expect(sleeper.ready()).toBe(true);
    });
  });

  // test__greenlet TestJoinAll0, TestJoinAll
  test('joinall with a timeout returns after exactly the timeout (unstarted or sleeping)', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const unstarted = new Greenlet(() => 1);
      const sleeping = spawn(sleep, 10);
      for (const g of [unstarted, sleeping]) {
        const t0 = hub.loop.now();
        const done = yield* joinall([g], { timeout: 0.5 });
        expect(done).toEqual([]);
        expect(hub.loop.now() - t0).toBe(0.5);
      }
      yield* sleeping.kill();
    });
  });

  test('the greenlets are returned in the order they died', async () => {
    const { run } = vhub();
    await run(function* () {
      const gs = [3, 1, 2].map((s) => spawn(sleep, s / 10));
      const done = yield* joinall(gs);
      expect(done).toEqual([gs[1], gs[2], gs[0]]);
    });
  });
});

describe('killall', () => {
  // test__greenlet TestKillallRawGreenlet.test_killall_raw
  test('killall accepts raw greenlets; a raw one that never ran dies without running', async () => {
    const { run } = vhub();
    let ran = false;
    await run(function* () {
      const g = spawnRaw(() => {
        ran = true;
      });
      yield* killall([g]);
      expect(g.dead).toBe(true);
      const sleeper = spawnRaw(function* () {
        yield* sleep(10);
      });
      yield* sleep(0);
      yield* killall([sleeper]);
      yield* sleep(0);
      expect(sleeper.dead).toBe(true);
    });
    expect(ran).toBe(false);
  });

  // test__greenletset Test.test_killall_iterable_argument_non_block
  test('killall accepts any iterable; block: false returns at once', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const a = spawn(sleep, 10);
      const b = spawn(sleep, 10);
      yield* sleep(0);
      const t0 = hub.loop.now();
      yield* killall(new Set([a, b]), { block: false });
      expect(hub.loop.now()).toBe(t0);
      expect(a.dead || b.dead).toBe(false);
      yield* sleep(0);
      expect(a.dead && b.dead).toBe(true);
    });
  });

  // test__greenletset Test.test_killall_iterable_argument_timeout_started / _not_started
  test('killall({ timeout }) raises Timeout if started greenlets survive it; unstarted ones just die', async () => {
    const { run, hub } = vhub({ killGrace: 100 });
    await run(function* () {
      const stubborn = spawn(function* () {
        try {
          yield* sleep(10);
        } catch {
          yield* sleep(5); // cleanup that waits
        }
      });
      yield* sleep(0);
      const t0 = hub.loop.now();
      let caught: unknown = null;
      try {
        yield* killall([stubborn], { timeout: 0.5 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Timeout);
      expect(hub.loop.now() - t0).toBe(0.5);
      expect(stubborn.dead).toBe(false);
      const notStarted = spawn(sleep, 10);
      yield* killall([notStarted], { timeout: 0.5 });
      expect(notStarted.dead).toBe(true);
      yield* stubborn.join();
    });
  });

  test('killall of a non-greenlet is a TypeError at the call', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => killall([{}] as any)).toThrow(TypeError);
      expect(() => killall([], { timeout: Number.NaN })).toThrow(TypeError);
      yield* sleep(0);
    });
  });
});

describe('wait and iwait', () => {
  // test__event TestWait / TestWait_notimeout / TestWait_count1/2
  test('wait(objects) returns the ready ones in the order they became ready; count caps; timeout returns part', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const make = () => [3, 1, 2].map((s) => spawn(sleep, s / 10));
      let gs = make();
      expect(yield* wait(gs)).toEqual([gs[1], gs[2], gs[0]]);
      gs = make();
      expect(yield* wait(gs, { count: 1 })).toEqual([gs[1]]);
      gs = make();
      expect(yield* wait(gs, { count: 2 })).toEqual([gs[1], gs[2]]);
      gs = make();
      const t0 = hub.loop.now();
      expect(yield* wait(gs, { timeout: 0.25 })).toEqual([gs[1], gs[2]]);
      expect(hub.loop.now() - t0).toBe(0.25);
      yield* joinall(gs);
    });
  });

  // test__event TestEventBasics.test_gevent_wait_twice_when_already_set
  test('wait([readyObject]) returns it at once, repeatedly', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const f = new Flag(hub);
      f.set();
      expect(yield* wait([f])).toEqual([f]);
      expect(yield* wait([f])).toEqual([f]);
    });
  });

  // test__iwait Testiwait.test_noiter / test_iwait_partial
  test('iwait yields each object as it becomes ready', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const a = new Flag(hub);
      const b = new Flag(hub);
      spawnLater(0.2, () => a.set());
      spawnLater(0.1, () => b.set());
      const got: Array<[Flag, number]> = [];
      const it = iwait([a, b]);
      for (let r = yield* it.next(); !r.done; r = yield* it.next())
        got.push([r.value, hub.loop.now()]);
      expect(got).toEqual([
        [b, 0.1],
        [a, 0.2],
      ]);
    });
  });

  // test__iwait Testiwait.test_iwait_nogarbage: closing unlinks from the unconsumed objects
  test('iwait close() (or a count reached) unlinks from the objects not yet ready', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const a = new Flag(hub);
      const b = new Flag(hub);
      const it = iwait([a, b]);
      expect(a.linkCount + b.linkCount).toBe(2);
      b.set();
      const r = yield* it.next();
      expect(r.value).toBe(b);
      it.close();
      expect(a.linkCount).toBe(0);
      const c = new Flag(hub);
      const d = new Flag(hub);
      c.set();
      yield* wait([c, d], { count: 1 });
      expect(d.linkCount).toBe(0);
    });
  });

  test('iwait with a timeout ends the iteration (done) after the timeout', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const a = new Flag(hub);
      const it = iwait([a], { timeout: 0.3 });
      const r = yield* it.next();
      expect(r.done).toBe(true);
      expect(hub.loop.now()).toBe(0.3);
      expect(a.linkCount).toBe(0);
    });
  });

  test('iwait is an AsyncIterable outside greenlets (for await)', async () => {
    const { hub } = vhub();
    const gs = await hub.run(() => [2, 1].map((s) => spawn(sleep, s / 10)));
    const got: Greenlet<any>[] = [];
    // The default hub runs the steps: use greenlets of the virtual hub via hub.run per step.
    const it = iwait(gs as Greenlet<any>[]);
    for (;;) {
      const r = await hub.run(it.next());
      if (r.done) break;
      got.push(r.value);
    }
    expect(got).toEqual([gs[1], gs[0]]);
  });

  test('bad input: non-waitables, a negative or fractional count, a NaN timeout', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => iwait([42 as any])).toThrow(TypeError);
      expect(() => wait([], { count: -1 })).toThrow(RangeError);
      expect(() => wait([], { count: 1.5 })).toThrow(RangeError);
      expect(() => wait([], { timeout: Number.NaN })).toThrow(TypeError);
      expect(yield* wait([])).toEqual([]);
    });
  });
});

describe('wait() for the hub to be idle, and hub.join()', () => {
  // test__hub_join_timeout Test.test_callback
  test('hub.join() after a spawn: resolves true at once when the greenlet finished', async () => {
    const { hub } = vhub();
    for (let i = 0; i < 2; i++) {
      const x = await hub.run(() => spawn(() => 5));
      const t0 = hub.loop.now();
      expect(await hub.join(10)).toBe(true);
      expect(hub.loop.now()).toBe(t0);
      expect(x.dead).toBe(true);
      expect(x.value).toBe(5);
    }
  });

  // test__hub_join_timeout Test.test_later
  test('hub.join() waits for a spawnLater greenlet', async () => {
    const { hub } = vhub();
    for (let i = 0; i < 2; i++) {
      const t0 = hub.loop.now();
      const x = await hub.run(() => spawnLater(0.05, () => 5));
      expect(await hub.join(10)).toBe(true);
      expect(hub.loop.now() - t0).toBeCloseTo(0.05, 12);
      expect(x.dead).toBe(true);
    }
  });

  // test__hub_join_timeout Test.test_timeout
  test('hub.join(timeout) resolves false when still busy; true once the work is killed', async () => {
    const { hub } = vhub();
    for (let i = 0; i < 2; i++) {
      const t0 = hub.loop.now();
      const x = await hub.run(() => spawnLater(10, () => 5));
      expect(await hub.join(0.05)).toBe(false);
      expect(hub.loop.now() - t0).toBeCloseTo(0.05, 12);
      expect(x.dead).toBe(false);
      await hub.run(x.kill());
      const t1 = hub.loop.now();
      expect(await hub.join()).toBe(true);
      expect(hub.loop.now()).toBe(t1);
    }
  });

  // test__hub_join_timeout Test.test_ref_arg / test_ref_attribute
  test('an unreferenced watcher does not keep hub.join() waiting', async () => {
    const { hub } = vhub();
    const w = (hub.loop as any).timer(10, 0);
    w.ref = false;
    w.start(() => {});
    expect(await hub.join()).toBe(true);
    expect(hub.loop.now()).toBe(0);
    w.stop();
  });

  test('yield* wait() in a greenlet returns true when nothing else is left to do', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const x = spawnLater(0.5, () => 5);
      expect(yield* wait()).toBe(true);
      expect(x.dead).toBe(true);
      expect(hub.loop.now()).toBe(0.5);
      const y = spawnLater(10, () => 5);
      expect(yield* wait(null, { timeout: 0.1 })).toBe(false);
      yield* y.kill();
    });
  });
});
