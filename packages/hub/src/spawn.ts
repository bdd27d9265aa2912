/**
 * spawn, spawnLater, spawnRaw: start greenlets.
 *
 * ```ts
 * const g = spawn(function* (url: string) { return yield* fetchPage(url); }, 'http://x');
 * const page = yield* g.get();
 * ```
 *
 * `spawn` only schedules: the new greenlet runs when the spawner next waits (or, from
 * async code, when the hub next runs). None of them waits, so they are plain calls.
 * A greenlet that spawns another and ends does not end it (no structured concurrency;
 * use @g/sync's Group scope for that).
 */
import type { Op } from '@g/greenlet';
import { getcurrent } from '@g/greenlet';
import { type Greenlet, makeGreenlet, type ResultOf } from './greenlet.js';
import { HubGreenlet } from './hub-greenlet.js';
import { getHub } from './registry.js';
import { START } from './run-queue.js';
import { checkSeconds } from './seconds.js';

/** Makes a Greenlet running `fn(...args)` and starts it. */
export function spawn<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Greenlet<ResultOf<R>, A> {
  const g = makeGreenlet<ResultOf<R>, A>(fn as any, args);
  g.start();
  return g;
}

/** Makes a Greenlet running `fn(...args)` and starts it after `seconds`. */
export function spawnLater<A extends unknown[], R>(
  seconds: number,
  fn: (...args: A) => R,
  ...args: A
): Greenlet<ResultOf<R>, A> {
  checkSeconds(seconds, 'spawnLater(seconds, fn)');
  if (seconds === Infinity) throw new RangeError('spawnLater(seconds, fn): seconds must be finite');
  if (typeof fn !== 'function') {
    throw new TypeError('spawnLater(seconds, fn, ...args): fn must be a function');
  }
  const g = makeGreenlet<ResultOf<R>, A>(fn as any, args);
  g.startLater(seconds);
  return g;
}

/**
 * Starts a raw greenlet: no result, no links, no join (the cheapest kind). Its errors are
 * reported with hub.handleError. It can be killed with killall.
 */
export function spawnRaw<A extends unknown[]>(
  fn: (...args: A) => unknown,
  ...args: A
): RawGreenlet {
  if (typeof fn !== 'function') {
    throw new TypeError('spawnRaw(fn, ...args): fn must be a function');
  }
  const hub = getHub();
  const g = new HubGreenlet(hub, fn, args);
  g._spawner = getcurrent();
  hub._push(START, g, undefined, 0);
  return g;
}

/** What spawnRaw returns. */
export type RawGreenlet = HubGreenlet;

/** An Op's result type. */
export type OpResult<O> = O extends Op<infer T> ? T : never;
