/**
 * The trampoline: the one loop that drives every greenlet body.
 *
 * A body that switches yields its switch op (see op.ts) up through its `yield*` chain; the
 * generator's `next()` call in this loop returns it, and the loop resumes the op's target:
 * `next(value)` for a switch, `throw(error)` for a throw, `return(value)` for an unwind.
 * When a body ends, the loop goes on with its parent, passing the return value (or
 * raising the error). When the target is the main greenlet, the loop returns (or throws)
 * to the main code that called `switch()`: main's pending switch is the JS call stack of
 * the loop itself.
 *
 * Cost of one switch between two bodies: one `next()` through the caller's `yield*` chain
 * to get the instruction, one resume through the target's chain, a few field writes. No
 * promise, no microtask, no allocation (the op and its two iterator results are reused).
 * Each generator frame between a body and its switch adds one suspend and one resume to
 * every switch that passes through it (see BENCHMARKS.md).
 */
import { GreenletError, isGreenletExit } from './errors.js';
import {
  ACTIVE,
  asyncBody,
  DEAD,
  forgotten,
  type Greenlet,
  isAsyncOnlyIterator,
  isIterator,
  noRun,
  UNSTARTED,
} from './greenlet.js';
import { ARMED, DONE, IDLE, isSwitchOp, K_RETURN, K_SWITCH, K_THROW, SUSPENDED } from './op.js';
import { RT } from './runtime.js';

/**
 * Runs greenlets from main, starting with a switch of `kind` into `target`, until
 * control comes back to main; returns what main receives or throws what is raised there.
 */
export function trampoline(target: Greenlet, kind: number, value: any, argc: number): any {
  const rt = RT;
  const main = rt.main as Greenlet;
  let origin: Greenlet = main;
  rt.running = true;
  try {
    for (;;) {
      // 1. A dead target stands for its nearest living ancestor. A GreenletExit thrown
      //    into a dead greenlet is returned there as a value (greenlet: "eaten").
      if (target._state === DEAD) {
        if (kind !== K_SWITCH && (kind === K_RETURN || isGreenletExit(value))) {
          kind = K_SWITCH;
          argc = 1;
        }
        do target = target._parent!;
        while (target._state === DEAD);
      }

      // 2. Main: leave the loop, delivering to main's pending switch.
      if (target === main) {
        if (origin !== main) rt.switches++;
        rt.current = main;
        rt.running = false;
        if (rt.trace !== null && origin !== main) {
          const err = callTrace(kind === K_THROW ? 'throw' : 'switch', origin, main);
          if (err !== NO_ERROR) throw err;
        }
        if (kind === K_THROW) throw value;
        return argc === 0 ? undefined : value;
      }

      // 3. Resume (or start) a body.
      if (target._state === UNSTARTED && kind === K_SWITCH && target._run === null) {
        // Reached by a death or a dead target: the greenlet cannot start. The error goes to
        // the switcher if it is alive, else to this greenlet's parent; it stays unstarted.
        value = noRun(target, 'g.switch');
        kind = K_THROW;
        target = origin._state !== DEAD ? origin : target._parent!;
        continue;
      }
      if (target !== origin) {
        rt.switches++;
        rt.current = target;
        if (rt.trace !== null) {
          const err = callTrace(kind === K_THROW ? 'throw' : 'switch', origin, target);
          if (err !== NO_ERROR) {
            kind = K_THROW;
            value = err;
          }
        }
      }
      let r: IteratorResult<unknown, unknown>;
      let failed = false;
      let result: unknown;
      let ended = false;
      if (target._state === UNSTARTED) {
        const run = target._run;
        if (kind !== K_SWITCH) {
          // throw/unwind into an unstarted greenlet: it dies without running.
          ended = true;
          failed = kind === K_THROW;
          result = value;
        } else {
          target._run = null;
          target._state = ACTIVE;
          try {
            const scope = target._scope;
            const body =
              scope === null
                ? target._start(run!, argc, value)
                : scope.runInAsyncScope(target._start, target, run!, argc, value);
            value = undefined;
            if (isIterator(body)) {
              // An async generator also has next/throw/return, but they return promises:
              // driving one would loop forever on "bad yields".
              if (isAsyncOnlyIterator(body)) throw asyncBody('the greenlet body');
              target._gen = body;
              r =
                scope === null
                  ? body.next()
                  : scope.runInAsyncScope(step, null, body, K_SWITCH, undefined);
              if (r.done) {
                ended = true;
                result = r.value;
              }
            } else {
              ended = true;
              result = body;
            }
          } catch (e) {
            ended = true;
            failed = true;
            result = e;
          }
        }
      } else {
        const gen = target._gen!;
        const scope = target._scope;
        try {
          if (scope === null) {
            r =
              kind === K_SWITCH
                ? gen.next(argc === 0 ? undefined : value)
                : kind === K_THROW
                  ? gen.throw!(value)
                  : gen.return!(value);
          } else {
            r = scope.runInAsyncScope(step, null, gen, kind, argc === 0 ? undefined : value);
          }
          value = undefined;
          DONE.value = undefined;
          if (r.done) {
            ended = true;
            result = r.value;
          }
        } catch (e) {
          ended = true;
          failed = true;
          result = e;
        }
      }

      // 4a. The body ended: its result goes to its parent.
      if (ended) {
        const g = target;
        g._state = DEAD;
        g._gen = null;
        g._run = null;
        const op = g._op;
        if (op !== null) {
          if (op.state !== IDLE && !failed) {
            failed = true;
            result = forgotten(op.name);
          }
          op.state = IDLE;
          op.target = null;
          op.value = undefined;
        }
        if (g._unrun !== 0) {
          if (!failed) {
            failed = true;
            result = forgotten(g._unrunName ?? 'an Op');
          }
          g._unrun = 0;
          g._unrunName = null;
        }
        let absorbed = false;
        try {
          absorbed = g._finish(result, failed);
        } catch (e) {
          failed = true;
          result = e;
        }
        if (absorbed) {
          failed = false;
          result = undefined;
        } else if (failed && isGreenletExit(result)) {
          failed = false;
        }
        origin = g;
        target = g._parent!;
        kind = failed ? K_THROW : K_SWITCH;
        value = result;
        argc = 1;
        if (redirects && kind === K_SWITCH && target._redirect !== null) {
          const to = redirected(target); // as in 4b
          if (to !== null) {
            value = target._redirectValue;
            target._redirectValue = undefined;
            target = to;
          }
        }
        continue;
      }

      // 4b. The body suspended: decode its instruction.
      const op = r!.value as any;
      origin = target;
      if (op !== target._op || op.state !== SUSPENDED) {
        if (op === target._op) {
          // `yield g.switch()` without the star: the op was armed, never run.
          op.state = IDLE;
          op.target = null;
          op.value = undefined;
        }
        kind = K_THROW;
        value = badYield(op, target);
        continue;
      }
      if (target._unrun !== 0) {
        kind = K_THROW;
        value = forgotten(target._unrunName ?? 'an Op');
        target._unrun = 0;
        target._unrunName = null;
        op.target = null;
        op.value = undefined;
        continue;
      }
      const instr = op.instr;
      kind = instr & 3;
      argc = (instr >> 2) & 3;
      value = op.value;
      target = op.target;
      op.target = null;
      op.value = undefined;
      if (kind !== K_RETURN && target._state === UNSTARTED && target._run === null) {
        value = noRun(target, op.name);
        kind = K_THROW;
        target = origin;
      } else if (redirects && kind === K_SWITCH && target._redirect !== null) {
        // A scheduler's hand-off (see Greenlet#_redirect): the switch may go straight to
        // the greenlet it would resume next.
        const to = redirected(target);
        if (to !== null) {
          value = target._redirectValue;
          target._redirectValue = undefined;
          argc = 1;
          target = to;
        }
      }
    }
  } finally {
    rt.running = false;
    rt.current = main;
  }
}

const NO_ERROR = Symbol('no error');

/**
 * False until some greenlet gets a `_redirect` hook through {@link setRedirect}: until then
 * the trampoline does not look for one (a switch of @g/greenlet alone pays one test of a
 * module variable).
 */
let redirects = false;

/**
 * For schedulers: sets (or, with null, removes) `g`'s hand-off hook (see
 * `Greenlet#_redirect`). The trampoline calls `hook` with `this` = `g` when a body switches
 * into `g` with a plain switch, or ends with `g` as its parent, while no trace function is
 * set: a greenlet it returns is resumed instead, with `g._redirectValue`. The hook must not
 * switch.
 */
export function setRedirect(g: Greenlet, hook: (() => Greenlet | null) | null): void {
  g._redirect = hook;
  if (hook !== null) redirects = true;
}

/**
 * Where a switch into `target` (which has a `_redirect` hook) goes instead, or null. Off
 * while a trace function is set, so that every hop is traced.
 */
function redirected(target: Greenlet): Greenlet | null {
  return RT.trace === null ? target._redirect!() : null;
}

/** One resume of a body, for greenlets whose resumes run in an async scope. */
function step(
  gen: Iterator<unknown, unknown, unknown>,
  kind: number,
  value: unknown,
): IteratorResult<unknown, unknown> {
  return kind === K_SWITCH
    ? gen.next(value)
    : kind === K_THROW
      ? gen.throw!(value)
      : gen.return!(value);
}

/**
 * Calls the settrace callback; an error from it disables tracing and is returned. The
 * callback runs as `target`; a switch it makes while `target` is a body being started
 * would arm `target`'s op behind its back, so it counts as an error of the callback.
 */
function callTrace(event: 'switch' | 'throw', origin: Greenlet, target: Greenlet): unknown {
  const trace = RT.trace!;
  try {
    trace(event, [origin, target]);
  } catch (e) {
    RT.trace = null;
    return e;
  }
  const op = target._op;
  if (op !== null && op.state === ARMED) {
    op.state = IDLE;
    op.target = null;
    op.value = undefined;
    RT.trace = null;
    return new GreenletError(
      `a settrace callback cannot switch (it runs as ${target}, which is being switched ` +
        'into); tracing is now off. Record the event and switch from a greenlet body instead.',
    );
  }
  return NO_ERROR;
}

function badYield(x: unknown, g: Greenlet): GreenletError {
  if (isSwitchOp(x) && x !== g._op) {
    return new GreenletError(
      'a switch Op made in one greenlet was run in another: run each Op in the greenlet ' +
        'that made it',
    );
  }
  if (isSwitchOp(x)) {
    return new GreenletError(
      `\`yield ${x.name}(...)\` yields the Op instead of running it: write \`yield* ` +
        `${x.name}(...)\` (with the star)`,
    );
  }
  return new GreenletError(
    `a greenlet body yielded ${String(x)} to the trampoline: a bare \`yield\` is not a ` +
      'switch. Run Ops with `yield*` (yield* g.switch(), yield* sleep(1)).',
  );
}
