/**
 * The clock patch: `Date.now()`, `new Date()`, `performance.now()` and `process.hrtime()`
 * follow the hub's loop when its clock is virtual.
 *
 * On a virtual hub (`createHub({ backend: 'virtual' })`), time only moves when the loop
 * jumps to its next timer; code that measures time with the platform's clocks (a retry
 * library's `maxRetryTime`, a debounce's `Date.now()`) must read that time too, or the
 * patched timers and the clocks disagree. After `patchClock({ hub })`:
 *
 * - `Date.now()` = the loop's wall clock in whole ms: its start time (by default the real
 *   time when the loop was made, to the ms) plus the virtual time, rounded to the
 *   microsecond first, so that it moves by exactly the delays of the timers that fired;
 * - `globalThis.Date` is a Proxy of Date: `new Date()` and `Date()` with no argument use
 *   that time; with arguments, static methods, `instanceof Date` and every existing date
 *   are unchanged. (`new Date().constructor` is the original Date, not the Proxy, and
 *   `Date !== getOriginal('globalThis', 'Date')`.)
 * - `performance.now()` and `process.hrtime()` / `process.hrtime.bigint()` advance with
 *   the loop's time from the moment of patching (they stay monotonic and continuous).
 *
 * On a hub whose clock is real (the Node backend, the default hub), the platform's clocks
 * already are the loop's: the patch changes nothing and is not applied (patchClock
 * returns false and warns). Node's internals (and the hub's own machinery) keep
 * reading the real clocks. Undo with `unpatchAll()`.
 */
import type { Hub } from '@g/hub';
import { MonkeyPatchWarning } from './errors.js';
import { loopOf, patchBackend, patchHub } from './hub-ref.js';
import { NATIVE } from './natives.js';
import { applyPatch } from './patch-core.js';
import { patchItem } from './registry.js';

/** The modules the clock patch changes. */
export const CLOCK_MODULES = ['Date', 'globalThis', 'performance', 'process'] as const;

export interface PatchClockOptions {
  /** The hub whose clock to follow (default: the hub of earlier patches, or the default hub). */
  hub?: Hub;
}

/** Applies the clock patch (see the module comment). False when vetoed or not applicable. */
export function patchClock(options: PatchClockOptions = {}): boolean {
  return clockPatch(options, false);
}

/** @internal patchClock; `quiet`: no warning when the hub's clock is real (patchAll's default). */
export function clockPatch(options: PatchClockOptions, quiet: boolean): boolean {
  const backend = options.hub !== undefined ? options.hub.loop.backend : patchBackend();
  if (backend !== 'virtual') {
    if (quiet) return false;
    process.emitWarning(
      new MonkeyPatchWarning(
        "@g/monkey: the clock patch applies to a hub with a virtual clock (createHub({ backend: 'virtual' })); " +
          'the patches run on a hub with the real clock, so Date.now() and performance.now() are left as they are',
      ),
    );
    return false;
  }
  return applyPatch('clock', true, options.hub, CLOCK_MODULES, () => {
    const hub = patchHub();
    const loop = loopOf(hub);
    const RealDate = NATIVE.Date;
    const perf0 = NATIVE.perfNow();
    const hr0 = NATIVE.hrtimeBigint();
    const loop0 = loop.now();
    // The loop's wall clock at loop time 0, in whole ms: Date.now() is that plus the
    // virtual time, so it moves by exactly the timers' delays.
    const wall0 = Math.floor((loop.time() - loop0) * 1000);
    // Loop time is a sum of float seconds (0.1 + 0.2 ...): round to the microsecond so a
    // one-second jump reads as exactly 1000 ms, not 999.9999999.
    const nowMs = (): number => Math.round(loop.now() * 1e6) / 1e3;
    const ms0 = Math.round(loop0 * 1e6) / 1e3;
    const dateNow = function now(): number {
      return wall0 + Math.floor(nowMs());
    };
    const perfNow = function now(): number {
      return perf0 + (nowMs() - ms0);
    };
    const hrBigint = function bigint(): bigint {
      return hr0 + BigInt(Math.round((nowMs() - ms0) * 1e6));
    };
    const hrtime = function hrtime(previous?: [number, number]): [number, number] {
      const ns = hrBigint();
      let s = Number(ns / 1_000_000_000n);
      let n = Number(ns % 1_000_000_000n);
      if (previous !== undefined) {
        if (!Array.isArray(previous) || previous.length !== 2) {
          // Node's own validation and message.
          return NATIVE.hrtime(previous);
        }
        s -= previous[0];
        n -= previous[1];
        if (n < 0) {
          s -= 1;
          n += 1e9;
        }
      }
      return [s, n];
    };
    Object.defineProperty(hrtime, 'bigint', {
      value: hrBigint,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    const DateProxy = new Proxy(RealDate, {
      construct(target, args, newTarget) {
        return Reflect.construct(target, args.length === 0 ? [dateNow()] : args, newTarget);
      },
      apply(target) {
        return new target(dateNow()).toString();
      },
    });
    patchItem('Date', 'now', dateNow);
    patchItem('globalThis', 'Date', DateProxy);
    patchItem('performance', 'now', perfNow);
    patchItem('process', 'hrtime', hrtime);
  });
}
