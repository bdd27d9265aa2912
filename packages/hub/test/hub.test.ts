/**
 * The hub: scheduling order, sleep/idle, error reports, LoopExit, join/destroy. Ports of
 * test__hub.py, test__sleep0.py (the virtual-clock part), test__order.py, test__api.py
 * (invalid switch), test__systemerror.py (the portable part), test__destroy.py, on the
 * virtual clock.
 */
import { GreenletExit } from '@g/greenlet';
import { describe, expect, test } from 'vitest';
import {
  BlockingSwitchOutError,
  createHub,
  defaultHub,
  Greenlet,
  getcurrent,
  getHub,
  InvalidSwitchError,
  idle,
  isLoopExit,
  joinall,
  LoopExit,
  run,
  sleep,
  spawn,
  spawnLater,
  spawnRaw,
  Timeout,
  toPromise,
  type Waitable,
  wait,
} from '../src/index.js';
import { ExpectedError, vhub } from './helpers.js';

const DELAY = 0.1;
const never: Waitable = { rawlink() {}, unlink() {}, ready: () => false };

describe('scheduling order', () => {
  // test__order TestSleep0.test (three greenlets, several rounds)
  test('sleep(0) round-robins every runnable greenlet in FIFO order', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const gs = [1, 2, 3].map((n) =>
        spawn(function* () {
          for (const step of ['A', 'B', 'C']) {
            log.push(`${n}${step}`);
            yield* sleep(0);
          }
        }),
      );
      yield* joinall(gs);
    });
    expect(log).toEqual(['1A', '2A', '3A', '1B', '2B', '3B', '1C', '2C', '3C']);
  });

  // test__sleep0 (virtual clock: a Timeout already due fires inside a sleep(0) spin)
  test('a greenlet spinning on sleep(0) does not starve a due Timeout', async () => {
    const { run } = vhub();
    let spins = 0;
    await run(function* () {
      yield* new Timeout(0, false).scope(function* () {
        for (;;) {
          spins++;
          yield* sleep(0);
        }
      });
    });
    expect(spins).toBeGreaterThan(0);
    expect(spins).toBeLessThan(1000);
  });

  test('a greenlet spinning on sleep(0) does not starve timers due now, nor other greenlets', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    await run(function* () {
      let stop = false;
      const spinner = spawn(function* () {
        while (!stop) yield* sleep(0);
      });
      const timed = spawnLater(0, () => {
        log.push(`timer at ${hub.loop.now()}`);
        stop = true;
      });
      yield* joinall([spinner, timed]);
    });
    expect(log).toEqual(['timer at 0']);
  });

  // gevent: callbacks switch directly; what the woken greenlet queues comes after the
  // other pending watchers (a Timeout due with a sleep wins over that greenlet's sleep(0))
  test('greenlets woken by timers due together run in deadline order, before sleep(0) follow-ups', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const gs = [1, 2, 3].map((n) =>
        spawn(function* () {
          yield* sleep(1);
          log.push(`${n} woke`);
          yield* sleep(0);
          log.push(`${n} after sleep(0)`);
        }),
      );
      yield* joinall(gs);
    });
    expect(log).toEqual([
      '1 woke',
      '2 woke',
      '3 woke',
      '1 after sleep(0)',
      '2 after sleep(0)',
      '3 after sleep(0)',
    ]);
  });

  // test__api TestTimers.test_timer_fired
  test('spawnLater fires from a timer; the spawner has not run before it waits', async () => {
    const { run } = vhub();
    const lst = [1];
    await run(function* () {
      spawn(function* () {
        spawnLater(0.01, () => lst.pop());
        yield* sleep(0.02);
      });
      expect(lst).toEqual([1]);
      yield* sleep();
      yield* sleep(0.1);
    });
    expect(lst).toEqual([]);
  });
});

describe('sleep and idle', () => {
  // test__hub TestSleep (AbstractGenericWaitTestCase)
  test('sleep(t) lasts exactly t on the virtual clock; sleep() and negatives yield only', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      for (const t of [0.001, 0.5, 3600]) {
        const t0 = hub.loop.now();
        yield* sleep(t);
        expect(hub.loop.now() - t0).toBe(t);
      }
      const t0 = hub.loop.now();
      yield* sleep();
      yield* sleep(0);
      yield* sleep(-1);
      expect(hub.loop.now()).toBe(t0);
    });
  });

  test('sleep(NaN) or sleep of a non-number is a TypeError at the call', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => sleep(Number.NaN)).toThrow(TypeError);
      expect(() => sleep('1' as any)).toThrow(TypeError);
      yield* sleep(0);
    });
  });

  test('sleep(Infinity) never wakes by itself (a kill ends it)', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, Infinity);
      yield* sleep(100);
      expect(g.dead).toBe(false);
      yield* g.kill();
      expect(hub.loop.now()).toBe(100);
    });
  });

  // gevent hub.py sleep(ref=False)
  test('sleep(s, { ref: false }) does not keep the hub alive', async () => {
    const { hub } = vhub();
    const g = await hub.run(() => spawn(sleep, 10, { ref: false }));
    expect(await hub.join()).toBe(true);
    expect(hub.loop.now()).toBe(0);
    expect(g.dead).toBe(false);
  });

  // gevent hub.py idle(); test__event test_wait_while_notifying
  test('idle() waits until nothing else of its priority is runnable', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const busy = spawn(function* () {
        for (let i = 0; i < 3; i++) {
          log.push(`busy ${i}`);
          yield* sleep(0);
        }
      });
      const idler = spawn(function* () {
        yield* idle();
        log.push('idle');
      });
      yield* joinall([busy, idler]);
    });
    expect(log).toEqual(['busy 0', 'busy 1', 'busy 2', 'idle']);
  });

  test('idle(priority) outside -2..2 is a RangeError', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => idle(3)).toThrow(RangeError);
      expect(() => idle(0.5)).toThrow(RangeError);
      yield* idle(-2);
    });
  });

  // test__api Test.test_sleep_invalid_switch
  test('a raw switch into a sleeping greenlet is refused; the sleep goes on undisturbed', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const p = spawn(sleep, 2);
      yield* sleep(0);
      const switcher = spawn(() => {
        try {
          p.switch(null);
          return 'switched';
        } catch (e) {
          return e;
        }
      });
      const r = yield* switcher.get();
      expect(r).toBeInstanceOf(InvalidSwitchError);
      yield* p.join();
      expect(hub.loop.now()).toBe(2);
      expect(p.successful()).toBe(true);
    });
  });

  test('a forgotten yield* on sleep() is reported naming sleep, and the greenlet can go on', async () => {
    const { run, hub } = vhub();
    const msg = await run(function* () {
      sleep(1); // forgotten yield*
      try {
        yield* sleep(0);
      } catch (e) {
        yield* sleep(0.5);
        return (e as Error).message;
      }
    });
    expect(msg).toMatch(/`yield\* sleep\(/);
    expect(hub.loop.now()).toBe(0.5);
  });

  test('a blocking call outside a greenlet is a BlockingSwitchOutError that says how to run it', () => {
    expect(() => [...(sleep(1) as any)]).toThrow(BlockingSwitchOutError);
    expect(() => [...(sleep(1) as any)]).toThrow(/run\(/);
  });
});

describe('error reports (handleError)', () => {
  // test__hub TestExceptionInMainloop.test_sleep; test__systemerror test_exception
  test('a watcher callback that throws is reported; the hub and timers carry on', async () => {
    const { run, hub, reports } = vhub();
    await run(function* () {
      const w = (hub.loop as any).timer(0.001, 0);
      w.start(function fail() {
        throw new ExpectedError('TestExceptionInMainloop');
      });
      const t0 = hub.loop.now();
      yield* sleep(DELAY);
      expect(hub.loop.now() - t0).toBe(DELAY);
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/ExpectedError: TestExceptionInMainloop/);
    expect(reports[0]).toMatch(/timer watcher \(callback fail\) failed with ExpectedError/);
  });

  test('the report names the greenlet, its function and args, the error, and who spawned it', async () => {
    const { run, reports } = vhub();
    await run(function* main() {
      const g = spawn(
        function* work(n: number, s: string) {
          yield* sleep(1);
          throw new ExpectedError(`boom ${n}${s}`);
        },
        3,
        'abc',
      );
      yield* g.join();
    });
    expect(reports).toHaveLength(1);
    const r = reports[0]!;
    expect(r).toMatch(/^ExpectedError: boom 3abc\n\s+at work /);
    expect(r).toMatch(
      /\d{4}-\d\d-\d\dT[\d:.]+Z <Greenlet: work\(3, "abc"\)> failed with ExpectedError/,
    );
    expect(r).toMatch(
      /spawned by <Greenlet: main\(\)>, spawned by main \(code outside greenlets\)/,
    );
    expect(r).not.toMatch(/spawned at/);
  });

  test('with spawnStacks, the report shows where the greenlet was spawned', async () => {
    const { run, reports } = vhub({ spawnStacks: true });
    await run(function* main() {
      const g = spawn(function work() {
        throw new ExpectedError('boom');
      });
      yield* g.join();
    });
    const r = reports[0]!;
    expect(r).toMatch(/spawned at:\n\s+at main \(.*hub\.test\.ts:\d+:\d+\)/);
    const where = r.slice(r.indexOf('spawned at:'));
    expect(where).not.toMatch(/at (trampoline|spawn|new Greenlet) /);
  });

  // gevent hub NOT_ERROR
  test('GreenletExit is never reported; exceptionStream null reports nothing', async () => {
    const { run, hub, reports } = vhub();
    await run(function* () {
      const g = spawn(sleep, 10);
      yield* sleep(0);
      yield* g.kill();
      const raw = spawnRaw(() => {
        throw new GreenletExit();
      });
      yield* sleep(0);
      expect(raw.dead).toBe(true);
    });
    expect(reports).toEqual([]);
    hub.exceptionStream = null;
    await hub.run(function* () {
      yield* spawn(() => {
        throw new ExpectedError();
      }).join();
    });
    expect(reports).toEqual([]);
  });

  // test__hub TestHandleError.test_exception_in_custom_handle_error_does_not_crash
  test('an overriding handleError that throws: the hub survives, get() raises the original', async () => {
    const { run, hub, reports } = vhub();
    hub.handleError = () => {
      throw new TypeError('bad handler');
    };
    const err = new ExpectedError('MyException');
    const caught = await run(function* () {
      const g = spawn(() => {
        throw err;
      });
      try {
        yield* g.get();
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBe(err);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/TypeError: bad handler/);
  });

  test('handleError can be overridden: it receives the context and the error', async () => {
    const { run, hub } = vhub();
    const seen: Array<[unknown, unknown]> = [];
    hub.handleError = (context, error) => {
      seen.push([context, error]);
    };
    const err = new ExpectedError();
    let g: Greenlet<any> | null = null;
    await run(function* () {
      g = spawn(() => {
        throw err;
      });
      yield* g.join();
    });
    expect(seen).toEqual([[g, err]]);
  });

  // test__systemerror / the issue: an error in a greenlet never kills the hub or the process
  test('errors in greenlets, callbacks and links never stop the hub', async () => {
    const { run, hub, reports } = vhub();
    const out = await run(function* () {
      for (let i = 0; i < 3; i++) {
        spawn(() => {
          throw new ExpectedError(`g${i}`);
        });
      }
      hub.runCallback(function cb() {
        throw new ExpectedError('callback');
      });
      const g = spawn(() => 1);
      g.link(function badLink() {
        throw new ExpectedError('link');
      });
      yield* sleep(1);
      return 'still running';
    });
    expect(out).toBe('still running');
    expect(reports).toHaveLength(5);
    expect(reports.some((r) => /callback cb failed/.test(r))).toBe(true);
    expect(reports.some((r) => /link callback badLink of <Greenlet/.test(r))).toBe(true);
  });

  // gevent: BlockingSwitchOutError from a loop callback (conformance item 11)
  test('a blocking call in a callback run by the hub is reported as BlockingSwitchOutError', async () => {
    const { run, hub, reports } = vhub();
    await run(function* () {
      hub.runCallback(function waits() {
        const it = sleep(1) as any;
        it[Symbol.iterator]().next();
      });
      const g = spawn(() => 1);
      const sleeper = spawn(sleep, 10);
      g.link(function linkWaits() {
        const it = sleeper.join() as any;
        it[Symbol.iterator]().next();
      });
      yield* sleep(0.5);
      yield* sleeper.kill();
    });
    expect(reports).toHaveLength(2);
    for (const r of reports) expect(r).toMatch(/BlockingSwitchOutError/);
  });

  test('runCallback(fn) of a non-function is a TypeError', () => {
    const { hub } = vhub();
    expect(() => hub.runCallback(42 as any)).toThrow(TypeError);
  });
});

describe('LoopExit', () => {
  test('run(): waiting on something nothing can wake fails with LoopExit naming it', async () => {
    const { hub } = vhub();
    const p = hub.run(function* main() {
      yield* wait([never]);
    });
    await expect(p).rejects.toBeInstanceOf(LoopExit);
    await expect(p).rejects.toThrow(
      /This operation would block forever: <Greenlet: main\(\)> waits on iwait/,
    );
  });

  test('a join from run()s main on a greenlet that waits forever: LoopExit names both', async () => {
    const { run } = vhub();
    let err: unknown = null;
    await run(function* main() {
      const stuck = spawn(function* stuckWork() {
        yield* wait([never]);
      });
      try {
        yield* stuck.join();
      } catch (e) {
        err = e;
      }
      yield* stuck.kill();
    });
    expect(isLoopExit(err)).toBe(true);
    expect(String(err)).toMatch(/<Greenlet: main\(\)> waits on Greenlet\.join/);
  });

  test('LoopExit is raised at the wait: main can catch it and go on', async () => {
    const { run } = vhub();
    const out = await run(function* () {
      try {
        yield* wait([never]);
      } catch (e) {
        if (!(e instanceof LoopExit)) throw e;
      }
      yield* sleep(1);
      return 'recovered';
    });
    expect(out).toBe('recovered');
  });

  test('a main that swallows LoopExit and waits on nothing again is ended with it (no spin)', async () => {
    const { run } = vhub();
    let swallowed = 0;
    const p = run(function* () {
      for (;;) {
        try {
          yield* wait([never]);
        } catch {
          swallowed++;
        }
      }
    });
    await expect(p).rejects.toBeInstanceOf(LoopExit);
    expect(swallowed).toBe(1);
  });

  test('toPromise(g) of a greenlet that waits forever rejects with LoopExit; others stay', async () => {
    const { hub } = vhub();
    const g = await hub.run(() =>
      spawn(function* () {
        yield* wait([never]);
      }),
    );
    const unawaited = await hub.run(() =>
      spawn(function* () {
        yield* wait([never]);
      }),
    );
    await expect(toPromise(g)).rejects.toBeInstanceOf(LoopExit);
    expect(unawaited.dead).toBe(false);
    expect(unawaited.waitingOn).toBe('iwait');
  });

  test('a pending timer is not LoopExit: the wait ends when it fires', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawnLater(5, () => 1);
      yield* g.join();
      expect(hub.loop.now()).toBe(5);
    });
  });
});

describe('hubs: getHub, createHub, join, destroy', () => {
  test('getHub() inside a greenlet is its hub; outside, the default hub', async () => {
    const { run, hub } = vhub();
    const inside = await run(() => getHub());
    expect(inside).toBe(hub);
    expect(getHub()).toBe(defaultHub());
    const nested = await run(function* () {
      const g = spawn(() => getHub());
      return yield* g.get();
    });
    expect(nested).toBe(hub);
  });

  test('createHub refuses an unknown backend', () => {
    expect(() => createHub({ backend: 'uv' as any })).toThrow(TypeError);
  });

  test('hub.join(NaN) is a TypeError; hub.join(-1) resolves at once', async () => {
    const { hub } = vhub();
    expect(() => hub.join(Number.NaN)).toThrow(TypeError);
    await hub.run(() => spawnLater(10, () => 1));
    expect(await hub.join(-1)).toBe(false);
  });

  // test__destroy TestDestroyHub.test_destroy_hub
  test('destroy(): a destroyed hub never runs again; run() on it rejects; pending join resolves', async () => {
    const hub = createHub({ backend: 'virtual' });
    hub.exceptionStream = null;
    const log: string[] = [];
    const g = await hub.run(() =>
      spawn(function* () {
        try {
          yield* sleep(1);
          log.push('woke');
        } finally {
          log.push('finally');
        }
      }),
    );
    const joined = hub.join();
    hub.destroy();
    hub.destroy();
    expect(await joined).toBe(true);
    expect(hub.isDestroyed).toBe(true);
    expect((hub.loop as any).destroyed).toBe(true);
    await expect(hub.run(() => 1)).rejects.toThrow(/destroyed/);
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual([]);
    expect(g.dead).toBe(false);
  });

  test('destroy(false) keeps the loop; the default hub keeps the default loop and is replaced', async () => {
    const hub = createHub({ backend: 'virtual' });
    hub.destroy(false);
    expect((hub.loop as any).destroyed).toBe(false);
    (hub.loop as any).destroy();
    const d = defaultHub();
    const loop = d.loop;
    d.destroy();
    expect((loop as any).destroyed).toBe(false);
    const d2 = getHub();
    expect(d2).not.toBe(d);
    expect(d2.loop).toBe(loop);
    expect(await run(() => 'works')).toBe('works');
  });

  test('run(fn) rejects a non-function, non-Op', async () => {
    await expect(run(42 as any)).rejects.toBeInstanceOf(TypeError);
  });

  test('the running greenlet is getcurrent(); its hub is its parent', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const me = getcurrent() as Greenlet;
      expect(me).toBeInstanceOf(Greenlet);
      expect(me.parent).toBe(hub);
      expect(me.hub).toBe(hub);
      yield* sleep(0);
    });
  });
});
