// Ports of greenlet's test_generator.py and test_generator_nested.py: generators built from
// greenlets ("genlets"). As in greenlet's tests, the genlet is written here, on the public API.
// A genlet iterates synchronously from main (`for...of`) and with `yield* it.next()` inside a
// body, where the switch must be run with yield*.
import { describe, expect, it } from 'vitest';
import { Greenlet, getcurrent } from '../src/greenlet.js';

type Body = (...args: any[]) => Generator<unknown, unknown, unknown>;

class YieldOutsideGenlet extends Error {
  override name = 'RuntimeError';
}

/** A generator made of a greenlet: each step switches into it; Yield() switches back out. */
class Genlet extends Greenlet {
  child: Genlet | null = null;

  constructor(fn: Body, args: unknown[]) {
    super(function* () {
      yield* fn(...args);
    });
  }

  /** greenlet genlet.__next__: resume the innermost child that yielded through us, or us. */
  private stepTarget(): Greenlet {
    if (this.child !== null) {
      let child = this.child;
      while (child.child !== null) {
        const tmp = child;
        child = child.child;
        tmp.child = null;
      }
      return child;
    }
    this.parent = getcurrent();
    return this;
  }

  private result(value: unknown): IteratorResult<unknown> {
    return this.active ? { done: false, value } : { done: true, value: undefined };
  }

  /** Iteration from main: each step is a synchronous switch. */
  [Symbol.iterator](): Iterator<unknown> {
    return { next: () => this.result(this.stepTarget().switch()) };
  }

  /** Iteration inside a body: `for (let r; !(r = yield* it.next()).done; ) use(r.value)`. */
  *next(): Generator<unknown, IteratorResult<unknown>, unknown> {
    return this.result(yield* this.stepTarget().switch());
  }
}

/** greenlet's Yield(value, level): switch `value` out to the consumer `level` genlets up. */
function Yield(value: unknown, level = 1): any {
  let g: Greenlet = getcurrent();
  while (level !== 0) {
    if (!(g instanceof Genlet)) throw new YieldOutsideGenlet('yield outside a genlet');
    if (level > 1) (g.parent as Genlet).child = g;
    g = g.parent!;
    level--;
  }
  return g.switch(value);
}

/** greenlet's Genlet(func) / generator(func): a factory of genlets running `fn`. */
function genlet(fn: Body): (...args: any[]) => Genlet {
  return (...args) => new Genlet(fn, args);
}

describe('genlets (generators made of greenlets)', () => {
  it('behaves as a generator, restartable three times with the same output', () => {
    // test_generator::test_generator
    const seen: number[] = [];
    const g = genlet(function* (n: number) {
      for (let i = 0; i < n; i++) {
        seen.push(i);
        yield* Yield(i);
      }
    });
    for (let k = 0; k < 3; k++) {
      for (const j of g(5)) seen.push(j as number);
    }
    const once = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4];
    expect(seen).toEqual([...once, ...once, ...once]);
  });

  it('gives the same trace as a native generator, directly or through a nested call', () => {
    // test_generator_nested::test_genlet_simple
    function* g1(n: number, seen: number[]) {
      for (let i = 0; i < n; i++) {
        seen.push(i + 1);
        yield i;
      }
    }
    const g2 = genlet(function* (n: number, seen: number[]) {
      for (let i = 0; i < n; i++) {
        seen.push(i + 1);
        yield* Yield(i);
      }
    });
    function* nested(i: number) {
      yield* Yield(i);
    }
    const g3 = genlet(function* (n: number, seen: number[]) {
      for (let i = 0; i < n; i++) {
        seen.push(i + 1);
        yield* nested(i);
      }
    });
    const once = [1, 0, 2, 1, 3, 2, 4, 3, 5, 4];
    for (const g of [g1, g2, g3] as ((n: number, seen: number[]) => Iterable<unknown>)[]) {
      const seen: number[] = [];
      for (let k = 0; k < 3; k++) {
        for (const j of g(5, seen)) seen.push(j as number);
      }
      expect(seen).toEqual([...once, ...once, ...once]);
    }
  });

  it('yields through two genlet levels with Yield(v, 2)', () => {
    // test_generator_nested::test_layered_genlets
    const gr1 = genlet(function* (n: number) {
      for (let ii = 1; ii < n; ii++) {
        yield* Yield(ii);
        yield* Yield(ii * ii, 2);
      }
    });
    const gr2 = genlet(function* (n: number, seen: number[]) {
      const it = gr1(n);
      for (let r: IteratorResult<unknown>; !(r = yield* it.next()).done; ) {
        seen.push(r.value as number);
      }
    });
    const seen: number[] = [];
    for (const ii of gr2(5, seen)) seen.push(ii as number);
    expect(seen).toEqual([1, 1, 2, 4, 3, 9, 4, 16]);
  });

  it('generates all permutations from recursive genlets, and two side by side', () => {
    // test_generator_nested::test_permutations
    const perms: (l: number[]) => Genlet = genlet(function* (l: number[]) {
      if (l.length > 1) {
        for (const e of l) {
          const x: unknown[] = [];
          const inner = perms(l.filter((v) => v !== e));
          for (let r: IteratorResult<unknown>; !(r = yield* inner.next()).done; ) {
            x.push(yield* Yield([e, ...(r.value as number[])]));
          }
          expect(x.length).toBeGreaterThan(0);
        }
      } else {
        yield* Yield(l);
      }
    });
    const permutations = [...perms([0, 1, 2, 3])];
    expect(permutations.length).toBe(24);
    expect(permutations).toContainEqual([0, 1, 2, 3]);
    expect(permutations).toContainEqual([3, 2, 1, 0]);

    const a = perms([0, 1, 2, 3])[Symbol.iterator]();
    const b = perms([0, 1, 2])[Symbol.iterator]();
    const res: unknown[] = [];
    for (;;) {
      const ra = a.next();
      const rb = b.next();
      if (ra.done || rb.done) break;
      res.push([ra.value, rb.value]);
    }
    expect(res).toEqual([
      [
        [0, 1, 2, 3],
        [0, 1, 2],
      ],
      [
        [0, 1, 3, 2],
        [0, 2, 1],
      ],
      [
        [0, 2, 1, 3],
        [1, 0, 2],
      ],
      [
        [0, 2, 3, 1],
        [1, 2, 0],
      ],
      [
        [0, 3, 1, 2],
        [2, 0, 1],
      ],
      [
        [0, 3, 2, 1],
        [2, 1, 0],
      ],
    ]);
  });

  it('refuses Yield outside a genlet', () => {
    // test_generator_nested::test_genlet_bad
    expect(() => Yield(10)).toThrow(YieldOutsideGenlet);
    expect(() => Yield(10)).toThrow('yield outside a genlet');
  });

  it('nests genlets recursively', () => {
    // test_generator_nested::test_nested_genlets
    const ax: (n: number) => Genlet = genlet(function* (n: number) {
      if (n === 0) return;
      const inner = ax(n - 1);
      for (let r: IteratorResult<unknown>; !(r = yield* inner.next()).done; ) {
        yield* Yield(r.value);
      }
      yield* Yield(n);
    });
    const seen: number[] = [];
    for (const ii of ax(5)) seen.push(ii as number);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});
