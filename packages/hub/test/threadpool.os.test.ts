/**
 * threadpool: work run in worker threads (piscina), waited on cooperatively. Uses the
 * bundle of src/ (the worker file sits next to it) on a Node-backend hub.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundleUrl, runFixture } from './os-helpers.js';

let hubMod: any;
const work = new URL('./fixtures/work.mjs', import.meta.url).href;

beforeAll(async () => {
  hubMod = await import(bundleUrl());
});
afterAll(async () => {
  await hubMod.threadpool.close();
});

describe('threadpool', () => {
  test('apply runs an export of a module in a worker and returns its result', async () => {
    const { createHub, threadpool } = hubMod;
    const hub = createHub({ backend: 'node' });
    const r = await hub.run(function* () {
      return [
        yield* threadpool.apply(work, 'add', 2, 3),
        yield* threadpool.apply(new URL(work), 'later', { x: [1] }),
      ];
    });
    expect(r).toEqual([5, { x: [1] }]);
    hub.destroy();
  });

  test('other greenlets keep running while a worker blocks', async () => {
    const { createHub, threadpool, spawn, sleep } = hubMod;
    const hub = createHub({ backend: 'node' });
    const ticks = await hub.run(function* () {
      let n = 0;
      let done = false;
      const ticker = spawn(function* () {
        while (!done) {
          n++;
          yield* sleep(0.01);
        }
      });
      yield* threadpool.apply(work, 'blockFor', 300);
      done = true;
      yield* ticker.join();
      return n;
    });
    expect(ticks).toBeGreaterThan(5);
    hub.destroy();
  });

  test('an error in the worker is raised in the greenlet; a missing export is a TypeError', async () => {
    const { createHub, threadpool } = hubMod;
    const hub = createHub({ backend: 'node' });
    const errors = await hub.run(function* () {
      const out: string[] = [];
      for (const [name, arg] of [
        ['fail', 'worker boom'],
        ['notAFunction', null],
        ['missing', null],
      ]) {
        try {
          yield* threadpool.apply(work, name, arg);
        } catch (e) {
          out.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      return out;
    });
    expect(errors[0]).toBe('Error: worker boom');
    expect(errors[1]).toMatch(/TypeError: .*no exported function notAFunction/);
    expect(errors[2]).toMatch(/TypeError: .*no exported function missing/);
    hub.destroy();
  });

  test('a greenlet killed while its task runs stops waiting at once', async () => {
    const { createHub, threadpool, spawn, sleep } = hubMod;
    const hub = createHub({ backend: 'node' });
    const elapsed = await hub.run(function* () {
      const g = spawn(() => threadpool.apply(work, 'blockFor', 1000));
      yield* sleep(0.05);
      const t0 = performance.now();
      yield* g.kill();
      return (performance.now() - t0) / 1000;
    });
    expect(elapsed).toBeLessThan(0.5);
    hub.destroy();
  });

  test('bad arguments are a TypeError at the call', () => {
    const { threadpool } = hubMod;
    expect(() => threadpool.apply('', 'add')).toThrow(TypeError);
    expect(() => threadpool.apply(work, 42)).toThrow(TypeError);
  });

  test('after threadpool work, the process exits by itself', async () => {
    const r = await runFixture('threadpool-exit.mjs');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/result 5/);
    expect(r.code).toBe(0);
    expect(r.elapsed).toBeLessThan(10);
  });
});
