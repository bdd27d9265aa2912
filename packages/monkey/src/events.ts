/**
 * Patch events: plugins watch, veto or extend patching (gevent's GeventWillPatch...Event).
 *
 * `patchAll()` sends, in this order, to every listener registered with `onPatchEvent`:
 *
 * 1. `willPatchAll` (the settings about to be applied, and the extra options given to
 *    patchAll, which are for plugins);
 * 2. for each patch, in the fixed order clock, timers, signals, blocking, promises:
 *    `willPatchModule` then, once applied, `didPatchModule` (a patch function called on its
 *    own, such as `patchTimers()`, sends these two as well);
 * 3. `didPatchBuiltinModules` (Node's own modules are done: the time to patch third-party
 *    libraries, with `patchItem`, which unpatchAll undoes too);
 * 4. `didPatchAll`.
 *
 * A listener throwing `DoNotPatch` from `willPatchAll` cancels everything (`patchAll`
 * returns false); from `willPatchModule` it skips that patch. Listeners run synchronously,
 * in registration order; any other error propagates out of the patch call. Nothing is sent
 * when a call patches nothing new.
 */
import { STATE } from './state.js';

/** The settings patchAll applies: a patch name and its setting (false: not applied). */
export type PatchSettings = Record<string, unknown>;

export interface WillPatchAllEvent {
  readonly type: 'willPatchAll';
  /** The patches about to be applied and their settings. */
  readonly settings: PatchSettings;
  /** Options given to patchAll that it does not know (for plugins). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface WillPatchModuleEvent {
  readonly type: 'willPatchModule';
  /** The patch ('timers', 'clock', 'signals', 'blocking', 'promises', or a patchModule label). */
  readonly name: string;
  /** Labels of the modules it changes. */
  readonly modules: readonly string[];
}

export interface DidPatchModuleEvent {
  readonly type: 'didPatchModule';
  readonly name: string;
  readonly modules: readonly string[];
}

export interface DidPatchBuiltinModulesEvent {
  readonly type: 'didPatchBuiltinModules';
  readonly settings: PatchSettings;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface DidPatchAllEvent {
  readonly type: 'didPatchAll';
  readonly settings: PatchSettings;
  readonly extra: Readonly<Record<string, unknown>>;
}

export type PatchEvent =
  | WillPatchAllEvent
  | WillPatchModuleEvent
  | DidPatchModuleEvent
  | DidPatchBuiltinModulesEvent
  | DidPatchAllEvent;

/** Registers a listener of patch events; returns the function that removes it. */
export function onPatchEvent(listener: (event: PatchEvent) => void): () => void {
  if (typeof listener !== 'function') {
    throw new TypeError('onPatchEvent(listener): listener must be a function');
  }
  STATE.listeners.add(listener);
  return () => {
    STATE.listeners.delete(listener);
  };
}

/** @internal Sends `event` to every listener, in order; errors (DoNotPatch too) propagate. */
export function notify(event: PatchEvent): void {
  for (const l of [...STATE.listeners]) l(event);
}
