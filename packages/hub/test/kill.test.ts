/**
 * Kill and Timeout where every `catch` catches everything (DECISIONS "Kill is SIGTERM, then
 * SIGKILL"): GreenletExit first, then after the grace period the generator's return() at
 * that wait and at every later one. On the virtual clock, so the grace period is exact.
 */
import { isGreenletExit } from '@g/greenlet';
import { describe, expect, test } from 'vitest';
import { type Greenlet, sleep, spawn, Timeout } from '../src/index.js';
import { vhub } from './helpers.js';

describe('the forced end after the grace period', () => {
  test('for (;;) { try { yield* sleep(10) } catch {} } is ended by one kill({ block: true }); finally runs', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          for (;;) {
            try {
              yield* sleep(10);
            } catch {
              log.push('swallowed');
            }
          }
        } finally {
          log.push('finally');
        }
      });
      yield* sleep(0);
      const t0 = hub.loop.now();
      yield* g.kill({ block: true });
      expect(g.dead).toBe(true);
      expect(hub.loop.now() - t0).toBe(hub.killGrace);
      // Ended by the kill: it counts as killed by GreenletExit (success, value the exit).
      expect(g.successful()).toBe(true);
      expect(isGreenletExit(g.value)).toBe(true);
    });
    expect(log).toEqual(['swallowed', 'finally']);
  });

  test('a waiting finally two yield* levels deep runs to its end inside the grace period', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    function* inner() {
      try {
        yield* sleep(10);
      } finally {
        yield* sleep(0.5);
        log.push(`inner cleanup done at ${hub.loop.now()}`);
      }
    }
    function* middle() {
      try {
        yield* inner();
        log.push('after inner (never)');
      } finally {
        yield* sleep(0.2);
        log.push(`middle cleanup done at ${hub.loop.now()}`);
      }
    }
    await run(function* () {
      const g = spawn(function* () {
        yield* middle();
        log.push('after middle (never)');
      });
      yield* sleep(1);
      yield* g.kill();
      expect(g.dead).toBe(true);
      expect(g.successful()).toBe(true);
    });
    expect(log).toEqual(['inner cleanup done at 1.5', 'middle cleanup done at 1.7']);
  });

  test('after a forced end no code after the inner call runs (even when a finally waits)', async () => {
    const { run } = vhub();
    const log: string[] = [];
    function* stubborn() {
      try {
        for (;;) {
          try {
            yield* sleep(10);
          } catch {
            log.push('inner swallowed');
          }
        }
      } finally {
        log.push('inner finally');
        yield* sleep(0.1); // cut: the forced end answers this wait with return() too
        log.push('inner finally after its wait (cut)');
      }
    }
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* stubborn();
          log.push('after the inner call (must not run)');
          yield* sleep(1);
          log.push('later (must not run)');
        } finally {
          log.push('outer finally');
        }
      });
      yield* sleep(0);
      yield* g.kill();
      expect(g.dead).toBe(true);
    });
    expect(log).toEqual(['inner swallowed', 'inner finally', 'outer finally']);
  });

  test('kill({ timeout }) sets the grace period; hub.killGrace is the default', async () => {
    const { run, hub } = vhub({ killGrace: 0.25 });
    await run(function* () {
      const body = function* () {
        for (;;) {
          try {
            yield* sleep(10);
          } catch {}
        }
      };
      const a = spawn(body);
      const b = spawn(body);
      yield* sleep(0);
      let t0 = hub.loop.now();
      yield* a.kill();
      expect(hub.loop.now() - t0).toBe(0.25);
      t0 = hub.loop.now();
      yield* b.kill({ timeout: 2 });
      expect(hub.loop.now() - t0).toBe(2);
    });
  });

  test('kill({ timeout: -1 }) or 0: no grace, the forced end comes at the next loop turn', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* sleep(10);
        } catch {
          log.push('caught');
          yield* sleep(5);
          log.push('never');
        }
      });
      yield* sleep(0);
      yield* g.kill({ timeout: -1 });
      expect(g.dead).toBe(true);
      expect(hub.loop.now()).toBe(0);
    });
    expect(log).toEqual(['caught']);
  });

  test('kill({ timeout: Infinity }) (or killGrace Infinity) never forces; Infinity join/get timeouts wait', async () => {
    const { run, hub } = vhub({ killGrace: Infinity });
    await run(function* () {
      const stubborn = spawn(function* () {
        for (let i = 0; i < 3; i++) {
          try {
            yield* sleep(10);
          } catch {}
        }
        return 'ended on its own';
      });
      yield* sleep(0);
      yield* stubborn.kill({ timeout: Infinity });
      expect(hub.loop.now()).toBe(20);
      expect(stubborn.value).toBe('ended on its own');
      const g = spawn(sleep, 1);
      expect(yield* g.join(Infinity)).toBe(true);
      const h = spawn(() => 'v');
      expect(yield* h.get({ timeout: Infinity })).toBe('v');
    });
    expect(() => vhub({ killGrace: -1 })).toThrow(RangeError);
    expect(() => vhub({ killGrace: Number.NaN })).toThrow(RangeError);
  });

  test('spawnLater(Infinity) and startLater(Infinity) are a RangeError', async () => {
    const { run } = vhub();
    const { spawnLater, Greenlet } = await import('../src/index.js');
    await run(function* () {
      expect(() => spawnLater(Infinity, () => 1)).toThrow(RangeError);
      expect(() => new Greenlet(() => 1).startLater(Infinity)).toThrow(RangeError);
      yield* sleep(0);
    });
  });

  test('kill({ timeout: NaN }) is a TypeError at the call; nothing is killed', async () => {
    const { run } = vhub();
    await run(function* () {
      const g = spawn(sleep, 1);
      expect(() => g.kill({ timeout: Number.NaN })).toThrow(TypeError);
      expect(() => g.join(Number.NaN)).toThrow(TypeError);
      expect(() => g.get({ timeout: Number.NaN })).toThrow(TypeError);
      yield* g.join();
      expect(g.successful()).toBe(true);
    });
  });

  test('negative join/get timeouts expire at the next loop turn', async () => {
    const { run, hub } = vhub();
    await run(function* () {
      const g = spawn(sleep, 1);
      expect(yield* g.join(-1)).toBe(false);
      let caught: unknown = null;
      try {
        yield* g.get({ timeout: -5 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Timeout);
      expect(hub.loop.now()).toBe(0);
      yield* g.join();
    });
  });

  test('a kill that is caught, then the greenlet returns: it dies normally, with its value', async () => {
    const { run } = vhub();
    await run(function* () {
      // test__api Test.test_killing_dormant: `except: pass` then 'finished'
      const state: string[] = [];
      const g = spawn(function* () {
        try {
          state.push('start');
          yield* sleep(0.3);
        } catch {
          state.push('except');
        }
        state.push('finished');
        return 'done';
      });
      yield* sleep(0.05);
      expect(state).toEqual(['start']);
      yield* g.kill();
      expect(state).toEqual(['start', 'except', 'finished']);
      expect(g.value).toBe('done');
    });
  });
});

describe('a Timeout swallowed inside its block follows the same rule', () => {
  test('expired, swallowed and never cancelled: ended killGrace later, failing with the Timeout', async () => {
    const { run, hub } = vhub();
    const log: string[] = [];
    let t: Timeout | null = null;
    let g: Greenlet<any> | null = null;
    await run(function* () {
      g = spawn(function* () {
        t = Timeout.startNew(0.5);
        try {
          for (;;) {
            try {
              yield* sleep(10);
            } catch (e) {
              log.push(e === t ? `swallowed the Timeout at ${hub.loop.now()}` : 'other');
            }
          }
        } finally {
          log.push(`finally at ${hub.loop.now()}`);
        }
      });
      yield* g.join();
    });
    expect(log).toEqual(['swallowed the Timeout at 0.5', 'finally at 1.5']);
    expect(g!.successful()).toBe(false);
    expect(g!.exception).toBe(t);
  });

  test('a Timeout caught and cancelled (its block left) ends nothing', async () => {
    const { run, hub } = vhub();
    const out = await run(function* () {
      const t = Timeout.startNew(0.5);
      try {
        yield* sleep(10);
      } catch (e) {
        if (e !== t) throw e;
      } finally {
        t.cancel();
      }
      yield* sleep(5);
      return hub.loop.now();
    });
    expect(out).toBe(5.5);
  });

  test('a withTimeout that expired and returned its timeoutValue ends nothing', async () => {
    const { run, hub } = vhub();
    const { withTimeout } = await import('../src/index.js');
    const out = await run(function* () {
      const v = yield* withTimeout(0.5, { timeoutValue: 'late' }, sleep, 10);
      yield* sleep(5);
      return [v, hub.loop.now()];
    });
    expect(out).toEqual(['late', 5.5]);
  });
});
