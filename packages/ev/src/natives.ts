/**
 * Node's own timer, clock and process-listener functions, captured once when @g/ev loads.
 *
 * Rules:
 * - Every place in @g/ev that arms a Node timer, schedules a macrotask, reads a clock or
 *   adds a process signal listener calls these, never the globals. A later patch of
 *   `setTimeout`, `setImmediate`, `Date.now`, `performance.now`, `process.hrtime` or
 *   `process.on` (@g/monkey's, a test's fake timers) does not reach the loop's own
 *   machinery: the loop cannot end up scheduling its wake-up as a timer on itself.
 * - Captured at the first load of any copy of @g/ev in the process and shared by every
 *   copy (ESM and CJS builds, through the process-wide state of runtime.ts): a copy that
 *   loads after a patch still gets Node's functions, as long as one copy loaded before it.
 * - So @g/ev must be loaded before anything patches those globals. @g/monkey imports @g/ev,
 *   so that always holds for it; other patchers must import @g/ev first.
 * - `process.on` / `removeListener`: if `process` already has an own `on` (a patch: Node's
 *   is inherited from EventEmitter), the inherited one is taken instead.
 * - The object is frozen. Calling its functions costs what calling Node's costs (the ones
 *   that need a receiver are bound once).
 *
 * Exported as `natives`, an advanced API for code that drives a loop (@g/hub, @g/monkey)
 * and must itself stay on Node's timers and clocks.
 */

import { EV } from './runtime.js';

/** Node's functions as they were before any patch (see the module comment). */
export interface Natives {
  readonly setTimeout: typeof globalThis.setTimeout;
  readonly clearTimeout: typeof globalThis.clearTimeout;
  readonly setInterval: typeof globalThis.setInterval;
  readonly clearInterval: typeof globalThis.clearInterval;
  readonly setImmediate: typeof globalThis.setImmediate;
  readonly clearImmediate: typeof globalThis.clearImmediate;
  /** `Date.now`. */
  readonly dateNow: () => number;
  /** The `Date` constructor. */
  readonly Date: DateConstructor;
  /** `performance.now`, bound to `performance`. */
  readonly perfNow: () => number;
  /** `process.hrtime`. */
  readonly hrtime: NodeJS.HRTime;
  /** `process.hrtime.bigint`. */
  readonly hrtimeBigint: () => bigint;
  /** `process.on`, bound to `process`. */
  readonly processOn: (event: string | symbol, listener: (...args: any[]) => void) => unknown;
  /** `process.removeListener`, bound to `process`. */
  readonly processRemoveListener: (
    event: string | symbol,
    listener: (...args: any[]) => void,
  ) => unknown;
}

/** The process's own method `name`, or the inherited one when `process` has an own (patched) one. */
function processMethod(name: 'on' | 'removeListener'): (...args: any[]) => unknown {
  const proc = process as any;
  const fn = Object.hasOwn(proc, name) ? Object.getPrototypeOf(proc)[name] : proc[name];
  return fn.bind(process);
}

function capture(): Natives {
  const g = globalThis;
  const perf = g.performance;
  const hr = process.hrtime;
  return Object.freeze({
    setTimeout: g.setTimeout,
    clearTimeout: g.clearTimeout,
    setInterval: g.setInterval,
    clearInterval: g.clearInterval,
    setImmediate: g.setImmediate,
    clearImmediate: g.clearImmediate,
    dateNow: g.Date.now,
    Date: g.Date,
    perfNow: perf.now.bind(perf),
    hrtime: hr,
    hrtimeBigint: hr.bigint,
    processOn: processMethod('on'),
    processRemoveListener: processMethod('removeListener'),
  });
}

/** Node's timer, clock and process-listener functions (see the module comment). */
export const natives: Natives = (EV.natives ??= capture());
