/**
 * How one named patch is applied (gevent's patch_module discipline).
 *
 * `applyPatch(name, setting, hub, modules, body)`:
 * 1. fixes the hub the patches run on (MonkeyError if earlier patches chose another);
 * 2. returns true at once when the patch is already applied (idempotent: nothing
 *    changes, no event);
 * 3. sends `willPatchModule` (a DoNotPatch from a listener: returns false, nothing done);
 * 4. runs `body` with the ESM re-sync of built-ins deferred to its end, records the
 *    setting, checks whether loaded modules already hold the originals it replaced
 *    (late.ts), sends `didPatchModule`, and returns true.
 *
 * Warnings are queued and emitted (one `process.emitWarning` each) when the outermost
 * patch call ends, so a patchAll emits them after its last event.
 */
import type { Hub } from '@g/hub';
import { isDoNotPatch, MonkeyPatchWarning } from './errors.js';
import { notify } from './events.js';
import { fixHub } from './hub-ref.js';
import { findCaptures, queueWarning } from './late.js';
import { batch } from './registry.js';
import { STATE } from './state.js';

/** The names of the patches, in the order patchAll applies them. */
export const PATCH_ORDER = ['clock', 'timers', 'signals', 'blocking', 'promises'] as const;

export type PatchName = (typeof PATCH_ORDER)[number];

/** The setting a patch was applied with, or undefined. */
export function appliedSetting(name: string): unknown {
  return STATE.settings?.[name];
}

let depth = 0;

/** Runs `fn` as one patch call: warnings queued inside are emitted when the outermost ends. */
export function patchCall<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    if (--depth === 0) flushWarnings();
  }
}

function flushWarnings(): void {
  const list = STATE.warnings.splice(0);
  for (const [message, ...details] of list) {
    process.emitWarning(new MonkeyPatchWarning(message!, details));
  }
}

/**
 * See the module comment. `hub` null: the patch does not run on a hub (blocking,
 * promises) and fixes none.
 */
export function applyPatch(
  name: string,
  setting: unknown,
  hub: Hub | undefined | null,
  modules: readonly string[],
  body: () => void,
): boolean {
  return patchCall(() => {
    if (hub !== null) fixHub(hub, `patch ${name}`);
    if (appliedSetting(name) !== undefined) return true;
    try {
      notify({ type: 'willPatchModule', name, modules });
    } catch (e) {
      if (isDoNotPatch(e)) return false;
      throw e;
    }
    const before = STATE.log.length;
    batch(body);
    (STATE.settings ??= {})[name] = setting;
    checkLate(name, before);
    notify({ type: 'didPatchModule', name, modules });
    return true;
  });
}

function checkLate(name: string, from: number): void {
  const replaced = new Map<unknown, string>();
  for (let i = from; i < STATE.log.length; i++) {
    const { module, name: prop } = STATE.log[i]!;
    const v = STATE.saved.get(module)?.items.get(prop)?.original;
    if (typeof v === 'function' || (typeof v === 'object' && v !== null)) {
      if (!replaced.has(v)) replaced.set(v, `${module}.${String(prop)}`);
    }
  }
  const found = findCaptures(replaced);
  if (found.length > 0) {
    queueWarning(
      `@g/monkey: the ${name} patch came after modules had captured the originals; those ` +
        'keep using them. Patch earlier: node --import @g/monkey/register app.js, or call ' +
        'patchAll() before importing them.',
      found,
    );
  }
}
