/**
 * run and toPromise: from async code into greenlets and back.
 *
 * ```ts
 * import { run, spawn, sleep } from '@g/hub';
 * const result = await run(function* main() {
 *   yield* sleep(0.1);
 *   return 42;
 * });
 * await run(someGreenlet.kill());   // any Op, from async code
 * ```
 *
 * `run(fn, ...args)` starts `fn(...args)` in a new greenlet of the default hub (Node
 * backend) and returns a promise of its result; `hub.run(...)` does the same under
 * another hub (a virtual clock, say). Given an Op instead of a function, it runs the Op.
 * The greenlet starts in a microtask, not inside the call. If it waits on something that
 * nothing can ever wake, it fails with LoopExit instead of leaving the promise pending.
 *
 * `toPromise(g)` is a promise of a greenlet's result (its error rejects it).
 */
import type { Op } from '@g/greenlet';
import { Greenlet, type ResultOf, withHub } from './greenlet.js';
import type { Hub } from './hub.js';
import { defaultHub } from './registry.js';

/** Runs `fn(...args)` (or an Op) in a greenlet of the default hub; see the module comment. */
export function run<A extends unknown[], R>(
  fn: ((...args: A) => R) | Op<R>,
  ...args: A
): Promise<ResultOf<R>> {
  return runIn(defaultHub(), fn, args);
}

/** @internal */
export function runIn<A extends unknown[], R>(
  hub: Hub,
  fn: ((...args: A) => R) | Op<R>,
  args: A,
): Promise<ResultOf<R>> {
  let body: (...args: any[]) => unknown;
  let bodyArgs: unknown[] = args;
  if (typeof fn === 'function') {
    body = fn;
  } else if (
    fn !== null &&
    typeof fn === 'object' &&
    typeof (fn as any)[Symbol.iterator] === 'function'
  ) {
    // One shared body with the Op as its argument, not a closure per call: V8 gives each
    // fresh generator closure its own object map, which points back at the closure (and
    // so at the Op and all it holds) for as long as V8 keeps that map cached.
    body = runOpBody;
    bodyArgs = [fn];
  } else {
    return Promise.reject(
      new TypeError(
        `run(fn): expected a function or an Op, got ${fn === null ? 'null' : typeof fn}`,
      ),
    );
  }
  if (hub.isDestroyed) {
    return Promise.reject(
      new Error(`run(): ${hub} was destroyed; make a new hub with createHub()`),
    );
  }
  const g = withHub(hub, () => new Greenlet(body as any, ...bodyArgs));
  const p = toPromise(g) as Promise<ResultOf<R>>;
  g.start();
  return p;
}

function* runOpBody(op: Iterable<unknown, unknown, unknown>): Generator<unknown, unknown, any> {
  return yield* op;
}

/**
 * A promise of the greenlet's result: resolved with its value (a GreenletExit if it was
 * killed) or rejected with its error. While awaited, a greenlet waiting on something that
 * nothing can wake fails with LoopExit.
 */
export function toPromise<T>(g: Greenlet<T, any>): Promise<T> {
  if (!(g instanceof Greenlet)) {
    return Promise.reject(new TypeError('toPromise(g): g must be a Greenlet of @g/hub'));
  }
  return new Promise<T>((resolve, reject) => {
    if (!g.dead) {
      g._hub._awaited.add(g);
      g._hub._recheck(); // a parked hub looks again: LoopExit if nothing can end g
    }
    g.rawlink(() => {
      if (g.successful()) resolve(g.value as T);
      else reject(g.exception);
    });
  });
}
