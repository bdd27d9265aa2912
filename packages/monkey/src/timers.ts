/**
 * The timers patch: Node's timers run as watchers of the hub's loop.
 *
 * `patchTimers({ hub })` replaces `setTimeout`, `setInterval`, `setImmediate` and their
 * `clear*` on `globalThis` and in `node:timers`, and `setTimeout`, `setImmediate`,
 * `setInterval`, `scheduler.wait`, `scheduler.yield` in `node:timers/promises` (ESM named
 * imports of both modules follow, through `module.syncBuiltinESMExports()`). Then:
 *
 * - every timer made by plain Node code or a library is a watcher of the hub's loop: it
 *   keeps `hub.join()` waiting (unless unref'd), it fires in the loop's order, and on a
 *   virtual clock it fires at virtual time: a library's one-hour back-off completes at
 *   once, deterministically;
 * - the objects and rules are Node's (timer-objects.ts, delay.ts): `this` is the timer,
 *   extra arguments are passed on, `ref`/`unref`/`hasRef`/`refresh`/`close`,
 *   `+timer` for `clearTimeout(n)`, `util.promisify(setTimeout)`, AbortSignal and `ref`
 *   options of timers/promises;
 * - a callback is delivered outside the hub, one Node macrotask each, so the microtasks a
 *   callback queues drain before the next callback runs, as with Node's own timers
 *   (deliver.ts);
 * - `clearTimeout`/`clearInterval`/`clearImmediate` given one of Node's own timers (made
 *   before patching, or by code holding the originals) pass it to Node's function.
 *
 * Node's internal timers (socket timeouts, HTTP keep-alive) are Node's own and stay so.
 * Undo with `unpatchAll()`.
 */
import timersPromises from 'node:timers/promises';
import type { Hub } from '@g/hub';
import { normalizeDelay } from './delay.js';
import { AbortError, invalidArgType } from './errors.js';
import { patchHub } from './hub-ref.js';
import { NATIVE } from './natives.js';
import { applyPatch } from './patch-core.js';
import { patchItem } from './registry.js';
import { STATE } from './state.js';
import { HubImmediate, HubTimeout, isHubImmediate, isHubTimeout } from './timer-objects.js';

const PROMISIFY_CUSTOM = Symbol.for('nodejs.util.promisify.custom');

function restArgs(a: IArguments, from: number): unknown[] | undefined {
  const n = a.length - from;
  if (n <= 0) return undefined;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = a[from + i];
  return out;
}

function checkCallback(callback: unknown): void {
  if (typeof callback !== 'function')
    throw invalidArgType('callback', 'of type function', callback);
}

/** Patched `setTimeout(callback, ms, ...args)`. */
function setTimeout(this: unknown, callback: (...args: any[]) => void, after?: number): any {
  checkCallback(callback);
  const ms = normalizeDelay(after);
  // biome-ignore lint/complexity/noArguments: Node's signature, no rest array
  return new HubTimeout(patchHub(), callback, ms, restArgs(arguments, 2), false, true);
}

/** Patched `setInterval(callback, ms, ...args)`. */
function setInterval(this: unknown, callback: (...args: any[]) => void, repeat?: number): any {
  checkCallback(callback);
  const ms = normalizeDelay(repeat);
  // biome-ignore lint/complexity/noArguments: Node's signature, no rest array
  return new HubTimeout(patchHub(), callback, ms, restArgs(arguments, 2), true, true);
}

/** Patched `setImmediate(callback, ...args)`. */
function setImmediate(this: unknown, callback: (...args: any[]) => void): any {
  checkCallback(callback);
  // biome-ignore lint/complexity/noArguments: Node's signature, no rest array
  return new HubImmediate(patchHub(), callback, restArgs(arguments, 1));
}

function clearTimer(timer: unknown): boolean {
  if (isHubTimeout(timer)) {
    timer._clear();
    return true;
  }
  if (typeof timer === 'number' || typeof timer === 'string') {
    const t = STATE.timersById.get(+timer);
    if (t !== undefined) {
      t._clear();
      return true;
    }
  }
  return false;
}

/** Patched `clearTimeout(timer)`. */
function clearTimeout(timer: unknown): void {
  if (!clearTimer(timer)) {
    if (!isHubImmediate(timer)) NATIVE.clearTimeout(timer as any);
  }
}

/** Patched `clearInterval(timer)` (the same as clearTimeout, as in Node). */
function clearInterval(timer: unknown): void {
  if (!clearTimer(timer)) {
    if (!isHubImmediate(timer)) NATIVE.clearInterval(timer as any);
  }
}

/** Patched `clearImmediate(immediate)`. */
function clearImmediate(immediate: unknown): void {
  if (isHubImmediate(immediate)) {
    immediate._clear();
    return;
  }
  if (!isHubTimeout(immediate)) NATIVE.clearImmediate(immediate as any);
}

// ---------------------------------------------------------------------------------------
// timers/promises

interface PromiseTimerOptions {
  signal?: AbortSignal;
  ref?: boolean;
}

function checkOptions(options: unknown): { signal: AbortSignal | undefined; ref: boolean } {
  if (options === null || typeof options !== 'object') {
    throw invalidArgType('options', 'of type object', options);
  }
  const { signal, ref = true } = options as PromiseTimerOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
  }
  if (typeof ref !== 'boolean') throw invalidArgType('options.ref', 'of type boolean', ref);
  return { signal, ref };
}

function aborted(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/** Patched `timers/promises.setTimeout(ms, value, { signal, ref })`. */
function setTimeoutPromise<T = void>(after?: number, value?: T, options: object = {}): Promise<T> {
  let opts: { signal: AbortSignal | undefined; ref: boolean };
  try {
    opts = checkOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  const { signal, ref } = opts;
  if (signal?.aborted) return Promise.reject(aborted(signal));
  return new Promise<T>((resolve, reject) => {
    let onAbort: (() => void) | undefined;
    const t = new HubTimeout(
      patchHub(),
      () => {
        if (signal !== undefined) signal.removeEventListener('abort', onAbort!);
        resolve(value as T);
      },
      normalizeDelay(after),
      undefined,
      false,
      ref,
    );
    if (signal !== undefined) {
      onAbort = () => {
        t._clear();
        reject(aborted(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/** Patched `timers/promises.setImmediate(value, { signal, ref })`. */
function setImmediatePromise<T = void>(value?: T, options: object = {}): Promise<T> {
  let opts: { signal: AbortSignal | undefined; ref: boolean };
  try {
    opts = checkOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  const { signal, ref } = opts;
  if (signal?.aborted) return Promise.reject(aborted(signal));
  return new Promise<T>((resolve, reject) => {
    let onAbort: (() => void) | undefined;
    const im = new HubImmediate(
      patchHub(),
      () => {
        if (signal !== undefined) signal.removeEventListener('abort', onAbort!);
        resolve(value as T);
      },
      undefined,
      ref,
    );
    if (signal !== undefined) {
      onAbort = () => {
        im._clear();
        reject(aborted(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/**
 * Patched `timers/promises.setInterval(ms, value, { signal, ref })`: an async iterator
 * yielding `value` once per tick; ticks that came while nobody waited are yielded at once
 * (one each). `return()` (a `break` out of `for await`) clears the interval; an abort
 * rejects the pending `next()` and ends the iteration with AbortError.
 */
async function* setIntervalPromise<T = void>(
  after?: number,
  value?: T,
  options: object = {},
): AsyncGenerator<T, void, unknown> {
  const { signal, ref } = checkOptions(options);
  if (signal?.aborted) throw aborted(signal);
  let ticks = 0;
  let wake: ((v?: unknown) => void) | null = null;
  let fail: ((e: unknown) => void) | null = null;
  const t = new HubTimeout(
    patchHub(),
    () => {
      ticks++;
      const w = wake;
      wake = fail = null;
      if (w !== null) w();
    },
    normalizeDelay(after),
    undefined,
    true,
    ref,
  );
  const onAbort = (): void => {
    t._clear();
    const f = fail;
    wake = fail = null;
    if (f !== null) f(aborted(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      if (ticks === 0) {
        await new Promise((resolve, reject) => {
          wake = resolve;
          fail = reject;
        });
      }
      for (; ticks > 0; ticks--) yield value as T;
    }
  } finally {
    t._clear();
    signal?.removeEventListener('abort', onAbort);
  }
}

const scheduler = {
  /** Patched `scheduler.wait(ms, { signal })`. */
  wait(delay?: number, options: object = {}): Promise<void> {
    return setTimeoutPromise(delay, undefined, options);
  },
  /** Patched `scheduler.yield()`. */
  yield(): Promise<void> {
    return setImmediatePromise();
  },
};

Object.defineProperty(setTimeout, PROMISIFY_CUSTOM, { value: setTimeoutPromise });
Object.defineProperty(setImmediate, PROMISIFY_CUSTOM, { value: setImmediatePromise });

/** The patched functions (also for tests and the benchmark). */
export const PATCHED_TIMERS = {
  setTimeout,
  setInterval,
  setImmediate,
  clearTimeout,
  clearInterval,
  clearImmediate,
} as const;

/** The patched timers/promises functions. */
export const PATCHED_TIMER_PROMISES = {
  setTimeout: setTimeoutPromise,
  setImmediate: setImmediatePromise,
  setInterval: setIntervalPromise,
} as const;

/** The modules the timers patch changes. */
export const TIMER_MODULES = [
  'globalThis',
  'timers',
  'timers/promises',
  'timers/promises.scheduler',
] as const;

/** Options of patchTimers. */
export interface PatchTimersOptions {
  /** The hub to run on (default: the default hub, or the hub of earlier patches). */
  hub?: Hub;
}

/** Applies the timers patch (see the module comment). Returns false when vetoed. */
export function patchTimers(options: PatchTimersOptions = {}): boolean {
  return applyPatch('timers', true, options.hub, TIMER_MODULES, () => {
    for (const [name, fn] of Object.entries(PATCHED_TIMERS)) {
      patchItem('globalThis', name, fn);
      patchItem('timers', name, fn);
    }
    for (const [name, fn] of Object.entries(PATCHED_TIMER_PROMISES)) {
      patchItem('timers/promises', name, fn);
    }
    if ((timersPromises as any).scheduler !== undefined) {
      patchItem('timers/promises.scheduler', 'wait', scheduler.wait);
      patchItem('timers/promises.scheduler', 'yield', scheduler.yield);
    }
  });
}
