// Ports of greenlet's src/greenlet/tests/test_greenlet.py (the behaviours that can hold in one
// JS thread). Each test cites the greenlet test it comes from.
import { describe, expect, it } from 'vitest';
import { GreenletError, GreenletExit } from '../src/errors.js';
import { Greenlet, getcurrent, getmain, isGreenlet, switchCount } from '../src/greenlet.js';

class SomeError extends Error {
  override name = 'SomeError';
}

/** Switches to the current greenlet's parent (an Op: run it with `yield*`). */
function parentSwitch(...args: unknown[]): any {
  return getcurrent().parent!.switch(...args);
}

/** greenlet's `fmain`: wait for the parent once, record what was raised, then raise SomeError. */
function* fmain(seen: unknown[]): Generator<unknown, never, unknown> {
  try {
    yield* parentSwitch();
  } catch (e) {
    seen.push((e as Error).constructor);
    throw e;
  }
  throw new SomeError();
}

describe('lifecycle and states', () => {
  it('runs nothing until the first switch, then alternates parent and child', () => {
    // test_greenlet::test_simple
    const lst: number[] = [];
    const g = new Greenlet(function* () {
      lst.push(1);
      yield* parentSwitch();
      lst.push(3);
    });
    lst.push(0);
    g.switch();
    lst.push(2);
    g.switch();
    lst.push(4);
    expect(lst).toEqual([0, 1, 2, 3, 4]);
  });

  it('takes the current greenlet as parent when parent is null or left out', () => {
    // test_greenlet::test_parent_equals_None
    expect(new Greenlet(null, null).parent).toBe(getcurrent());
    expect(new Greenlet().parent).toBe(getcurrent());
    let inner: Greenlet | null = null;
    const outer = new Greenlet(function* () {
      inner = new Greenlet(null);
    });
    outer.switch();
    expect(inner!.parent).toBe(outer);
  });

  it('allows run to be left out: run is then undefined until set', () => {
    // test_greenlet::test_run_equals_None
    const g = new Greenlet(null);
    expect(g.run).toBeUndefined();
    function* body() {
      return 7;
    }
    g.run = body;
    expect(g.run).toBe(body);
    expect(g.switch()).toBe(7);
  });

  it('refuses to switch into a greenlet without run, naming run', () => {
    // test_greenlet::test_switch_no_run_raises_AttributeError
    const g = new Greenlet();
    expect(() => g.switch()).toThrow(GreenletError);
    expect(() => g.switch()).toThrow(/run/);
    expect(g.started).toBe(false);
  });

  it('refuses to throw into a greenlet without run, naming run', () => {
    // test_greenlet::test_throw_no_run_raises_AttributeError
    const g = new Greenlet();
    expect(() => g.throw(SomeError)).toThrow(/run/);
    expect(g.started).toBe(false);
    expect(g.dead).toBe(false);
  });

  it('forgets run once started, inside and outside the body', () => {
    // test_greenlet::test_running_greenlet_has_no_run, TestMainGreenlet::test_greenlet_run
    const seen: unknown[] = [];
    const g = new Greenlet(function* () {
      seen.push(getcurrent().run);
      yield* parentSwitch();
    });
    g.switch();
    expect(seen).toEqual([undefined]);
    expect(g.run).toBeUndefined();
    expect(getmain().run).toBeUndefined();
  });

  it('refuses to set run once started', () => {
    // greenlet: "run cannot be set after the start of the greenlet"
    const g = new Greenlet(function* () {
      yield* parentSwitch();
    });
    g.switch();
    expect(() => {
      g.run = function* () {};
    }).toThrow(/started/);
    g.switch();
    expect(() => {
      g.run = function* () {};
    }).toThrow(GreenletError);
  });

  it('refuses a run that is not callable, at construction and on assignment', () => {
    // test_greenlet: run must be callable (greenlet raises TypeError at switch time; we refuse earlier)
    expect(() => new Greenlet(42 as any)).toThrow(TypeError);
    expect(() => new Greenlet('f' as any)).toThrow(/run must be a function/);
    const g = new Greenlet();
    expect(() => {
      g.run = {} as any;
    }).toThrow(TypeError);
    expect(g.run).toBeUndefined();
  });

  it('is active only while started and not dead; dead only once finished', () => {
    // test_greenlet::test_frame, test_two_children; docs/api.rst (bool(g))
    const g = new Greenlet(function* () {
      yield* parentSwitch('inside');
      return 'meaning of life';
    });
    expect([g.active, g.dead, g.started]).toEqual([false, false, false]);
    expect(g.switch()).toBe('inside');
    expect([g.active, g.dead, g.started]).toEqual([true, false, true]);
    expect(g.switch()).toBe('meaning of life');
    expect([g.active, g.dead, g.started]).toEqual([false, true, true]);
  });

  it('interleaves two children that each die on their own', () => {
    // test_greenlet::test_two_children
    const lst: number[] = [];
    function* f() {
      lst.push(1);
      yield* parentSwitch();
      lst.push(1, 1);
    }
    const g = new Greenlet(f);
    const h = new Greenlet(f);
    g.switch();
    expect(lst.length).toBe(1);
    h.switch();
    expect(lst.length).toBe(2);
    h.switch();
    expect(lst.length).toBe(4);
    expect(h.dead).toBe(true);
    expect(g.dead).toBe(false);
    g.switch();
    expect(lst.length).toBe(6);
    expect(g.dead).toBe(true);
  });

  it('lets a body create and start a child, whose parent is that body', () => {
    // test_greenlet::test_two_recursive_children
    const lst: string[] = [];
    let child: Greenlet | null = null;
    const outer = new Greenlet(function* () {
      lst.push('a');
      child = new Greenlet(function* () {
        lst.push('b');
        yield* parentSwitch();
      });
      yield* child.switch();
      lst.push('c');
    });
    outer.switch();
    expect(lst).toEqual(['a', 'b', 'c']);
    expect(child!.parent).toBe(outer);
    expect(child!.active).toBe(true);
  });

  it('has a main greenlet that is never dead, has no parent and is a Greenlet', () => {
    // TestGreenletSetParentErrors::test_main_greenlet_parent_is_none,
    // TestMainGreenlet::test_main_greenlet_is_greenlet
    const main = getcurrent();
    expect(main).toBe(getmain());
    expect(main.parent).toBeNull();
    expect(main.dead).toBe(false);
    expect(main.active).toBe(true);
    expect(main.isMain).toBe(true);
    expect(main).toBeInstanceOf(Greenlet);
    expect(isGreenlet(main)).toBe(true);
  });

  it('reports the running greenlet from getcurrent()', () => {
    // docs/greenlet.rst "The Current greenlet"
    let inside: Greenlet | null = null;
    const g = new Greenlet(function* () {
      inside = getcurrent();
    });
    expect(getcurrent()).toBe(getmain());
    g.switch();
    expect(inside).toBe(g);
    expect(getcurrent()).toBe(getmain());
  });

  it('keeps per-instance attributes', () => {
    // test_greenlet::test_instance_dict
    const g = new Greenlet(function* () {
      (getcurrent() as any).test = 42;
    });
    g.switch();
    expect((g as any).test).toBe(42);
  });

  it('describes its state like greenlet repr', () => {
    // TestRepr::test_main_while_running, test_main_in_background, test_initial, test_dead
    const main = getmain();
    expect(String(main)).toMatch(/ current active started main>$/);
    const g = new Greenlet(function* () {
      return String(main);
    });
    expect(String(g)).toMatch(/ pending>$/);
    expect(g.switch()).toMatch(/ suspended active started main>$/);
    expect(String(g)).toMatch(/ dead>$/);
    expect(String(g)).not.toMatch(/suspended|started|active/);
    const h = new Greenlet(function* () {
      yield* parentSwitch(String(getcurrent()));
    });
    expect(h.switch()).toBe('<Greenlet current active started>');
    expect(String(h)).toBe('<Greenlet suspended active started>');
  });

  it('names a subclass in its description', () => {
    // TestRepr (repr uses the type name)
    class Worker extends Greenlet {}
    expect(String(new Worker())).toBe('<Worker pending>');
  });
});

describe('switching and arguments', () => {
  it('passes every argument of the first switch to run', () => {
    // test_greenlet::test_switch_kwargs (positional form)
    const g = new Greenlet(function* (a: number, b: number) {
      expect(a).toBe(4);
      expect(b).toBe(2);
      return 42;
    });
    expect(g.switch(4, 2)).toBe(42);
  });

  it('calls run with exactly as many arguments as the first switch had', () => {
    // TGreenlet.cpp: run(*args) - no argument is no argument, not undefined
    const counts: number[] = [];
    for (const args of [[], [undefined], [1, 2, 3]]) {
      new Greenlet(function* (...got: unknown[]) {
        counts.push(got.length);
      }).switch(...args);
    }
    expect(counts).toEqual([0, 1, 3]);
  });

  it('delivers zero args as undefined, one as itself, several as an array', () => {
    // test_greenlet::test_switch_kwargs_to_parent, test_exception; docs/switching.rst
    const g = new Greenlet(function* (x: number) {
      yield* parentSwitch();
      yield* parentSwitch(x);
      yield* parentSwitch(2, x);
      yield* parentSwitch([x]);
      const back = [];
      back.push(yield* parentSwitch('a'));
      back.push(yield* parentSwitch('b'));
      back.push(yield* parentSwitch('c'));
      return back;
    });
    expect(g.switch(3)).toBeUndefined();
    expect(g.switch()).toBe(3);
    expect(g.switch()).toEqual([2, 3]);
    expect(g.switch()).toEqual([3]); // one argument, itself an array
    expect(g.switch()).toBe('a');
    expect(g.switch()).toBe('b');
    expect(g.switch(1)).toBe('c');
    expect(g.switch(1, 2)).toEqual([undefined, 1, [1, 2]]);
  });

  it('returns what the next switch back carries, not what was sent', () => {
    // docs/switching.rst: x = g.switch(y) sends y and receives an unrelated object
    const log: unknown[] = [];
    const b = new Greenlet(function* (v: unknown) {
      log.push(['b got', v]);
      const w = yield* getmain().switch('from b');
      log.push(['b got', w]);
      return 'b done';
    });
    const a = new Greenlet(function* () {
      const got = yield* b.switch('from a');
      log.push(['a got', got]);
      return 'a done';
    });
    expect(a.switch()).toBe('from b');
    expect(b.switch('main to b')).toBe('b done'); // b's parent is main
    expect(a.switch('main to a')).toBe('a done');
    expect(log).toEqual([
      ['b got', 'from a'],
      ['b got', 'main to b'],
      ['a got', 'main to a'],
    ]);
  });

  it('delivers the return value of run to the pending switch of its parent', () => {
    // test_greenlet::test_frame ("meaning of life"), test_switch_kwargs (42)
    const child = new Greenlet(function* () {
      return 'meaning of life';
    });
    const parent = new Greenlet(function* () {
      child.parent = getcurrent();
      return ['parent got', yield* child.switch()];
    });
    expect(parent.switch()).toEqual(['parent got', 'meaning of life']);
  });

  it('returns at once when a greenlet switches to itself, with the same shapes', () => {
    // PyGreenlet.cpp green_switch_doc; test_greenlet::test_tuple_subclass
    const main = getcurrent();
    expect(main.switch('x')).toBe('x');
    expect(main.switch()).toBeUndefined();
    expect(main.switch(1, 2)).toEqual([1, 2]);
    const g = new Greenlet(function* () {
      const me = getcurrent();
      return [yield* me.switch('y'), yield* me.switch(), yield* me.switch(1, 2)];
    });
    expect(g.switch()).toEqual(['y', undefined, [1, 2]]);
  });

  it('delivers switch arguments to a parent that was reassigned by the child', () => {
    // test_greenlet::test_dealloc_switch_args_not_lost (the portable part: the value survives)
    const worker = new Greenlet(function* () {
      const value = yield* parentSwitch();
      initiator.parent = getcurrent().parent!;
      return value;
    });
    worker.switch();
    const initiator = new Greenlet(function* () {
      return 42;
    }, worker);
    expect(initiator.switch()).toBe(42);
    expect(worker.dead).toBe(true);
  });

  it('starts a greenlet from inside another greenlet body', () => {
    // test_greenlet::test_two_recursive_children
    const order: string[] = [];
    const g = new Greenlet(function* () {
      order.push('outer');
      const h = new Greenlet(function* (x: number) {
        order.push(`inner ${x}`);
        return x * 2;
      });
      return yield* h.switch(21);
    });
    expect(g.switch()).toBe(42);
    expect(order).toEqual(['outer', 'inner 21']);
  });
});

describe('parents and death', () => {
  it('sends the result to the parent, not to whoever switched in last', () => {
    // docs/greenlet.rst "Greenlet Parents"
    const log: string[] = [];
    const parent = new Greenlet(function* () {
      const r = yield* parentSwitch('parent waits');
      log.push(`parent got ${r}`);
      return 'parent done';
    });
    parent.switch();
    const child = new Greenlet(function* () {
      return 'child result';
    }, parent);
    const starter = new Greenlet(function* () {
      yield* child.switch();
      log.push('starter resumed');
    });
    expect(starter.switch()).toBe('parent done');
    expect(log).toEqual(['parent got child result']);
    expect(starter.active).toBe(true);
  });

  it('lets parent be given at construction or reassigned later', () => {
    // docs/creating_executing_greenlets.rst "Changing The Parent"
    const p1 = new Greenlet(function* () {
      return ['p1', yield* parentSwitch()];
    });
    const p2 = new Greenlet(function* (v: unknown) {
      return ['p2', v];
    });
    const c = new Greenlet(function* () {
      return 'c';
    }, p1);
    expect(c.parent).toBe(p1);
    c.parent = p2;
    expect(c.parent).toBe(p2);
    expect(c.switch()).toEqual(['p2', 'c']);
  });

  it('refuses a parent that is not a greenlet, before start and while running', () => {
    // TestGreenletSetParentErrors::test_set_parent_wrong_types
    const g = new Greenlet(function* () {
      yield* parentSwitch();
    });
    const check = () => {
      for (const p of [null, undefined, 1, {}, '42', () => {}]) {
        expect(() => {
          g.parent = p as any;
        }).toThrow(TypeError);
        expect(() => {
          g.parent = p as any;
        }).toThrow(/parent must be a greenlet/);
      }
      expect(g.parent).toBe(getmain());
    };
    check();
    g.switch();
    expect(g.active).toBe(true);
    check();
    g.switch();
    expect(() => new Greenlet(null, 5 as any)).toThrow(TypeError);
  });

  it('refuses a greenlet as its own parent', () => {
    // TestGreenletSetParentErrors::test_trivial_cycle
    const g = new Greenlet(function* () {});
    expect(() => {
      g.parent = g;
    }).toThrow(/cyclic parent chain/);
    expect(g.parent).toBe(getmain());
  });

  it('refuses a longer cycle of parents', () => {
    // TestGreenletSetParentErrors::test_deeper_cycle
    const g1 = new Greenlet(function* () {});
    const g2 = new Greenlet(function* () {});
    const g3 = new Greenlet(function* () {});
    g1.parent = g2;
    g2.parent = g3;
    expect(() => {
      g3.parent = g1;
    }).toThrow(GreenletError);
    expect(() => {
      g3.parent = g1;
    }).toThrow(/cyclic parent chain/);
    expect(g3.parent).toBe(getmain());
  });

  it("refuses to set the main greenlet's parent", () => {
    // TestGreenletSetParentErrors::test_trivial_cycle_main
    const main = getmain();
    expect(() => {
      main.parent = main;
    }).toThrow(/cannot set the parent of the main greenlet/);
    expect(() => {
      main.parent = new Greenlet();
    }).toThrow(GreenletError);
    expect(main.parent).toBeNull();
  });

  it('switches to the parent when the target is dead, returning the args to main', () => {
    // test_greenlet::test_exception; docs/switching.rst "Switching To Dead Greenlets"
    const seen: unknown[] = [];
    const g1 = new Greenlet(fmain);
    const g2 = new Greenlet(fmain);
    g1.switch(seen);
    g2.switch(seen);
    g2.parent = g1;
    expect(seen).toEqual([]);
    expect(() => g2.switch()).toThrow(SomeError);
    expect(seen).toEqual([SomeError]);
    expect(g1.dead && g2.dead).toBe(true);
    expect(g2.switch()).toBeUndefined();
    expect(seen).toEqual([SomeError]);
    expect(g2.switch(25)).toBe(25);
    expect(g2.switch(1, 2)).toEqual([1, 2]);
    expect(seen).toEqual([SomeError]);
  });

  it('goes to the nearest living ancestor of a dead target, from inside a body', () => {
    // docs/switching.rst "Switching To Dead Greenlets" (first non-dead ancestor)
    const a = new Greenlet(function* () {
      return 'a';
    });
    a.switch();
    const b = new Greenlet(function* () {
      return 'b';
    }, a);
    b.switch();
    const waiting = new Greenlet(function* () {
      return ['waiting got', yield* parentSwitch()];
    });
    waiting.switch();
    a.parent = waiting;
    const caller = new Greenlet(function* () {
      yield* b.switch('to dead b');
      return 'unreachable';
    });
    expect(caller.switch()).toEqual(['waiting got', 'to dead b']);
  });

  it('starts an unstarted parent when switching to its dead child', () => {
    // test_greenlet::test_switch_to_dead_greenlet_reparent
    const seen: number[] = [];
    const parentNeverStarted = new Greenlet(function* () {
      seen.push(24);
    });
    const child = new Greenlet(function* () {
      seen.push(42);
    });
    child.switch();
    expect(seen).toEqual([42]);
    child.parent = parentNeverStarted;
    expect(child.switch()).toBeUndefined();
    expect(seen).toEqual([42, 24]);
    expect(parentNeverStarted.dead).toBe(true);
  });

  it("starts an unstarted parent with the finished child's result as its argument", () => {
    // test_greenlet::test_falling_off_end_switches_to_unstarted_parent_works
    const parentNeverStarted = new Greenlet(function* (x: number) {
      return [x, 24];
    });
    const child = new Greenlet(function* () {
      return 42;
    }, parentNeverStarted);
    expect(child.switch()).toEqual([42, 24]);
  });

  it('raises in the switcher when the unstarted parent fails as it starts', () => {
    // test_greenlet::test_switch_to_dead_greenlet_with_unstarted_perverse_parent (the observable rule)
    const seen: number[] = [];
    const parentNeverStarted = new Greenlet(function () {
      throw new SomeError('cannot start');
    });
    const child = new Greenlet(function* () {
      seen.push(42);
    }, parentNeverStarted);
    expect(() => child.switch()).toThrow(SomeError);
    expect(seen).toEqual([42]);
    expect(parentNeverStarted.dead).toBe(true);
    // The parent died of it, so the next switch to the dead child goes on up to main.
    expect(child.switch('again')).toBe('again');
    expect(seen).toEqual([42]);
  });

  it("raises in the switcher when the finished child's parent has no run", () => {
    // test_greenlet::test_parent_return_failure
    const g1 = new Greenlet();
    const g2 = new Greenlet(function* () {}, g1);
    expect(() => g2.switch()).toThrow(/no run function/);
    expect(g2.dead).toBe(true);
    expect(g1.started).toBe(false);
    // Still refused on the next switch, and still no fatal error.
    expect(() => g2.switch()).toThrow(/no run function/);
  });

  it('raises a no-run error in a living switcher instead of its parent', () => {
    // test_greenlet::test_parent_return_failure (the switcher is a body)
    const norun = new Greenlet();
    const dead = new Greenlet(function* () {}, norun);
    expect(() => dead.switch()).toThrow(/no run function/);
    const caller = new Greenlet(function* () {
      try {
        yield* dead.switch();
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(caller.switch()).toMatch(/no run function/);
    expect(norun.started).toBe(false);
  });
});

describe('errors', () => {
  it("raises a body's uncaught error in its parent and keeps where it was raised", () => {
    // test_greenlet::test_exception; docs/greenlet.rst "Uncaught Exceptions are Raised In the Parent"
    function* deepInsideTheChild() {
      yield* [];
      throw new SomeError('from the child');
    }
    const g = new Greenlet(function* () {
      yield* deepInsideTheChild();
    });
    let caught: unknown;
    try {
      g.switch();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SomeError);
    expect((caught as Error).stack).toMatch(/deepInsideTheChild/);
    expect(g.dead).toBe(true);
  });

  it('propagates an error up the chain: child to parent body to main', () => {
    // test_greenlet::test_exception (seen == [SomeError])
    const seen: unknown[] = [];
    const g1 = new Greenlet(fmain);
    g1.switch(seen);
    const g2 = new Greenlet(function* () {
      throw new SomeError('g2');
    }, g1);
    expect(() => g2.switch()).toThrow('g2');
    expect(seen).toEqual([SomeError]);
    expect(g1.dead).toBe(true);
  });

  it('raises in the parent when a helper greenlet whose parent is g raises', () => {
    // test_greenlet::test_send_exception
    const seen: unknown[] = [];
    const g1 = new Greenlet(fmain);
    g1.switch(seen);
    class KeyError extends Error {}
    const crasher = new Greenlet(function (exc: Error) {
      throw exc;
    }, g1);
    expect(() => crasher.switch(new KeyError('k'))).toThrow(KeyError);
    expect(seen).toEqual([KeyError]);
  });

  it('returns a GreenletExit that escapes a body to the parent as a value', () => {
    // docs/creating_executing_greenlets.rst; TGreenlet.cpp g_handle_exit
    const exit = new GreenletExit('bye');
    const g = new Greenlet(function* () {
      throw exit;
    });
    expect(g.switch()).toBe(exit);
    const h = new Greenlet(function* () {
      yield* parentSwitch();
    });
    h.switch();
    const r = h.throw(GreenletExit);
    expect(r).toBeInstanceOf(GreenletExit);
    expect(h.dead).toBe(true);
  });

  it('makes GreenletExit an Error that broad catches can recognise', () => {
    // gevent test__GreenletExit.py (JS has no BaseException: the brand check stands in)
    const e = new GreenletExit();
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('GreenletExit');
    expect(e.message).toBe('GreenletExit');
    class MyExit extends GreenletExit {}
    expect(new MyExit()).toBeInstanceOf(GreenletExit);
    expect(new GreenletExit()).not.toBeInstanceOf(MyExit);
  });
});

describe('subclasses', () => {
  it('lets a subclass pass one of its generator methods as the body, called on the greenlet', () => {
    // test_greenlet::test_abstract_subclasses, test_tracing::test_trace_events_into_greenlet_subclass_already_set
    // (a TS accessor cannot be overridden by a method, so the subclass hands its method to super)
    class Doubler extends Greenlet {
      factor = 2;
      constructor() {
        super(Doubler.prototype.body);
      }
      *body(this: Doubler, x: number): Generator<unknown, number, unknown> {
        const y = yield* parentSwitch('ready');
        return (x + (y as number)) * this.factor;
      }
    }
    const d = new Doubler();
    expect(d.switch(1)).toBe('ready');
    expect(d.switch(2)).toBe(6);
    expect(d.dead).toBe(true);
  });

  it('still refuses to start a subclass without any run', () => {
    // test_greenlet::test_abstract_subclasses (BadSubclass)
    class NoRun extends Greenlet {}
    expect(() => new NoRun().switch()).toThrow(/no run function/);
  });
});

describe('switchCount', () => {
  it('counts every change of the current greenlet, from main and between bodies', () => {
    // DECISIONS: a cheap switch counter (for the demo's switch rate)
    const before = switchCount();
    let b: Greenlet;
    const a = new Greenlet(function* () {
      yield* b.switch(); // a -> b
      return 'a done'; // a -> main
    });
    b = new Greenlet(function* () {
      yield* a.switch(); // b -> a
    });
    expect(a.switch()).toBe('a done'); // main -> a
    expect(switchCount() - before).toBe(4);
  });

  it('does not count a greenlet switching to itself, or a refused switch', () => {
    const before = switchCount();
    getmain().switch(1);
    expect(() => new Greenlet().switch()).toThrow(GreenletError);
    const g = new Greenlet(function* () {
      yield* getcurrent().switch();
      yield* getcurrent().switch();
    });
    g.switch(); // main -> g, g -> main
    expect(switchCount() - before).toBe(2);
  });
});
