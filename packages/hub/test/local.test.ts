/**
 * Local: greenlet-local storage. Ports of the portable parts of test__local.py (the values
 * are per greenlet, init runs once per greenlet, missing values are missing everywhere,
 * values are freed when the greenlet dies), on the virtual clock. The GC-level checks are in
 * local-gc.os.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { type Greenlet, joinall, Local, sleep, spawn } from '../src/index.js';
import { vhub } from './helpers.js';

describe('Local', () => {
  // test__local: values are per greenlet
  test('each greenlet sees its own value; main has its own', async () => {
    const { run } = vhub();
    const local = new Local<string>();
    local.set('main');
    const seen = await run(function* () {
      const worker = (name: string) =>
        spawn(function* () {
          local.set(name);
          yield* sleep(0.1);
          return local.get();
        });
      const gs = [worker('a'), worker('b'), worker('c')];
      yield* joinall(gs);
      return gs.map((g) => g.value);
    });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(local.get()).toBe('main');
  });

  // test__local TestGeventLocal.test_attribute_error: a missing value is missing everywhere
  test('a value set in one greenlet is missing (undefined, has() false) in another', async () => {
    const { run } = vhub();
    const local = new Local<number>();
    await run(function* () {
      const setter = spawn(function* () {
        local.set(1);
        yield* sleep(1);
      });
      yield* sleep(0);
      expect(local.has()).toBe(false);
      expect(local.get()).toBeUndefined();
      yield* setter.join();
    });
  });

  test("nothing is inherited: a spawned greenlet does not see its spawner's value", async () => {
    const { run } = vhub();
    const local = new Local<string>();
    const childSaw = await run(function* () {
      local.set('parent');
      const child = spawn(() => local.has());
      return yield* child.get();
    });
    expect(childSaw).toBe(false);
  });

  // test__local: a subclass __init__ runs again in each greenlet that touches the local
  test('init() gives each greenlet its first value, computed once, on its first get()', async () => {
    const { run } = vhub();
    let calls = 0;
    const local = new Local(() => ({ n: ++calls }));
    const out = await run(function* () {
      const g1 = spawn(() => [local.get(), local.get()]);
      const g2 = spawn(() => local.get());
      yield* joinall([g1, g2]);
      return [g1.value, g2.value];
    });
    expect(calls).toBe(2);
    const [[a, a2], b] = out as any;
    expect(a).toBe(a2);
    expect(a).not.toBe(b);
  });

  test("delete() removes this greenlet's value only; set after delete works", async () => {
    const { run } = vhub();
    const local = new Local<number>();
    await run(function* () {
      local.set(1);
      const other = spawn(function* () {
        local.set(2);
        yield* sleep(1);
        return local.get();
      });
      yield* sleep(0);
      expect(local.delete()).toBe(true);
      expect(local.delete()).toBe(false);
      expect(local.has()).toBe(false);
      local.set(3);
      expect(local.get()).toBe(3);
      expect(yield* other.get()).toBe(2);
    });
  });

  // test__local test_locals_collected_when_greenlet_dead_but_still_referenced
  test("a greenlet's values are dropped when it dies, even if the greenlet is still referenced", async () => {
    const { run } = vhub();
    const local = new Local<object>();
    let g: Greenlet<any> | null = null;
    await run(function* () {
      g = spawn(function* () {
        local.set({ big: true });
        yield* sleep(0.1);
      });
      yield* g.join();
    });
    expect(g!.dead).toBe(true);
    expect((g as any)._rare.locals).toBeNull();
  });

  test('new Local(init) with a non-function init is a TypeError', () => {
    expect(() => new Local(42 as any)).toThrow(TypeError);
  });

  test('locals of greenlets of different hubs are independent', async () => {
    const a = vhub();
    const b = vhub();
    const local = new Local<string>();
    const [x, y] = await Promise.all([
      a.run(function* () {
        local.set('a');
        yield* sleep(1);
        return local.get();
      }),
      b.run(function* () {
        local.set('b');
        yield* sleep(0.5);
        return local.get();
      }),
    ]);
    expect([x, y]).toEqual(['a', 'b']);
  });
});
