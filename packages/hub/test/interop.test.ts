/**
 * Interop with the rest of Node: promises waited on inside greenlets (until), greenlets and
 * Ops awaited from async code (run, hub.run, toPromise, for await), EventEmitter and
 * EventTarget events (once). Virtual clock: a pending until() holds time still.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import {
  Greenlet,
  getcurrent,
  iwait,
  once,
  sleep,
  spawn,
  Timeout,
  toPromise,
  until,
} from '../src/index.js';
import { ExpectedError, vhub } from './helpers.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('until(promise) inside a greenlet', () => {
  test('returns the value; other greenlets run while it waits', async () => {
    const { run } = vhub();
    const log: string[] = [];
    const out = await run(function* () {
      const other = spawn(function* () {
        for (let i = 0; i < 3; i++) {
          log.push(`other ${i}`);
          yield* sleep(0);
        }
      });
      const v = yield* until(
        new Promise<number>((r) =>
          setTimeout(() => {
            log.push('resolved');
            r(42);
          }, 5),
        ),
      );
      yield* other.join();
      return v;
    });
    expect(out).toBe(42);
    expect(log).toEqual(['other 0', 'other 1', 'other 2', 'resolved']);
  });

  test('a rejection is raised at the wait (same error)', async () => {
    const { run } = vhub();
    const err = new ExpectedError('rejected');
    const caught = await run(function* () {
      try {
        yield* until(Promise.reject(err));
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBe(err);
  });

  test('a non-thenable is returned as is, without waiting', async () => {
    const { run } = vhub();
    expect(
      await run(function* () {
        return [yield* until(5), yield* until(null)];
      }),
    ).toEqual([5, null]);
  });

  test('killable while waiting: the kill ends the wait, the later settlement is ignored', async () => {
    const { run, reports } = vhub();
    let reject!: (e: unknown) => void;
    const never = new Promise((_r, j) => {
      reject = j;
    });
    const log: string[] = [];
    await run(function* () {
      const g = spawn(function* () {
        try {
          yield* until(never);
          log.push('never');
        } finally {
          log.push('finally');
        }
      });
      yield* sleep(0);
      expect(g.waitingOn).toBe('until');
      yield* g.kill();
      expect(g.dead).toBe(true);
    });
    reject(new ExpectedError('late rejection'));
    await tick();
    expect(log).toEqual(['finally']);
    expect(reports).toEqual([]);
  });

  test('a Timeout ends the wait on a promise', async () => {
    const { run } = vhub();
    const caught = await run(function* () {
      // Virtual time stands still while until() waits, so only a Timeout already due can
      // fire here (the real-clock version is in realtime.os.test.ts).
      const t = Timeout.startNew(0);
      try {
        yield* until(new Promise(() => {}));
      } catch (e) {
        return e === t;
      } finally {
        t.cancel();
      }
    });
    expect(caught).toBe(true);
  });

  test('a pending until() counts as referenced: no LoopExit, virtual time stands still', async () => {
    const { run, hub } = vhub();
    const out = await run(function* () {
      const timer = spawn(sleep, 1);
      const v = yield* until(new Promise((r) => setTimeout(() => r('ok'), 20)));
      const at = hub.loop.now();
      yield* timer.join();
      return [v, at];
    });
    expect(out).toEqual(['ok', 0]);
  });

  test('a greenlet body that returns a promise is awaited as until()', async () => {
    const { run } = vhub();
    const out = await run(function* () {
      const g = spawn(async (x: number) => {
        await tick();
        return x * 2;
      }, 21);
      const bad = spawn(async () => {
        await tick();
        throw new ExpectedError('async body');
      });
      let caught: unknown = null;
      try {
        yield* bad.get();
      } catch (e) {
        caught = e;
      }
      return [yield* g.get(), caught instanceof ExpectedError];
    });
    expect(out).toEqual([42, true]);
  });
});

describe('greenlets and Ops from async code', () => {
  test('run(fn) resolves with the result and rejects with the error', async () => {
    const { hub } = vhub();
    expect(await hub.run(() => 1)).toBe(1);
    expect(await hub.run((a: number, b: number) => a + b, 2, 3)).toBe(5);
    await expect(
      hub.run(() => {
        throw new ExpectedError('x');
      }),
    ).rejects.toBeInstanceOf(ExpectedError);
  });

  test('an error awaited through run() is not reported a second time', async () => {
    const { hub, reports } = vhub();
    await expect(
      hub.run(function* () {
        yield* sleep(1);
        throw new ExpectedError('surfaced');
      }),
    ).rejects.toThrow('surfaced');
    expect(reports).toEqual([]);
  });

  test('hub.run(op) runs any Op: await hub.run(g.kill())', async () => {
    const { hub } = vhub();
    const g = await hub.run(() => spawn(sleep, 10));
    await hub.run(g.kill());
    expect(g.dead).toBe(true);
    const h = await hub.run(() => spawn(() => 7));
    expect(await hub.run(h.get())).toBe(7);
    expect(await hub.run(h.join())).toBe(true);
  });

  test('toPromise(g): resolves with the value (the exit if killed), rejects with the error', async () => {
    const { hub } = vhub();
    const [ok, bad, killed] = await hub.run(() => [
      spawn(function* () {
        yield* sleep(1);
        return 'v';
      }),
      spawn(() => {
        throw new ExpectedError('e');
      }),
      spawn(sleep, 10),
    ]);
    await expect(toPromise(ok)).resolves.toBe('v');
    await expect(toPromise(bad)).rejects.toBeInstanceOf(ExpectedError);
    await hub.run(killed.kill());
    const v = await toPromise(killed);
    expect((v as any).name).toBe('GreenletExit');
    await expect(toPromise({} as any)).rejects.toBeInstanceOf(TypeError);
  });

  test('run() starts its greenlet in a microtask, not inside the call', async () => {
    const { hub } = vhub();
    let ran = false;
    const p = hub.run(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await p;
    expect(ran).toBe(true);
  });

  test('for await over an OpIterator (iwait) outside greenlets', async () => {
    const { hub } = vhub();
    const gs = await hub.run(() => [spawn(() => 'a'), spawn(() => 'b')]);
    const seen: string[] = [];
    for await (const g of iwait(gs as Greenlet<string>[]))
      seen.push((g as Greenlet<string>).value!);
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  test('run() from inside a greenlet starts another greenlet of the same hub', async () => {
    const { run, hub } = vhub();
    const out = await run(function* () {
      const p = hub.run(() => getcurrent());
      return yield* until(p);
    });
    expect(out).toBeInstanceOf(Greenlet);
  });
});

describe('once(emitter, event)', () => {
  test('waits for an EventEmitter event and returns its arguments', async () => {
    const { run } = vhub();
    const em = new EventEmitter();
    const out = await run(function* () {
      setTimeout(() => em.emit('data', 1, 'two'), 5);
      return yield* once(em, 'data');
    });
    expect(out).toEqual([1, 'two']);
    expect(em.listenerCount('data')).toBe(0);
    expect(em.listenerCount('error')).toBe(0);
  });

  test("an 'error' event raises its error; listeners are removed", async () => {
    const { run } = vhub();
    const em = new EventEmitter();
    const err = new ExpectedError('emitted');
    const caught = await run(function* () {
      setTimeout(() => em.emit('error', err), 5);
      try {
        yield* once(em, 'data');
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBe(err);
    expect(em.listenerCount('data') + em.listenerCount('error')).toBe(0);
  });

  test('with a timeout: raises Timeout and removes its listeners', async () => {
    const { run, hub } = vhub();
    const em = new EventEmitter();
    const caught = await run(function* () {
      try {
        yield* once(em, 'data', { timeout: 2, ref: false });
      } catch (e) {
        return [e instanceof Timeout, hub.loop.now()];
      }
    });
    expect(caught).toEqual([true, 2]);
    expect(em.listenerCount('data')).toBe(0);
  });

  test('killed while waiting: listeners removed', async () => {
    const { run } = vhub();
    const em = new EventEmitter();
    await run(function* () {
      const g = spawn(function* () {
        yield* once(em, 'data');
      });
      yield* sleep(0);
      expect(em.listenerCount('data')).toBe(1);
      yield* g.kill();
      expect(em.listenerCount('data')).toBe(0);
    });
  });

  test('an EventTarget event', async () => {
    const { run } = vhub();
    const target = new EventTarget();
    const out = await run(function* () {
      setTimeout(() => target.dispatchEvent(new Event('ping')), 5);
      const [ev] = yield* once(target, 'ping');
      return ev.type;
    });
    expect(out).toBe('ping');
  });

  test('bad input: not an emitter, NaN timeout: TypeError', async () => {
    const { run } = vhub();
    await run(function* () {
      expect(() => once({} as any, 'x')).toThrow(TypeError);
      expect(() => once(new EventEmitter(), 'x', { timeout: Number.NaN })).toThrow(TypeError);
      yield* sleep(0);
    });
  });

  test('an emitter that emits synchronously inside the greenlet: the listener only queues the wake-up', async () => {
    const { run } = vhub();
    const em = new EventEmitter();
    const out = await run(function* () {
      const waiter = spawn(function* () {
        return yield* once(em, 'go');
      });
      yield* sleep(0);
      em.emit('go', 'now'); // inside a greenlet body: must not switch
      return yield* waiter.get();
    });
    expect(out).toEqual(['now']);
  });
});
