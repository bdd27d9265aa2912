/**
 * Node's own timer and clock functions, and the "native scope" of @g/ev and @g/hub.
 *
 * The patches replace `setTimeout`, `setImmediate`, `Date.now`, `performance.now` and
 * `process.on`; their own machinery needs Node's versions: the hub's loop waits with one
 * real Node timer and `setImmediate`, reads the real clock, and a patched callback is
 * delivered through a real `setImmediate`. So:
 *
 * - `NATIVE` holds Node's functions, captured by the first loaded copy of @g/monkey
 *   (before any patch) and shared by every copy (state.ts).
 * - @g/ev's loop and @g/hub's hub call the global functions by name. Until they keep
 *   references of their own, `installNativeScope()` wraps the few methods of theirs that
 *   call them (the loop's wait, time update and wall-clock reads, the hub's yield to Node,
 *   the signal watcher's process listener) so that, while one of those runs, every patched
 *   function behaves as Node's (`inNativeScope()`). Cost: a counter increment and a
 *   try/finally per wrapped call (tens of ns). `unpatchAll()` unwraps them.
 */
import { Loop, Signal } from '@g/ev';
import { Hub } from '@g/hub';
import { MonkeyPatchWarning } from './errors.js';
import { STATE } from './state.js';

export interface Natives {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  setImmediate: typeof globalThis.setImmediate;
  clearImmediate: typeof globalThis.clearImmediate;
  dateNow: () => number;
  Date: DateConstructor;
  perfNow: () => number;
  hrtime: NodeJS.HRTime;
  hrtimeBigint: () => bigint;
}

function capture(): Natives {
  const perf = globalThis.performance;
  const perfNow = perf.now;
  const hr = process.hrtime;
  return {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
    dateNow: Date.now,
    Date: globalThis.Date,
    perfNow: () => perfNow.call(perf),
    hrtime: hr,
    hrtimeBigint: hr.bigint,
  };
}

STATE.natives ??= capture() as unknown as Record<string, any>;

/** Node's functions (see the module comment). */
export const NATIVE: Natives = STATE.natives as unknown as Natives;

let depth = 0;

/** True while a wrapped method of @g/ev or @g/hub runs: patched functions act as Node's. */
export function inNativeScope(): boolean {
  return depth > 0;
}

const SHIM = Symbol('@g/monkey.nativeScope');

const TARGETS: Array<[() => any, string[]]> = [
  [
    () => Loop.prototype,
    ['_scheduleImmediate', '_evalNode', '_disarm', '_timeUpdate', '_mayHaveEvents', 'time'],
  ],
  [() => Hub.prototype, ['_yieldToNode']],
  [() => Signal.prototype, ['start', 'stop']],
];

let installed = false;

/** Wraps the methods listed above (once; `unpatchAll()` undoes it). */
export function installNativeScope(): void {
  if (installed) return;
  installed = true;
  const undo: Array<() => void> = [];
  for (const [protoOf, names] of TARGETS) {
    const proto = protoOf();
    for (const name of names) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      const orig = desc?.value;
      if (typeof orig !== 'function') {
        process.emitWarning(
          new MonkeyPatchWarning(
            `@g/monkey: ${proto.constructor?.name}.prototype.${name} is missing (this @g/ev or ` +
              '@g/hub is newer than this @g/monkey): the patched timers may not work; update ' +
              '@g/monkey',
          ),
        );
        continue;
      }
      if (orig[SHIM] === true) continue;
      const wrapped = function (this: unknown) {
        depth++;
        try {
          // biome-ignore lint/complexity/noArguments: no rest array on a hot path
          return orig.apply(this, arguments);
        } finally {
          depth--;
        }
      };
      (wrapped as any)[SHIM] = true;
      Object.defineProperty(proto, name, { ...desc, value: wrapped });
      undo.push(() => Object.defineProperty(proto, name, desc!));
    }
  }
  STATE.undo.push(() => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    installed = false;
  });
}
