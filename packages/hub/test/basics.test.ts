import { describe, expect, test } from 'vitest';
import { createHub, joinall, LoopExit, sleep, spawn, Timeout, wait } from '../src/index.js';

describe('hub basics on the virtual clock', () => {
  test('virtual elapsed time is the exact sum of the sleeps', async () => {
    const hub = createHub({ backend: 'virtual' });
    const t = await hub.run(function* () {
      yield* sleep(1);
      yield* sleep(2);
      yield* sleep(4);
      return hub.loop.now();
    });
    expect(t).toBe(7);
    hub.destroy();
  });

  test('spawned greenlets run when the spawner waits; results by spawn order', async () => {
    const hub = createHub({ backend: 'virtual' });
    const values = await hub.run(function* () {
      const jobs = [3, 1, 2].map((s) =>
        spawn(function* () {
          yield* sleep(s / 10);
          return s;
        }),
      );
      expect(jobs.every((g) => !g.dead && g.started)).toBe(true);
      yield* joinall(jobs, { timeout: 1 });
      return jobs.map((g) => g.value);
    });
    expect(values).toEqual([3, 1, 2]);
    hub.destroy();
  });

  // gevent test__order::TestSleep0.test
  test('sleep(0) yields to every runnable greenlet in FIFO order: 1A 2A 1B 2B', async () => {
    const hub = createHub({ backend: 'virtual' });
    const order: string[] = [];
    await hub.run(function* () {
      const a = spawn(function* () {
        order.push('1A');
        yield* sleep(0);
        order.push('1B');
      });
      const b = spawn(function* () {
        order.push('2A');
        yield* sleep(0);
        order.push('2B');
      });
      yield* joinall([a, b]);
    });
    expect(order).toEqual(['1A', '2A', '1B', '2B']);
    hub.destroy();
  });

  test('a Timeout raises itself at the wait after its seconds', async () => {
    const hub = createHub({ backend: 'virtual' });
    const caught = await hub.run(function* () {
      const t = Timeout.startNew(0.5);
      try {
        yield* sleep(10);
        return null;
      } catch (e) {
        return { same: e === t, at: hub.loop.now() };
      } finally {
        t.cancel();
      }
    });
    expect(caught).toEqual({ same: true, at: 0.5 });
    hub.destroy();
  });

  test('a catch-all loop is ended by one kill({ block: true }) and its finally runs', async () => {
    const hub = createHub({ backend: 'virtual' });
    let finallyRan = 0;
    const g = await hub.run(function* () {
      const g = spawn(function* () {
        try {
          for (;;) {
            try {
              yield* sleep(10);
            } catch {
              // swallows GreenletExit
            }
          }
          // biome-ignore lint/correctness/noUnreachable: the forced end (return()) reaches finally
        } finally {
          finallyRan++;
        }
      });
      yield* sleep(0.01);
      yield* g.kill({ block: true });
      return g;
    });
    expect(g.dead).toBe(true);
    expect(finallyRan).toBe(1);
    hub.destroy();
  });

  test('waiting on something nothing can wake fails the run() with LoopExit', async () => {
    const hub = createHub({ backend: 'virtual' });
    const never = { rawlink() {}, unlink() {}, ready: () => false };
    await expect(
      hub.run(function* () {
        yield* wait([never]);
      }),
    ).rejects.toBeInstanceOf(LoopExit);
    hub.destroy();
  });
});
