import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { describe, expect, test } from 'vitest';
import { Greenlet, GreenletError, getcurrent, labelSwitchOp } from '../src/index.js';

const als = new AsyncLocalStorage<string>();

function withScope(g: Greenlet, store: string): Greenlet {
  als.run(store, () => {
    g._scope = new AsyncResource('Greenlet');
  });
  return g;
}

describe('_scope: a greenlet runs its start and every resume in its async scope', () => {
  test('the body sees its scope at start and after every switch back', () => {
    const main = getcurrent();
    const seen: Array<string | undefined> = [];
    const g = withScope(
      new Greenlet(function* () {
        seen.push(als.getStore());
        yield* main.switch();
        seen.push(als.getStore());
        yield* main.switch();
        seen.push(als.getStore());
      }),
      'a',
    );
    g.switch();
    seen.push(`main:${als.getStore()}`);
    g.switch();
    g.switch();
    expect(seen).toEqual(['a', 'main:undefined', 'a', 'a']);
  });

  test('two interleaved greenlets keep their own stores', () => {
    const seen: string[] = [];
    let b: Greenlet;
    const a = withScope(
      new Greenlet(function* () {
        for (let i = 0; i < 3; i++) {
          seen.push(`a:${als.getStore()}`);
          yield* b.switch();
        }
      }),
      'A',
    );
    b = withScope(
      new Greenlet(function* () {
        for (;;) {
          seen.push(`b:${als.getStore()}`);
          yield* a.switch();
        }
      }),
      'B',
    );
    a.switch();
    expect(seen).toEqual(['a:A', 'b:B', 'a:A', 'b:B', 'a:A', 'b:B']);
  });

  test('an error thrown in a scoped body reaches the parent unchanged', () => {
    const boom = new Error('boom');
    const g = withScope(
      new Greenlet(function* () {
        throw boom;
      }),
      'x',
    );
    expect(() => g.switch()).toThrow(boom);
    expect(g.dead).toBe(true);
  });

  test('without a scope a greenlet carries none of its own (it sees where it runs)', () => {
    const g = new Greenlet(function* () {
      return als.getStore();
    });
    expect(als.run('outer', () => g.switch())).toBe('outer');
  });
});

describe('labelSwitchOp names a switch op for forgotten-yield* reports', () => {
  test('a labelled op that is never run is reported under its label', () => {
    const main = getcurrent();
    const g = new Greenlet(function* () {
      const op = main.switch();
      labelSwitchOp(op, 'sleep');
      try {
        main.switch(); // the labelled op was never run
      } catch (e) {
        return e;
      }
    });
    const e = g.switch() as Error;
    expect(e).toBeInstanceOf(GreenletError);
    expect(e.message).toMatch(/^sleep\(\) made an Op that was never run/);
  });

  test('arming the op again drops the label', () => {
    const main = getcurrent();
    const g = new Greenlet(function* () {
      const op = main.switch();
      labelSwitchOp(op, 'sleep');
      yield* op;
      main.switch();
      try {
        main.switch();
      } catch (e) {
        return e;
      }
    });
    g.switch();
    const e = g.switch() as Error;
    expect(e.message).toMatch(/^g\.switch\(\) made an Op/);
  });
});
