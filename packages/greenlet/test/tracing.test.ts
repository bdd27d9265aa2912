// Ports of greenlet's src/greenlet/tests/test_tracing.py (TestGreenletTracing; the
// sys.setprofile tests are CPython-specific), plus gevent's TestDeadPropertyDuringSwitch.
import { afterEach, describe, expect, it } from 'vitest';
import { Greenlet, getcurrent, getmain } from '../src/greenlet.js';
import { gettrace, settrace, type TraceCallback } from '../src/trace.js';

class SomeError extends Error {
  override name = 'SomeError';
}

type Action = [string, [Greenlet, Greenlet]];

/** greenlet's GreenletTracer: records every event; optionally raises from the callback. */
function tracer(errorOnTrace = false): { actions: Action[]; cb: TraceCallback } {
  const actions: Action[] = [];
  const cb: TraceCallback = (event, args) => {
    actions.push([event, [args[0], args[1]]]);
    if (errorOnTrace) throw new SomeError('from the tracer');
  };
  return { actions, cb };
}

afterEach(() => {
  settrace(null);
});

describe('settrace', () => {
  it('reports switch events for start and finish, and throw for a death by error', () => {
    // test_tracing::test_a_greenlet_tracing
    const main = getcurrent();
    const { actions, cb } = tracer();
    settrace(cb);
    const g1 = new Greenlet(function* () {});
    g1.switch();
    const g2 = new Greenlet(function* () {
      throw new SomeError();
    });
    expect(() => g2.switch()).toThrow(SomeError);
    settrace(null);
    expect(actions).toEqual([
      ['switch', [main, g1]],
      ['switch', [g1, main]],
      ['switch', [main, g2]],
      ['throw', [g2, main]],
    ]);
  });

  it('turns tracing off when the callback raises, and raises that error from the switch', () => {
    // test_tracing::test_b_exception_disables_tracing
    const main = getcurrent();
    const g = new Greenlet(function* () {
      yield* main.switch();
    });
    g.switch();
    const { actions, cb } = tracer(true);
    settrace(cb);
    expect(() => g.switch()).toThrow(SomeError);
    expect(gettrace()).toBeNull();
    expect(actions).toEqual([['switch', [main, g]]]);
    expect(g.dead).toBe(true);
  });

  it('raises the callback error in a greenlet being started, which then dies without running', () => {
    // TUserGreenlet.cpp inner_bootstrap: trace errors become a throw into the new greenlet
    let ran = false;
    const g = new Greenlet(function* () {
      ran = true;
    });
    settrace(tracer(true).cb);
    expect(() => g.switch()).toThrow(SomeError);
    expect(ran).toBe(false);
    expect(g.dead).toBe(true);
    expect(gettrace()).toBeNull();
  });

  it('raises the callback error at main when the switch goes back to main', () => {
    // test_tracing::test_b_exception_disables_tracing (event on the way back to main)
    const g = new Greenlet(function* () {
      return 'value lost to the tracer error';
    });
    let calls = 0;
    settrace((_event, [, target]) => {
      calls++;
      if (target === getmain()) throw new SomeError('on the way back');
    });
    expect(() => g.switch()).toThrow('on the way back');
    expect(calls).toBe(2);
    expect(gettrace()).toBeNull();
    expect(g.dead).toBe(true);
  });

  it('lets a body catch the callback error raised where it resumes', () => {
    // test_tracing::test_b_exception_disables_tracing (the error is raised in the target)
    const g = new Greenlet(function* () {
      try {
        yield* getmain().switch('waiting');
      } catch (e) {
        return ['caught', (e as Error).message];
      }
    });
    g.switch();
    settrace(tracer(true).cb);
    expect(g.switch()).toEqual(['caught', 'from the tracer']);
    expect(gettrace()).toBeNull();
  });

  it('returns the previous callback; setting the same one twice is harmless', () => {
    // test_tracing::test_set_same_tracer_twice; docs/api.rst settrace returns the old one
    const { actions, cb } = tracer();
    expect(settrace(cb)).toBeNull();
    expect(settrace(cb)).toBe(cb);
    expect(gettrace()).toBe(cb);
    new Greenlet(function* () {}).switch();
    expect(actions.length).toBe(2);
    expect(settrace(null)).toBe(cb);
    expect(gettrace()).toBeNull();
  });

  it('refuses a callback that is not a function', () => {
    // docs/api.rst: settrace(callback) takes a callable or None
    expect(() => settrace(42 as any)).toThrow(TypeError);
    expect(gettrace()).toBeNull();
  });

  it('reports throw for g.throw() into suspended and unstarted greenlets', () => {
    // test_tracing events: "a switch that delivers an exception" is 'throw'
    const main = getcurrent();
    const g = new Greenlet(function* () {
      yield* main.switch();
    });
    g.switch();
    const u = new Greenlet(function* () {});
    const { actions, cb } = tracer();
    settrace(cb);
    g.throw();
    u.throw();
    settrace(null);
    expect(actions).toEqual([
      ['throw', [main, g]],
      ['switch', [g, main]],
      ['throw', [main, u]],
      ['switch', [u, main]],
    ]);
  });

  it('reports switches between bodies with their origin and target', () => {
    // test_tracing::test_a_greenlet_tracing (body to body)
    const main = getcurrent();
    let b: Greenlet;
    const a = new Greenlet(function* () {
      yield* b.switch();
    });
    b = new Greenlet(function* () {
      yield* a.switch();
    });
    const { actions, cb } = tracer();
    settrace(cb);
    a.switch();
    settrace(null);
    expect(actions).toEqual([
      ['switch', [main, a]],
      ['switch', [a, b]],
      ['switch', [b, a]],
      ['switch', [a, main]],
    ]);
  });

  it('does not report a switch of a greenlet to itself', () => {
    // greenlet: no trace event when origin is target (no stack switch happens)
    const { actions, cb } = tracer();
    const g = new Greenlet(function* () {
      return yield* getcurrent().switch(1);
    });
    settrace(cb);
    expect(getmain().switch(5)).toBe(5);
    expect(g.switch()).toBe(1);
    settrace(null);
    expect(actions.map(([e, [o, t]]) => [e, o === getmain(), t === g])).toEqual([
      ['switch', true, true],
      ['switch', false, false],
    ]);
  });

  it('runs the callback after the target is current and while it is not dead', () => {
    // gevent test__greenlet::TestDeadPropertyDuringSwitch; greenlet: trace runs in the target
    const seen: [boolean, boolean][] = [];
    const g = new Greenlet(function* () {
      yield* getmain().switch();
    });
    settrace((_event, [, target]) => {
      seen.push([getcurrent() === target, target.dead]);
    });
    g.switch();
    g.switch();
    settrace(null);
    expect(seen).toEqual([
      [true, false],
      [true, false],
      [true, false],
      [true, false],
    ]);
  });

  it('lets the callback switch from main when the event returns to main', () => {
    // greenlet: the tracer may switch (re-entrant switching must not corrupt state)
    const other = new Greenlet(function* () {
      return 'other ran';
    });
    const results: unknown[] = [];
    const g = new Greenlet(function* () {
      return 'g done';
    });
    settrace((_event, [, target]) => {
      if (target === getmain() && !other.started) {
        settrace(null);
        results.push(other.switch());
      }
    });
    expect(g.switch()).toBe('g done');
    expect(results).toEqual(['other ran']);
    expect(getcurrent()).toBe(getmain());
  });

  it('refuses a switch from the callback while a body is being resumed', () => {
    // greenlet: re-entrant switching must not corrupt state (here it fails loudly instead)
    const target = new Greenlet(function* () {});
    const g = new Greenlet(function* () {
      yield* getmain().switch();
      return 'g finished';
    });
    g.switch();
    settrace((_event, [, t]) => {
      if (t === g) target.switch();
    });
    expect(() => g.switch()).toThrow(/^a settrace callback cannot switch/);
    expect(gettrace()).toBeNull();
    expect(target.started).toBe(false);
  });

  it('refuses a switch from the callback while a greenlet is being started', () => {
    // greenlet: re-entrant switching must not corrupt state (here it fails loudly instead)
    const other = new Greenlet(function* () {});
    let ran = false;
    const g = new Greenlet(function* () {
      ran = true;
      yield* getmain().switch('g suspended');
    });
    settrace((_event, [, t]) => {
      if (t === g) other.switch();
    });
    expect(() => g.switch()).toThrow(/settrace callback cannot switch/);
    expect(gettrace()).toBeNull();
    expect(ran).toBe(false);
    expect(other.started).toBe(false);
  });
});
