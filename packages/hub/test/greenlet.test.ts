/**
 * gevent's Greenlet: ports of test__greenlet.py (and the Greenlet parts of test__api.py),
 * on the virtual clock.
 */
import { getcurrent as coreGetcurrent, GreenletExit, isGreenletExit } from '@g/greenlet';
import { describe, expect, test } from 'vitest';
import {
  Greenlet,
  getcurrent,
  InvalidSwitchError,
  joinall,
  killall,
  LINK_TARGET,
  sleep,
  spawn,
  spawnLater,
  spawnRaw,
  Timeout,
} from '../src/index.js';
import { ExpectedError, vhub } from './helpers.js';

const DELAY = 0.01;

function dummy(): void {}

describe('construction and the spawn family', () => {
  // test__greenlet TestBasic.test_spawn_non_callable
  test('spawn, spawnRaw and spawnLater refuse a non-function with a TypeError', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => spawn(1 as any)).toThrow(TypeError);
      expect(() => spawnRaw(1 as any)).toThrow(TypeError);
      expect(() => (spawnLater as any)(1)).toThrow(TypeError);
      expect(() => spawnLater(1, 1 as any)).toThrow(TypeError);
      expect(() => new Greenlet(42 as any)).toThrow(/spawn\(f, x\), not spawn\(f\(x\)\)/);
      yield* sleep(0);
    });
  });

  // test__greenlet TestBasic.test_spawn_raw_kwargs
  test('spawnRaw runs fn(...args) from the hub and is dead afterwards', async () => {
    const { run } = vhub();
    const seen: unknown[] = [];
    await run(function* () {
      const g = spawnRaw(
        (a: number, b: { name: string }) => {
          seen.push(a, b);
        },
        1,
        { name: 'value' },
      );
      expect(g.dead).toBe(false);
      yield* sleep(0.01);
      expect(g.dead).toBe(true);
    });
    expect(seen).toEqual([1, { name: 'value' }]);
  });

  // test__greenlet TestBasic.test_simple_exit
  test('state truth table: before start, scheduled, running, after return', async () => {
    const { run } = vhub();
    await run(function* () {
      const linkTest: unknown[] = [];
      const g = new Greenlet(
        function* (delay: number, returnValue: number) {
          yield* sleep(delay);
          return returnValue;
        },
        0.01,
        5,
      );
      g.rawlink((x) => linkTest.push(x));
      const state = () => [g.started, g.dead, g.ready(), g.successful(), g.value, g.exception];
      expect(state()).toEqual([false, false, false, false, undefined, null]);
      g.start();
      expect(state()).toEqual([true, false, false, false, undefined, null]);
      yield* sleep(0.001);
      expect(state()).toEqual([true, false, false, false, undefined, null]);
      expect(linkTest).toEqual([]);
      yield* sleep(0.02);
      expect(state()).toEqual([false, true, true, true, 5, null]);
      expect(linkTest).toEqual([g]);
    });
  });

  // test__greenlet TestBasic.test_error_exit
  test('after raising: dead, ready, not successful, exception is the error, reported once', async () => {
    const { run, reports } = vhub();
    await run(function* () {
      const linkTest: unknown[] = [];
      const g = new Greenlet(
        function* (delay: number, v: number) {
          yield* sleep(delay);
          const err = new ExpectedError('test_error_exit') as ExpectedError & { myattr?: number };
          err.myattr = v;
          throw err;
        },
        0.001,
        5,
      );
      g.rawlink((x) => linkTest.push(x));
      g.start();
      yield* sleep(0);
      yield* sleep(0.1);
      expect([g.started, g.dead, g.ready(), g.successful(), g.value]).toEqual([
        false,
        true,
        true,
        false,
        undefined,
      ]);
      expect((g.exception as any).myattr).toBe(5);
      expect(linkTest).toEqual([g]);
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('ExpectedError: test_error_exit');
  });

  // test__greenlet TestStart.test_start
  test('start() schedules once; starting again, or after death, does nothing', async () => {
    const { run } = vhub();
    let runs = 0;
    await run(function* () {
      const g = spawn(function* () {
        runs++;
        yield* sleep(0.01);
      });
      expect(g.started).toBe(true);
      g.start();
      expect(g.started).toBe(true);
      yield* g.join();
      expect(g.dead).toBe(true);
      g.start();
      expect(g.dead).toBe(true);
      expect(g.started).toBe(false);
      yield* sleep(0.1);
    });
    expect(runs).toBe(1);
  });

  // test__api TestTimers.test_timer_fired / spawn_later
  test('spawn only schedules: the greenlet runs when the spawner waits', async () => {
    const { run, hub } = vhub();
    const order: string[] = [];
    await run(function* () {
      const g = spawn(() => order.push('child'));
      order.push('after spawn');
      expect(order).toEqual(['after spawn']);
      const later = spawnLater(0.5, () => hub.loop.now());
      yield* sleep(0);
      expect(order).toEqual(['after spawn', 'child']);
      expect(g.dead).toBe(true);
      expect(yield* later.get()).toBe(0.5);
    });
  });

  // test__greenlet TestBasic.test_add_spawn_callback
  test('spawn callbacks run synchronously for spawn, spawnLater and start(); removable', async () => {
    const { run } = vhub();
    let called = 0;
    const marked = new Set<unknown>();
    const cb = (g: Greenlet<any>) => {
      called++;
      marked.add(g);
    };
    try {
      await run(function* () {
        Greenlet.addSpawnCallback(cb);
        Greenlet.addSpawnCallback(cb); // a duplicate add is one
        let g: Greenlet<any> = spawn(() => null);
        expect(marked.has(g)).toBe(true);
        yield* g.join();
        expect(called).toBe(1);
        g = spawnLater(1e-5, () => null);
        expect(marked.has(g)).toBe(true);
        yield* g.join();
        expect(called).toBe(2);
        g = new Greenlet(() => null);
        g.start();
        expect(marked.has(g)).toBe(true);
        yield* g.join();
        expect(called).toBe(3);
        Greenlet.removeSpawnCallback(cb);
        g = spawn(() => null);
        expect(marked.has(g)).toBe(false);
        yield* g.join();
        expect(called).toBe(3);
      });
    } finally {
      Greenlet.removeSpawnCallback(cb);
    }
  });

  // test__greenlet TestBasic.test_tree_locals (the spawning greenlet part)
  test('spawningGreenlet is the greenlet that made it (main outside greenlets)', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const me = getcurrent();
      const child = new Greenlet(() => null);
      expect(child.spawningGreenlet).toBe(me);
      const raw = spawnRaw(() => null);
      expect(raw.spawningGreenlet).toBe(me);
      yield* sleep(0.01);
    });
    const outside = hub.run(() => 1);
    await outside;
  });

  // test__greenlet TestStuff.test_minimal_id
  test('minimalIdent is a small positive number, stable, distinct per greenlet', async () => {
    const { run } = vhub();
    await run(function* () {
      const a = spawn(() => 1);
      const b = spawn(() => 2);
      expect(a.minimalIdent).toBeGreaterThan(0);
      expect(a.minimalIdent).toBe(a.minimalIdent);
      expect(b.minimalIdent).not.toBe(a.minimalIdent);
      expect(a.parent).toBe(a.hub);
      yield* joinall([a, b]);
    });
  });

  // test__greenlet TestStr.test_function / test_method
  test('toString names the function and args; name appears once read; name is assignable', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(function dummyTestFunc(_x: number, _s: string) {}, 3, 'a');
      expect(String(g)).toBe('<Greenlet: dummyTestFunc(3, "a")>');
      expect(g.name).toMatch(/^Greenlet-\d+$/);
      expect(String(g)).toMatch(/^<Greenlet "Greenlet-\d+" #\d+: dummyTestFunc\(3, "a"\)>$/);
      g.name = 'Foo';
      expect(String(g)).toMatch(/^<Greenlet "Foo"/);
      yield* g.join();
      expect(String(g)).toMatch(/^<Greenlet "Foo"/);
    });
  });

  // test__greenlet TestDeadPropertyDuringSwitch
  test('dead is never true for the running greenlet', async () => {
    const { run } = vhub();
    await run(function* () {
      let deadInside: boolean | null = null;
      const g = spawn(function* () {
        deadInside = (getcurrent() as Greenlet).dead;
        yield* sleep(0);
        deadInside = deadInside || (getcurrent() as Greenlet).dead;
      });
      yield* g.join();
      expect(deadInside).toBe(false);
    });
  });

  test('getcurrent() of @g/hub and of @g/greenlet return the same object', async () => {
    const { run } = vhub();
    const same = await run(function* () {
      const g = spawn(() => getcurrent() === coreGetcurrent() && getcurrent() instanceof Greenlet);
      return yield* g.get();
    });
    expect(same).toBe(true);
  });

  test('bodies: a generator function, a plain function, one returning a promise or an Op', async () => {
    const { run } = vhub();
    const out = await run(function* () {
      const a = spawn(function* (x: number) {
        yield* sleep(1);
        return x + 1;
      }, 1);
      const b = spawn((x: number) => x * 10, 2);
      const c = spawn(async (x: string) => `${x}!`, 'p');
      const d = spawn(() => a.get()); // a plain function returning an Op it made
      const e = spawn(() => [1, 2]); // an iterable it did not make is a result
      return [yield* a.get(), yield* b.get(), yield* c.get(), yield* d.get(), yield* e.get()];
    });
    expect(out).toEqual([2, 20, 'p!', 2, [1, 2]]);
  });

  test('a raw switch() or throw() into a hub greenlet is refused (InvalidSwitchError)', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(function* () {
        yield* sleep(10);
      });
      yield* sleep(0);
      expect(() => g.switch()).toThrow(InvalidSwitchError);
      expect(() => g.throw(new Error('x'))).toThrow(InvalidSwitchError);
      yield* g.kill();
    });
  });

  // test__api TestTimers.test_spawn_is_not_cancelled
  test('a greenlet that spawns a child and ends does not end the child', async () => {
    const { run } = vhub();
    const done: string[] = [];
    await run(function* () {
      const parent = spawn(() => {
        spawn(function* () {
          yield* sleep(0.1);
          done.push('child');
        });
      });
      yield* parent.join();
      expect(parent.dead).toBe(true);
      yield* sleep(0.2);
    });
    expect(done).toEqual(['child']);
  });
});

describe('join and get', () => {
  // test__greenlet TestJoin (AbstractGenericWaitTestCase.test_returns_none_after_timeout)
  test('join(timeout) returns false after exactly the timeout, without raising', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      const t0 = hub.loop.now();
      expect(yield* g.join(0.5)).toBe(false);
      expect(hub.loop.now() - t0).toBe(0.5);
      expect(yield* g.join()).toBe(true);
      expect(hub.loop.now() - t0).toBe(10);
    });
  });

  // test__greenlet TestGet (AbstractGenericGetTestCase.test_raises_timeout_number)
  test('get({ timeout }) raises a Timeout after exactly the timeout', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      const t0 = hub.loop.now();
      let caught: unknown = null;
      try {
        yield* g.get({ timeout: 0.25 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Timeout);
      expect(hub.loop.now() - t0).toBe(0.25);
      yield* g.kill();
    });
  });

  // test__greenlet TestGet: test_raises_timeout_Timeout, test_raises_timeout_Timeout_exc_customized
  test('get({ timeout: aTimeout }) raises that instance, or its custom exception', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      const t = new Timeout(0.1);
      let caught: unknown = null;
      try {
        yield* g.get({ timeout: t });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(t);
      const err = new ExpectedError('custom');
      const t2 = new Timeout(0.1, err);
      try {
        yield* g.get({ timeout: t2 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(err);
      yield* g.kill();
    });
  });

  // timing _DelayWaitMixin.test_outer_timeout_is_not_lost
  test('an outer, shorter Timeout firing during join(timeout)/get(timeout) propagates', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      for (const wait of [() => g.join(1), () => g.get({ timeout: 1 })]) {
        const outer = Timeout.startNew(0.1);
        const t0 = hub.loop.now();
        let caught: unknown = null;
        try {
          yield* wait();
        } catch (e) {
          caught = e;
        } finally {
          outer.cancel();
        }
        expect(caught).toBe(outer);
        expect(hub.loop.now() - t0).toBe(0.1);
      }
      yield* g.kill();
    });
  });

  test('get() returns the value, or raises the stored error (same instance) every time', async () => {
    const { run } = vhub();
    await run(function* () {
      const ok = spawn(() => 42);
      const err = new ExpectedError('boom');
      const bad = spawn(() => {
        throw err;
      });
      expect(yield* ok.get()).toBe(42);
      expect(yield* ok.get()).toBe(42);
      for (let i = 0; i < 2; i++) {
        let caught: unknown = null;
        try {
          yield* bad.get();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBe(err);
      }
    });
  });

  test('get({ block: false }) on a greenlet not finished raises Timeout at once', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, 1);
      const t0 = hub.loop.now();
      let caught: unknown = null;
      try {
        yield* g.get({ block: false });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Timeout);
      expect(hub.loop.now()).toBe(t0);
      yield* g.join();
      expect(yield* g.get({ block: false })).toBeUndefined();
    });
  });

  // test__greenlet TestBasic.test_recursion_error
  test('a RangeError (stack overflow) in a greenlet is reported once and get() raises it', async () => {
    const { run, reports } = vhub();
    const caught = await run(function* () {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      const g = spawn(() => recurse(0));
      try {
        yield* g.get();
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBeInstanceOf(RangeError);
    expect(reports).toHaveLength(1);
  });

  test('a greenlet cannot join or get itself (clear error, not a hang)', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(function* () {
        const me = getcurrent() as Greenlet;
        const errors: string[] = [];
        try {
          yield* me.join();
        } catch (e) {
          errors.push((e as Error).message);
        }
        try {
          yield* me.get();
        } catch (e) {
          errors.push((e as Error).message);
        }
        return errors;
      });
      const errors = yield* g.get();
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/cannot join itself/);
    });
  });
});

describe('kill', () => {
  // test__greenlet TestKill, TestKillAfterStart, TestKillAfterStartLater, TestKillWhileRunning
  const starts: Record<string, ((g: Greenlet<any>) => void) | null> = {
    'never started': null,
    'after start()': (g) => g.start(),
    'after startLater()': (g) => g.startLater(1),
  };
  for (const [when, start] of Object.entries(starts)) {
    for (const block of [true, false]) {
      for (const viaKillall of [false, true]) {
        test(`kill ${when} (block ${block}, ${viaKillall ? 'killall' : 'kill'}): never runs; dead, successful, value GreenletExit; links fire`, async () => {
          const { run } = vhub();
          const result: number[] = [];
          await run(function* () {
            const linkTest: unknown[] = [];
            const g = new Greenlet((r: number[]) => r.push(1), result);
            g.link((x) => linkTest.push(x));
            start?.(g);
            const killer = () => (viaKillall ? killall([g], { block }) : g.kill({ block }));
            const assertKilled = () => {
              expect([g.started, g.dead, g.ready(), g.successful()]).toEqual([
                false,
                true,
                true,
                true,
              ]);
              expect(g.value).toBeInstanceOf(GreenletExit);
              expect(g.exception).toBeNull();
            };
            yield* killer();
            if (!block) yield* sleep(0.001);
            assertKilled();
            yield* sleep(0.01);
            assertKilled();
            yield* killer(); // a second kill does no harm
            assertKilled();
            yield* sleep(2);
            expect(linkTest).toEqual([g]);
          });
          expect(result).toEqual([]);
        });
      }
    }
  }

  // test__greenlet TestKillWhileRunning (with a started greenlet, as test__api test_killing_dormant)
  test('kill({ block: true }) of a sleeping greenlet runs its catch and finally before returning', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* sleep(10);
          log.push('never');
        } catch (e) {
          log.push(isGreenletExit(e) ? 'caught exit' : 'caught other');
          throw e;
        } finally {
          log.push('finally');
        }
      });
      yield* sleep(0.01);
      yield* g.kill();
      log.push('kill returned');
      expect(g.dead).toBe(true);
      expect(g.successful()).toBe(true);
      expect(g.value).toBeInstanceOf(GreenletExit);
    });
    expect(log).toEqual(['caught exit', 'finally', 'kill returned']);
  });

  // test__greenlet TestKill.test_non_block; gevent Greenlet.kill docstring
  test('kill({ block: false }) returns at once; the exit is raised when the hub runs', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      yield* sleep(0);
      yield* g.kill({ block: false });
      expect(g.dead).toBe(false);
      yield* sleep(0);
      expect(g.dead).toBe(true);
    });
  });

  // test__greenlet TestKill.test_non_type_exception*, test_non_exc_exception*
  test('kill({ exception }) with an instance or a class: the greenlet fails with it', async () => {
    const { run, reports } = vhub();
    await run(function* () {
      for (const viaKillall of [false, true]) {
        const err = new ExpectedError('instance');
        const a = spawn(sleep, 10);
        const b = spawn(sleep, 10);
        yield* sleep(0);
        if (viaKillall) {
          yield* killall([a], { exception: err });
          yield* killall([b], { exception: ExpectedError });
        } else {
          yield* a.kill({ exception: err });
          yield* b.kill({ exception: ExpectedError });
        }
        expect(a.successful()).toBe(false);
        expect(a.exception).toBe(err);
        expect(b.successful()).toBe(false);
        expect(b.exception).toBeInstanceOf(ExpectedError);
      }
    });
    // An error a kill raised is an error of the greenlet: reported (gevent prints it too).
    expect(reports).toHaveLength(4);
  });

  test('kill({ exception }) of an unstarted greenlet: it never runs and fails with it', async () => {
    const { run } = vhub();
    let ran = false;
    await run(function* () {
      const g = spawn(() => {
        ran = true;
      });
      const err = new ExpectedError('before start');
      yield* g.kill({ exception: err });
      expect(g.exception).toBe(err);
      expect(g.successful()).toBe(false);
    });
    expect(ran).toBe(false);
  });

  test('kill({ exception }) refuses what cannot be thrown as an error: TypeError, nothing killed', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      expect(() => g.kill({ exception: 42 })).toThrow(TypeError);
      expect(() => g.kill({ exception: function notAnError() {} })).toThrow(TypeError);
      expect(() => killall([g], { exception: 'x' })).toThrow(TypeError);
      yield* sleep(0);
      expect(g.dead).toBe(false);
      yield* g.kill();
    });
  });

  // gevent Greenlet.kill docstring: kill on a ready greenlet returns at once, never raises
  test('killing a dead greenlet returns at once and changes nothing', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(() => 7);
      yield* g.join();
      const t0 = hub.loop.now();
      yield* g.kill();
      yield* g.kill({ exception: new ExpectedError() });
      expect(hub.loop.now()).toBe(t0);
      expect(g.successful()).toBe(true);
      expect(g.value).toBe(7);
    });
  });

  // gevent Greenlet.kill docstring: timeout bounds the wait in join
  test('kill({ timeout }) waits at most the grace period, then the greenlet is ended anyway', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* sleep(10);
        } catch {
          log.push('swallowed');
        }
        yield* sleep(5); // keeps running after the kill
        log.push('never');
      });
      yield* sleep(0);
      const t0 = hub.loop.now();
      yield* g.kill({ timeout: 0.5 });
      expect(hub.loop.now() - t0).toBe(0.5);
      expect(g.dead).toBe(true);
    });
    expect(log).toEqual(['swallowed']);
  });

  test('a greenlet that kills itself with block raises the exit at once', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* (getcurrent() as Greenlet).kill();
          log.push('after kill');
        } finally {
          log.push('finally');
        }
      });
      yield* g.join();
      expect(g.successful()).toBe(true);
      expect(g.value).toBeInstanceOf(GreenletExit);
    });
    expect(log).toEqual(['finally']);
  });

  test('using g = spawn(...): leaving the block kills g without waiting', async () => {
    const { run } = vhub();
    await run(function* () {
      let g: Greenlet<any>;
      {
        using h = spawn(sleep, 10);
        g = h;
        yield* sleep(0);
      }
      // the same without `using`:
      const h2 = spawn(sleep, 10);
      try {
        yield* sleep(0);
      } finally {
        h2[Symbol.dispose]();
      }
      yield* sleep(0);
      expect(g.dead).toBe(true);
      expect(h2.dead).toBe(true);
    });
  });
});

describe('links', () => {
  // test__greenlet TestLink.test_link_to_asyncresult (links after death still fire)
  test('a link added after death is still called, once, from the hub', async () => {
    const { run } = vhub();
    await run(function* () {
      const p = spawn(() => 100);
      yield* p.join();
      for (let i = 0; i < 3; i++) {
        const got: unknown[] = [];
        p.link((g) => got.push(g.value));
        expect(got).toEqual([]); // never synchronously inside link()
        yield* sleep(0);
        expect(got).toEqual([100]);
      }
    });
  });

  // test__order Test.test_greenlet_link
  test('1000 links run in the order they were added', async () => {
    const { run } = vhub();
    const order: number[] = [];
    await run(function* () {
      const g = spawn(sleep, 0.1);
      for (let i = 0; i < 1000; i++) g.link(() => order.push(i));
      yield* g.join();
      yield* sleep(0);
    });
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  // test__greenlet TestReturn_link(_value), TestRaise_link(_exception)
  test('linkValue fires only on success (a GreenletExit kill is one); linkException only on failure', async () => {
    const { run } = vhub();
    await run(function* () {
      const fired: string[] = [];
      const watch = (name: string, g: Greenlet<any>) => {
        g.link(() => fired.push(`${name}:link`));
        g.linkValue(() => fired.push(`${name}:value`));
        g.linkException(() => fired.push(`${name}:exception`));
      };
      const ok = spawn(() => 25);
      const bad = spawn(() => {
        throw new ExpectedError();
      });
      const killed = spawn(sleep, 1);
      watch('ok', ok);
      watch('bad', bad);
      watch('killed', killed);
      yield* sleep(0);
      yield* killed.kill();
      yield* sleep(DELAY);
      expect(fired.sort()).toEqual(
        ['ok:link', 'ok:value', 'bad:link', 'bad:exception', 'killed:link', 'killed:value'].sort(),
      );
    });
  });

  // test__greenlet TestStuff.test_multiple_listeners_error
  test('a listener that throws is reported; the others still run', async () => {
    const { run, reports } = vhub();
    const results: number[] = [];
    await run(function* () {
      for (const body of [
        () => 5,
        () => {
          throw new ExpectedError('body');
        },
      ]) {
        const p = spawn(body);
        p.link(() => {
          results.push(10);
          throw new ExpectedError('listener1');
        });
        p.link(() => {
          results.push(20);
          throw new ExpectedError('listener2');
        });
        p.link(() => {
          throw new ExpectedError('listener3');
        });
        yield* sleep(DELAY * 10);
      }
    });
    expect(results).toEqual([10, 20, 10, 20]);
    // 3 listener errors twice, plus the body's own error
    expect(reports.filter((r) => /listener\d/.test(r))).toHaveLength(6);
    expect(reports).toHaveLength(7);
  });

  // test__greenlet TestStuff.test_multiple_listeners_error_unlink_Greenlet_link / _rawlink
  for (const how of ['link', 'rawlink'] as const) {
    test(`a listener that unlinks a later one (${how}) prevents that call`, async () => {
      const { run } = vhub();
      const results: number[] = [];
      await run(function* () {
        const p = spawn(() => 5);
        const l1 = (g: Greenlet<any>) => {
          g.unlink(l2);
          results.push(5);
          throw new ExpectedError('listener1');
        };
        const l2 = (g: Greenlet<any>) => {
          g.unlink(l1);
          results.push(5);
          throw new ExpectedError('listener2');
        };
        const l3 = () => {
          throw new ExpectedError('listener3');
        };
        p[how](l1);
        p[how](l2);
        p[how](l3);
        yield* sleep(DELAY * 10);
      });
      expect(results).toEqual([5]);
    });
  }

  // test__greenlet TestUnlink.test_func_link / _value / _exception
  for (const how of ['link', 'linkValue', 'linkException', 'rawlink'] as const) {
    test(`hasLinks counts, unlink removes (${how}); unlink of an unknown callback does nothing`, async () => {
      const { run } = vhub();
      await run(function* () {
        const p = spawn(dummy);
        const other = () => {};
        p[how](dummy);
        expect(p.hasLinks()).toBe(1);
        p.unlink(dummy);
        expect(p.hasLinks()).toBe(0);
        p[how](other);
        p.unlink(dummy);
        expect(p.hasLinks()).toBe(1);
        p.unlinkAll();
        expect(p.hasLinks()).toBe(0);
        yield* p.kill();
      });
    });
  }

  test('linking the same callback twice calls it twice; unlink removes one of them', async () => {
    const { run } = vhub();
    let calls = 0;
    await run(function* () {
      const cb = () => {
        calls++;
      };
      const a = spawn(dummy);
      a.link(cb);
      a.link(cb);
      const b = spawn(dummy);
      b.link(cb);
      b.link(cb);
      b.unlink(cb);
      yield* joinall([a, b]);
      yield* sleep(0);
    });
    expect(calls).toBe(3);
  });

  // gevent Greenlet.rawlink: a non-callable is a TypeError
  test('rawlink/link/linkValue/linkException of a non-function: TypeError', async () => {
    const { run } = vhub();
    await run(function* () {
      const p = spawn(dummy);
      for (const how of ['link', 'linkValue', 'linkException', 'rawlink'] as const) {
        expect(() => (p as any)[how](42)).toThrow(TypeError);
      }
      expect(p.hasLinks()).toBe(0);
      yield* p.join();
    });
  });

  // test__greenlet TestLink.test_link_to_asyncresult(_exception): a link target object
  test('a link target (LINK_TARGET) receives the dead greenlet', async () => {
    const { run } = vhub();
    const got: unknown[] = [];
    await run(function* () {
      const target = { [LINK_TARGET]: (g: Greenlet<any>) => got.push(g.value ?? g.exception) };
      const err = new ExpectedError();
      const a = spawn(() => 100);
      const b = spawn(() => {
        throw err;
      });
      a.link(target);
      b.link(target);
      yield* joinall([a, b]);
      yield* sleep(0);
      expect(got).toEqual([100, err]);
    });
  });

  test('a link callback that is a generator function runs in its own greenlet and may wait', async () => {
    const { run, hub } = vhub();
    const log: unknown[] = [];
    await run(function* () {
      const p = spawn(() => 1);
      p.link(function* (g) {
        yield* sleep(1);
        log.push(g.value, hub.loop.now());
      });
      yield* sleep(2);
    });
    expect(log).toEqual([1, 1]);
  });
});
