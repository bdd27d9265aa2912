// Ports of greenlet's src/greenlet/tests/test_throw.py, plus throw()/unwind() into unstarted and
// dead greenlets (TUserGreenlet.cpp inner_bootstrap, PyGreenlet.cpp internal_green_throw).
import { describe, expect, it } from 'vitest';
import { GreenletExit } from '../src/errors.js';
import { Greenlet, getcurrent, getmain } from '../src/greenlet.js';

class SomeError extends Error {
  override name = 'SomeError';
}
class IndexError extends Error {
  override name = 'IndexError';
}

/** greenlet test_throw's `switch`: switch to the current greenlet's parent. */
function parentSwitch(...args: unknown[]): any {
  return getcurrent().parent!.switch(...args);
}

describe('throw()', () => {
  it('raises an Error class at the suspension point; a caught throw returns what is switched out', () => {
    // test_throw::test_class
    const g = new Greenlet(function* () {
      try {
        yield* parentSwitch('ok');
      } catch (e) {
        if (e instanceof RangeError) {
          yield* parentSwitch('ok');
          return;
        }
      }
      yield* parentSwitch('fail');
    });
    expect(g.switch()).toBe('ok');
    expect(g.throw(RangeError)).toBe('ok');
  });

  it('raises an Error instance with its message', () => {
    // test_throw::test_val
    function* f() {
      try {
        yield* parentSwitch('ok');
      } catch (e) {
        if (e instanceof RangeError && e.message === 'ciao') {
          yield* parentSwitch('ok');
          return;
        }
      }
      yield* parentSwitch('fail');
    }
    const g = new Greenlet(f);
    expect(g.switch()).toBe('ok');
    expect(g.throw(new RangeError('ciao'))).toBe('ok');
  });

  it('throws GreenletExit by default; the dead greenlet returns it, and eats the next one', () => {
    // test_throw::test_kill
    const g = new Greenlet(function* () {
      yield* parentSwitch('ok');
      yield* parentSwitch('fail');
    });
    expect(g.switch()).toBe('ok');
    const res = g.throw();
    expect(res).toBeInstanceOf(GreenletExit);
    expect(g.dead).toBe(true);
    const again = g.throw();
    expect(again).toBeInstanceOf(GreenletExit);
    expect(again).not.toBe(res);
  });

  it('raises an error the child does not catch in its current parent, wherever it waits', () => {
    // test_throw::test_throw_goes_to_original_parent (3 scenarios)
    const main = getmain();
    function* f1() {
      try {
        yield* main.switch('f1 ready to catch');
      } catch (e) {
        if (e instanceof IndexError) return 'caught';
        throw e;
      }
      return 'normal exit';
    }
    function* f2() {
      yield* main.switch('from f2');
    }

    // 1. Neither started: g2 dies unstarted, g1 dies unstarted, the error reaches main.
    let g1 = new Greenlet(f1);
    let g2 = new Greenlet(f2, g1);
    expect(() => g2.throw(IndexError)).toThrow(IndexError);
    expect(g2.dead).toBe(true);
    expect(g1.dead).toBe(true);

    // 2. g1 waits in main.switch(): it catches the error thrown into unstarted g2.
    g1 = new Greenlet(f1);
    g2 = new Greenlet(f2, g1);
    expect(g1.switch()).toBe('f1 ready to catch');
    expect(g2.throw(IndexError)).toBe('caught');
    expect(g2.dead).toBe(true);
    expect(g1.dead).toBe(true);

    // 3. Same, with g2 started and suspended in main.switch().
    g1 = new Greenlet(f1);
    g2 = new Greenlet(f2, g1);
    expect(g1.switch()).toBe('f1 ready to catch');
    expect(g2.switch()).toBe('from f2');
    expect(g2.throw(IndexError)).toBe('caught');
    expect(g2.dead).toBe(true);
    expect(g1.dead).toBe(true);
  });

  it('refuses something that is not an Error instance or class, in the caller, with no switch', () => {
    // test_throw::test_not_throwable, test_instance_of_wrong_type
    const g = new Greenlet(function* () {
      yield* parentSwitch();
    });
    g.switch();
    for (const bad of ['abc', 42, null, {}, () => {}, class NotAnError {}]) {
      expect(() => g.throw(bad)).toThrow(TypeError);
    }
    expect(() => g.throw('abc')).toThrow(/Error instance or an Error class/);
    expect(g.active).toBe(true);
    const inBody = new Greenlet(function* () {
      try {
        yield* g.throw('abc');
      } catch (e) {
        return [(e as Error).name, getcurrent() === inBody];
      }
    });
    expect(inBody.switch()).toEqual(['TypeError', true]);
    expect(g.active).toBe(true);
  });

  it('accepts an error made in another realm (brand check, not instanceof)', () => {
    // test_greenlet::test_throw_exception_not_lost (the error passed to throw is the one raised)
    const foreign = Object.create(null);
    Object.defineProperty(foreign, Symbol.toStringTag, { value: 'Error' });
    const g = new Greenlet(function* () {
      yield* parentSwitch();
    });
    g.switch();
    let caught: unknown;
    try {
      g.throw(foreign);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(foreign);
  });

  it('raises the very error it was given, not a copy', () => {
    // test_greenlet::test_throw_exception_not_lost
    const err = new SomeError('keep me');
    const g = new Greenlet(function* () {});
    let caught: unknown;
    try {
      g.throw(err);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
  });

  it('kills an unstarted greenlet without running it; the error goes to its parent', () => {
    // TUserGreenlet.cpp inner_bootstrap ("pending exception")
    let ran = false;
    const g = new Greenlet(function* () {
      ran = true;
    });
    expect(() => g.throw(new SomeError('never ran'))).toThrow('never ran');
    expect(ran).toBe(false);
    expect(g.dead).toBe(true);
    expect(g.started).toBe(true);
    expect(g.run).toBeUndefined();

    const h = new Greenlet(function* () {
      ran = true;
    });
    expect(h.throw()).toBeInstanceOf(GreenletExit);
    expect(ran).toBe(false);
    expect(h.dead).toBe(true);
  });

  it('raises an error thrown into a dead greenlet in its nearest living ancestor', () => {
    // PyGreenlet.cpp internal_green_throw (dead target: parent chain)
    const g = new Greenlet(function* () {});
    g.switch();
    const err = new SomeError('to the parent');
    expect(() => g.throw(err)).toThrow(err);
    const waiting = new Greenlet(function* () {
      try {
        yield* parentSwitch();
      } catch (e) {
        return ['caught', (e as Error).message];
      }
    });
    waiting.switch();
    g.parent = waiting;
    expect(g.throw(new SomeError('via dead g'))).toEqual(['caught', 'via dead g']);
  });

  it('throws into the current greenlet: it raises at once at the call', () => {
    // PyGreenlet.cpp green_throw on the current greenlet
    expect(() => getmain().throw(new SomeError('self'))).toThrow('self');
    const g = new Greenlet(function* () {
      try {
        yield* getcurrent().throw(new SomeError('self in body'));
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(g.switch()).toBe('self in body');
  });

  it('lets a body catch a throw, switch away and be thrown into again', () => {
    // test_throw::test_class (repeated)
    const g = new Greenlet(function* () {
      const caught: string[] = [];
      for (;;) {
        try {
          yield* parentSwitch(caught.slice());
        } catch (e) {
          if (e instanceof GreenletExit) return caught;
          caught.push((e as Error).message);
        }
      }
    });
    g.switch();
    expect(g.throw(new Error('one'))).toEqual(['one']);
    expect(g.throw(new Error('two'))).toEqual(['one', 'two']);
    expect(g.throw()).toEqual(['one', 'two']);
    expect(g.dead).toBe(true);
  });

  it('runs a finally that switches, then re-raises (throw, not return, semantics)', () => {
    // research K: throw() must let a finally switch and then carry on raising
    const log: string[] = [];
    const g = new Greenlet(function* () {
      try {
        yield* parentSwitch('started');
      } finally {
        log.push('finally');
        const v = yield* parentSwitch('cleaning up');
        log.push(`finally resumed with ${v}`);
      }
      log.push('after the try: never');
    });
    expect(g.switch()).toBe('started');
    expect(g.throw(new SomeError('kill'))).toBe('cleaning up');
    expect(g.active).toBe(true);
    expect(() => g.switch('go on')).toThrow('kill');
    expect(log).toEqual(['finally', 'finally resumed with go on']);
    expect(g.dead).toBe(true);
  });
});

describe('unwind()', () => {
  it('ends a suspended greenlet with return(): finally runs, catch does not, parent gets the value', () => {
    // gevent kill escalation (DECISIONS: forced end with return())
    const log: string[] = [];
    const g = new Greenlet(function* () {
      try {
        yield* parentSwitch('waiting');
      } catch {
        log.push('catch');
      } finally {
        log.push('finally');
      }
      log.push('after');
    });
    g.switch();
    expect(g.unwind('unwound')).toBe('unwound');
    expect(log).toEqual(['finally']);
    expect(g.dead).toBe(true);
  });

  it('lets a finally switch during an unwind; the same frame then finishes the return', () => {
    // V8 follows the spec: return() through a finally that yields resumes the finally later
    const log: string[] = [];
    const g = new Greenlet(function* () {
      try {
        yield* parentSwitch('waiting');
        log.push('after the switch: never');
      } finally {
        log.push(`finally got ${yield* parentSwitch('cleanup')}`);
      }
    });
    expect(g.switch()).toBe('waiting');
    expect(g.unwind('value')).toBe('cleanup');
    expect(g.active).toBe(true);
    expect(g.switch('x')).toBe('value');
    expect(log).toEqual(['finally got x']);
    expect(g.dead).toBe(true);
  });

  it('lets the outer frame carry on when an inner finally switched during the unwind (spec)', () => {
    // DECISIONS @g/hub kill: return() through a nested yield* whose finally waits lets the outer
    // frame carry on after that yield* once the wait ends; a second unwind ends it.
    const log: string[] = [];
    function* inner() {
      try {
        yield* parentSwitch('inner waits');
      } finally {
        log.push(`inner finally got ${yield* parentSwitch('inner cleanup')}`);
      }
    }
    const g = new Greenlet(function* () {
      try {
        yield* inner();
        log.push('outer carries on');
        yield* parentSwitch('outer waits again');
        log.push('never');
      } finally {
        log.push('outer finally');
      }
    });
    expect(g.switch()).toBe('inner waits');
    expect(g.unwind('value')).toBe('inner cleanup');
    expect(g.switch('x')).toBe('outer waits again');
    expect(g.unwind('second')).toBe('second');
    expect(log).toEqual(['inner finally got x', 'outer carries on', 'outer finally']);
    expect(g.dead).toBe(true);
  });

  it('ends an unstarted greenlet without running it, and passes a dead one on to its parent', () => {
    // gevent kill() of an unstarted greenlet
    let ran = false;
    const g = new Greenlet(function* () {
      ran = true;
    });
    expect(g.unwind(3)).toBe(3);
    expect(ran).toBe(false);
    expect(g.dead).toBe(true);
    expect(g.unwind(4)).toBe(4);
  });

  it('refuses to unwind the main greenlet', () => {
    expect(() => getmain().unwind()).toThrow(/main greenlet cannot be unwound/);
  });
});
