/**
 * patchAll, unpatchAll and patchModule.
 *
 * `patchAll(options)` applies the patches in a fixed order, each switchable by name:
 *
 * | name       | default | what it does (see its module)                                  |
 * |------------|---------|----------------------------------------------------------------|
 * | `clock`    | true    | Date/performance/hrtime follow a virtual hub's clock (virtual hubs only) |
 * | `timers`   | true    | setTimeout & co. and timers/promises run on the hub's loop     |
 * | `signals`  | true    | process.on('SIG...') handlers run through the loop (Node-backend hubs only) |
 * | `blocking` | 'warn'  | *Sync calls inside greenlets reported: 'warn', 'throw', or false/'off' |
 * | `promises` | false   | `yield* promise` inside greenlets (opt-in)                       |
 *
 * on `options.hub` (default: the default hub). Rules, as gevent's patch_all:
 * - events: willPatchAll, then willPatchModule / didPatchModule per patch, then
 *   didPatchBuiltinModules and didPatchAll (events.ts); a DoNotPatch from willPatchAll
 *   cancels everything and patchAll returns false;
 * - calling it again patches only what is new (the union of all calls: a patch is never
 *   removed by a later `false`); with different settings it warns once that the result
 *   is the union; when nothing is new it does nothing and sends no event;
 * - options it does not know are passed to the events as `extra`, for plugins;
 * - `clock` on a Node-backend hub and `signals` on a virtual hub do not apply and are
 *   skipped silently (given explicitly as `true`, they warn).
 *
 * `unpatchAll()` (which gevent lacks) undoes every patch: each saved original is put back
 * (the same objects), signal handlers are unwrapped in place, and the hub is forgotten, so
 * a later patchAll may choose another. Timers made while patched stay where they are (on
 * the hub) and can still be cleared with their own `close()` / `[Symbol.dispose]()`.
 */
import type { Hub } from '@g/hub';
import { type BlockingMode, patchBlocking } from './blocking.js';
import { clockPatch } from './clock.js';
import { isDoNotPatch } from './errors.js';
import { notify } from './events.js';
import { fixHub } from './hub-ref.js';
import { queueWarning } from './late.js';
import { PATCH_ORDER, type PatchName, patchCall } from './patch-core.js';
import { patchPromises } from './promise-patch.js';
import { batch, type ItemOptions, type ModuleRef, patchItem, restoreAll } from './registry.js';
import { signalsPatch } from './signals.js';
import { STATE } from './state.js';
import { patchTimers } from './timers.js';

/** Options of patchAll: each patch by name, the hub, and extra options for plugins. */
export interface PatchAllOptions {
  /** The hub the patches run on (default: the default hub, made at first use). */
  hub?: Hub;
  /** Date.now / new Date() / performance.now / process.hrtime follow a virtual hub (default true). */
  clock?: boolean;
  /** Node's timers run on the hub's loop (default true). */
  timers?: boolean;
  /** process.on('SIG...') handlers run through the loop's signal watchers (default true). */
  signals?: boolean;
  /** The blocking-call guard: 'warn' (default, or true), 'throw', or false / 'off'. */
  blocking?: boolean | BlockingMode;
  /** `yield* promise` inside greenlets (default false; import '@g/monkey/promises' for the types). */
  promises?: boolean;
  /** Anything else is passed to the patch events (for plugins). */
  [extra: string]: unknown;
}

type Settings = Record<PatchName, boolean | BlockingMode>;

function settingsOf(options: PatchAllOptions): Settings {
  const bool = (name: PatchName, dflt: boolean): boolean => {
    const v = options[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      throw new TypeError(`patchAll: options.${name} must be a boolean (got ${String(v)})`);
    }
    return v;
  };
  let blocking: boolean | BlockingMode = options.blocking ?? 'warn';
  if (blocking === true) blocking = 'warn';
  if (blocking === 'off') blocking = false;
  if (blocking !== false && blocking !== 'warn' && blocking !== 'throw') {
    throw new TypeError(
      `patchAll: options.blocking must be 'warn', 'throw', 'off' or a boolean (got ${String(blocking)})`,
    );
  }
  return {
    clock: bool('clock', true),
    timers: bool('timers', true),
    signals: bool('signals', true),
    blocking,
    promises: bool('promises', false),
  };
}

/** Applies the patches (see the module comment). False when an event listener vetoed it. */
export function patchAll(options: PatchAllOptions = {}): boolean {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('patchAll(options): options must be an object');
  }
  const hub = options.hub;
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (key !== 'hub' && !(PATCH_ORDER as readonly string[]).includes(key))
      extra[key] = options[key];
  }
  const wanted = settingsOf(options);
  return patchCall(() => {
    fixHub(hub, 'patchAll');
    const before = STATE.requested;
    if (before !== null && PATCH_ORDER.some((n) => before[n] !== wanted[n])) {
      queueWarning(
        '@g/monkey: patchAll() was called again with other settings: patches are only ' +
          'added, so the union of all the calls is patched',
      );
    }
    const toPatch: Partial<Settings> = {};
    for (const n of PATCH_ORDER) {
      const w = wanted[n];
      if (w !== false && (before === null || before[n] !== w)) toPatch[n] = w;
    }
    const union: Record<string, unknown> = {};
    for (const n of PATCH_ORDER)
      union[n] = wanted[n] !== false ? wanted[n] : (before?.[n] ?? false);
    STATE.requested = union;
    if (Object.keys(toPatch).length === 0) return true;
    const settings = Object.freeze({ ...toPatch });
    const ex = Object.freeze({ ...extra });
    try {
      notify({ type: 'willPatchAll', settings, extra: ex });
    } catch (e) {
      if (isDoNotPatch(e)) {
        STATE.requested = before;
        return false;
      }
      throw e;
    }
    for (const n of PATCH_ORDER) {
      const s = toPatch[n];
      if (s === undefined) continue;
      if (n === 'clock') clockPatch({}, options.clock !== true);
      else if (n === 'timers') patchTimers();
      else if (n === 'signals') signalsPatch({}, options.signals !== true);
      else if (n === 'blocking') patchBlocking({ mode: s as BlockingMode });
      else if (n === 'promises') patchPromises();
    }
    notify({ type: 'didPatchBuiltinModules', settings, extra: ex });
    notify({ type: 'didPatchAll', settings, extra: ex });
    return true;
  });
}

/**
 * Replaces `items` of `target` with the same-named properties of `source` (gevent's
 * patch_module), sending willPatchModule / didPatchModule (named by the target's label).
 * `items` defaults to the own enumerable keys of `source`. False when vetoed.
 */
export function patchModule(
  target: ModuleRef,
  source: object,
  items?: readonly PropertyKey[],
  options?: ItemOptions,
): boolean {
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) {
    throw new TypeError('patchModule(target, source, items): source must be an object');
  }
  const names = items ?? Object.keys(source);
  const label =
    typeof target === 'string' ? target : (options?.module ?? (target as any).name ?? 'module');
  return patchCall(() => {
    try {
      notify({ type: 'willPatchModule', name: label, modules: [label] });
    } catch (e) {
      if (isDoNotPatch(e)) return false;
      throw e;
    }
    batch(() => {
      for (const n of names) patchItem(target, n, (source as any)[n], options);
    });
    notify({ type: 'didPatchModule', name: label, modules: [label] });
    return true;
  });
}

/** Undoes every patch (see the module comment). Calling it when nothing is patched does nothing. */
export function unpatchAll(): void {
  restoreAll();
  const undo = STATE.undo.splice(0);
  let error: unknown = null;
  for (let i = undo.length - 1; i >= 0; i--) {
    try {
      undo[i]!();
    } catch (e) {
      error ??= e;
    }
  }
  STATE.settings = null;
  STATE.requested = null;
  STATE.hub = null;
  STATE.hubFixed = false;
  STATE.blockingMode = 'warn';
  STATE.timersById.clear();
  if (error !== null) throw error;
}
