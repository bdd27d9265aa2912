// Bad use fails loudly, with a message that says how to fix it: a forgotten `yield*` on
// switch/throw/unwind or on a tracked Op, `yield` without the star, plain (non-generator) code
// switching inside a body, an Op run twice or in another greenlet, and plain-function bodies.
import { describe, expect, it } from 'vitest';
import { GreenletError, isGreenletExit } from '../src/errors.js';
import { Greenlet, getcurrent, getmain } from '../src/greenlet.js';
import { type Op, trackOp } from '../src/op.js';
import { settrace } from '../src/trace.js';

/** Runs `body` in a fresh greenlet from main and returns what it returns, or the error it raises. */
function outcome(body: (...args: any[]) => any, ...args: unknown[]): unknown {
  try {
    return new Greenlet(body).switch(...args);
  } catch (e) {
    return e;
  }
}

/** An Op of another package, made the way @g/hub makes them: a generator wrapped by trackOp. */
function pause(value: unknown): Op<unknown> {
  return trackOp(
    (function* () {
      return yield* getmain().switch(value);
    })(),
    'pause',
  );
}

const FIX = /yield\*/;

describe('forgotten yield* on switch, throw and unwind', () => {
  it('fails the next switch when a switch() was not run with yield*', () => {
    // DECISIONS: forgotten yield* is reported with the call and the fix
    const other = new Greenlet(function* () {});
    const err = outcome(function* () {
      other.switch('lost');
      yield* getmain().switch('never');
    });
    expect(err).toBeInstanceOf(GreenletError);
    expect((err as Error).message).toMatch(/g\.switch\(\) made an Op that was never run/);
    expect((err as Error).message).toMatch(FIX);
    expect(other.started).toBe(false);
  });

  it('fails the body when it ends with a switch() not run', () => {
    const err = outcome(function* () {
      getmain().switch('lost');
    });
    expect(err).toBeInstanceOf(GreenletError);
    expect((err as Error).message).toMatch(/g\.switch\(\).*never run/);
  });

  it('fails for a forgotten yield* on throw() and unwind(), naming the call', () => {
    const victim = new Greenlet(function* () {
      yield* getmain().switch();
    });
    victim.switch();
    const e1 = outcome(function* () {
      victim.throw();
    });
    expect((e1 as Error).message).toMatch(/g\.throw\(\) made an Op that was never run/);
    const e2 = outcome(function* () {
      victim.unwind();
    });
    expect((e2 as Error).message).toMatch(/g\.unwind\(\) made an Op that was never run/);
    expect(victim.active).toBe(true);
  });

  it('lets the body catch the forgotten-yield* error raised at the next switch', () => {
    const r = outcome(function* () {
      getmain().switch('lost');
      try {
        yield* getmain().switch('never');
      } catch (e) {
        return ['caught', e instanceof GreenletError];
      }
    });
    expect(r).toEqual(['caught', true]);
  });

  it('fails `yield g.switch()` without the star, in the body, and undoes the switch', () => {
    let started = false;
    const other = new Greenlet(function* () {
      started = true;
    });
    const r = outcome(function* () {
      try {
        yield other.switch();
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(r).toMatch(/`yield g\.switch\(\.\.\.\)` yields the Op instead of running it/);
    expect(r).toMatch(/yield\* g\.switch\(\.\.\.\)/);
    expect(started).toBe(false);
  });

  it('recovers after `yield` without the star: the next switch works', () => {
    const r = outcome(function* () {
      try {
        yield getmain().switch('x');
      } catch {}
      return yield* getcurrent().switch('works');
    });
    expect(r).toBe('works');
  });

  it('fails a bare yield of any other value as not a switch', () => {
    const r = outcome(function* () {
      try {
        yield 42;
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(r).toMatch(/yielded 42 to the trampoline: a bare `yield` is not a switch/);
  });

  it('fails plain (non-generator) code that switches inside a body', () => {
    // a plain helper called from a body cannot switch: it gets an Op and drops it
    function helper() {
      getmain().switch('from plain code');
    }
    const r = outcome(function* () {
      helper();
      yield* getmain().switch('after');
    });
    expect(r).toBeInstanceOf(GreenletError);
    expect((r as Error).message).toMatch(/plain \(non-generator\) code .* cannot switch/);
  });

  it('refuses to switch from main while greenlets run (a listener called inside a body)', () => {
    // Only a settrace callback runs "as main" inside the trampoline; transfer refuses it.
    const g = new Greenlet(function* () {
      yield* getmain().switch();
    });
    g.switch();
    const other = new Greenlet(function* () {});
    let message = '';
    settrace((_e, [, target]) => {
      if (target === g) {
        settrace(null);
        try {
          other.switch();
        } catch (e) {
          message = (e as Error).message;
        }
      }
    });
    g.switch();
    expect(message).toMatch(/^a settrace callback cannot switch: g.switch\(\) while/);
    expect(other.started).toBe(false);
  });
});

describe('Ops of other packages (trackOp)', () => {
  it('runs a tracked Op with yield* and returns its result', () => {
    const g = new Greenlet(function* () {
      return ['got', yield* pause('paused')];
    });
    expect(g.switch()).toBe('paused');
    expect(g.switch('resumed')).toEqual(['got', 'resumed']);
  });

  it('fails the next suspension when a tracked Op was never run, naming it', () => {
    const r = outcome(function* () {
      pause('forgotten');
      try {
        yield* getmain().switch('never');
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(r).toMatch(/pause\(\) made an Op that was never run/);
    expect(r).toMatch(/yield\* pause\(\.\.\.\)/);
  });

  it('fails the body at its end when a tracked Op was never run', () => {
    const r = outcome(function* () {
      pause('forgotten');
      return 'value';
    });
    expect(r).toBeInstanceOf(GreenletError);
    expect((r as Error).message).toMatch(/pause\(\) made an Op that was never run/);
  });

  it('names the first of several forgotten Ops', () => {
    const r = outcome(function* () {
      trackOp([], 'first');
      trackOp([], 'second');
    });
    expect((r as Error).message).toMatch(/^first\(\)/);
  });

  it('fails a tracked Op run twice', () => {
    const g = new Greenlet(function* () {
      const op = pause('once');
      const first = yield* op;
      try {
        yield* op;
      } catch (e) {
        return [first, (e as Error).message];
      }
    });
    expect(g.switch()).toBe('once');
    expect(g.switch('back')).toEqual([
      'back',
      expect.stringMatching(/pause\(\) Op was already run/),
    ]);
  });

  it('fails a switch Op run twice', () => {
    const results: unknown[] = [];
    const g = new Greenlet(function* () {
      const op = getmain().switch('first');
      results.push(yield* op);
      try {
        yield* op;
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(g.switch()).toBe('first');
    expect(g.switch('back')).toMatch(/already run: an Op runs once/);
    expect(results).toEqual(['back']);
  });

  it('tells the maker at its next suspension when it hands an unrun Op to another greenlet', () => {
    const made: Op<unknown>[] = [];
    let receiverRan = false;
    const receiver = new Greenlet(function* () {
      receiverRan = true;
    });
    const maker = new Greenlet(function* () {
      made.push(pause('made in maker'));
      yield* receiver.switch();
    });
    expect(() => maker.switch()).toThrow(/pause\(\) made an Op that was never run/);
    expect(receiverRan).toBe(false);
  });

  it('refuses to run a tracked Op in a greenlet other than the one that made it', () => {
    let stolen: Op<unknown> | null = null;
    const maker = new Greenlet(function* () {
      stolen = pause('made in maker');
      yield* getmain().switch();
    });
    expect(() => maker.switch()).toThrow(GreenletError);
    const thief = new Greenlet(function* () {
      try {
        yield* stolen!;
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(thief.switch()).toMatch(/pause\(\) Op made in one greenlet was run in another/);
  });

  it('returns the Op unchanged outside greenlet bodies', () => {
    const op = [1, 2, 3];
    expect(trackOp(op, 'x')).toBe(op);
  });
});

describe('plain-function bodies', () => {
  it('runs a plain function as a body that cannot switch; its return value goes to the parent', () => {
    // decided: a body that is not a generator function is allowed and cannot switch
    const g = new Greenlet(function (a: number, b: number) {
      return a + b;
    });
    expect(g.switch(2, 3)).toBe(5);
    expect(g.dead).toBe(true);
  });

  it('raises the error of a plain function body in the parent', () => {
    const g = new Greenlet(() => {
      throw new RangeError('plain');
    });
    expect(() => g.switch()).toThrow(RangeError);
  });

  it('runs the iterator a plain function returns as the body', () => {
    function* work(x: number) {
      const y = yield* getmain().switch(x + 1);
      return x + (y as number);
    }
    const g = new Greenlet((x: number) => work(x));
    expect(g.switch(1)).toBe(2);
    expect(g.switch(10)).toBe(11);
  });

  it('returns a non-iterator value (even a promise) as the result', () => {
    const p = Promise.resolve(1);
    expect(new Greenlet(() => p).switch()).toBe(p);
    expect(new Greenlet(() => [1, 2]).switch()).toEqual([1, 2]);
  });

  it('fails a plain function body that tries to switch', () => {
    const g = new Greenlet(() => {
      getmain().switch('from a plain body');
      return 'value';
    });
    expect(() => g.switch()).toThrow(/plain \(non-generator\) code running inside a body/);
  });

  it('refuses an async generator function as run, at construction and on assignment', () => {
    // greenlet: run must be something the greenlet can drive; an async generator is not
    expect(() => new Greenlet(async function* () {})).toThrow(TypeError);
    expect(() => new Greenlet(async function* () {})).toThrow(
      /async generator \(async function\*\)/,
    );
    const g = new Greenlet();
    expect(() => {
      g.run = async function* () {};
    }).toThrow(/yield\* until\(promise\)/);
    expect(g.run).toBeUndefined();
  });

  it('fails a plain function returning an async generator at the switch instead of looping', () => {
    // without the check the trampoline would drive the async generator's promises forever
    async function* ticks() {
      yield 1;
    }
    const g = new Greenlet(() => ticks());
    expect(() => g.switch()).toThrow(/the greenlet body is an async generator/);
    expect(g.dead).toBe(true);
  });

  it('calls run with the greenlet as this', () => {
    const g = new Greenlet(function (this: Greenlet) {
      return this;
    });
    expect(g.switch()).toBe(g);
  });
});

describe('errors users can catch', () => {
  it('brands GreenletError and GreenletExit so broad catches can let exits through', () => {
    const r = outcome(function* () {
      try {
        yield* getmain().switch();
      } catch (e) {
        if (isGreenletExit(e)) throw e;
        return 'swallowed';
      }
    });
    expect(r).toBeUndefined();
  });
});
