/**
 * Async context: a greenlet runs, at its first run and after every wait, in the
 * AsyncLocalStorage context of the code that spawned it (so tracing libraries follow
 * greenlets). Greenlets that interleave keep their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, test } from 'vitest';
import { createHub, joinall, sleep, spawn, spawnRaw, until } from '../src/index.js';
import { vhub } from './helpers.js';

const als = new AsyncLocalStorage<string>();

describe('AsyncLocalStorage context of greenlets', () => {
  test("a spawned greenlet sees its spawner's store at its first run and after waits", async () => {
    const { run } = vhub();
    const seen = await run(function* () {
      return yield* als
        .run('request-1', () =>
          spawn(function* () {
            const out = [als.getStore()];
            yield* sleep(1);
            out.push(als.getStore());
            yield* sleep(0);
            out.push(als.getStore());
            yield* until(new Promise((r) => setTimeout(r, 1)));
            out.push(als.getStore());
            return out;
          }),
        )
        .get();
    });
    expect(seen).toEqual(['request-1', 'request-1', 'request-1', 'request-1']);
  });

  test('two interleaved greenlets keep their own stores', async () => {
    const { run } = vhub();
    const log: string[] = [];
    await run(function* () {
      const worker = function* (name: string) {
        for (let i = 0; i < 3; i++) {
          log.push(`${name}:${als.getStore()}`);
          yield* sleep(0.1);
        }
      };
      const a = als.run('A', () => spawn(worker, 'a'));
      const b = als.run('B', () => spawn(worker, 'b'));
      yield* joinall([a, b]);
    });
    expect(log).toEqual(['a:A', 'b:B', 'a:A', 'b:B', 'a:A', 'b:B']);
  });

  test('run() from async code inside als.run: the greenlet, and what it spawns, see the store', async () => {
    const { hub } = vhub();
    const seen = await als.run('outer', () =>
      hub.run(function* () {
        const inner = spawn(() => als.getStore());
        const changed = als.run('changed', () => spawn(() => als.getStore()));
        yield* sleep(0.5);
        return [als.getStore(), inner.value, changed.value, als.getStore()];
      }),
    );
    expect(seen).toEqual(['outer', 'outer', 'changed', 'outer']);
  });

  test('a greenlet woken from another context (a promise reaction) still runs in its own', async () => {
    const { run } = vhub();
    let resolve!: (v: unknown) => void;
    const p = new Promise((r) => {
      resolve = r;
    });
    const seen = run(function* () {
      const g = als.run('mine', () =>
        spawn(function* () {
          yield* until(p);
          return als.getStore();
        }),
      );
      return yield* g.get();
    });
    await new Promise((r) => setTimeout(r, 5));
    als.run('someone else', () => resolve(1));
    expect(await seen).toBe('mine');
  });

  test('spawnRaw greenlets capture the context too', async () => {
    const { run } = vhub();
    const got: unknown[] = [];
    await run(function* () {
      als.run('raw', () =>
        spawnRaw(function* () {
          yield* sleep(0.1);
          got.push(als.getStore());
        }),
      );
      yield* sleep(1);
    });
    expect(got).toEqual(['raw']);
  });

  test('asyncContext: false captures nothing', async () => {
    const hub = createHub({ backend: 'virtual', asyncContext: false });
    try {
      const seen = await hub.run(function* () {
        const g = als.run('lost', () =>
          spawn(function* () {
            yield* sleep(1);
            return als.getStore();
          }),
        );
        return yield* g.get();
      });
      expect(seen).not.toBe('lost');
    } finally {
      hub.destroy();
    }
  });
});
