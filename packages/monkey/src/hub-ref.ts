/**
 * Which hub the patches run on, and how plain Node code reaches it.
 *
 * - The hub: the one given to `patchAll({ hub })` (or to a patch function), else
 *   `defaultHub()` looked up at each use (so a destroyed default hub is replaced, as
 *   @g/hub does). Patching never creates a hub by itself: the default hub is made when a
 *   patched function is first called.
 * - `nudge(hub)`: patched functions are called from plain code while the hub is parked in
 *   Node. Starting a watcher then is enough when the hub waits on its loop (a parked hub
 *   asks its loop to wake it); when the hub has never run, or when the last reference goes
 *   away (the loop has no work to wake the hub with, but `hub.join()` must resolve and
 *   LoopExit be raised), the hub must look again: `nudge` queues an empty hub callback
 *   (one microtask and one hub pass; at most one outstanding).
 */
import type { Loop } from '@g/ev';
import { defaultHub, type Hub } from '@g/hub';
import { MonkeyError } from './errors.js';
import { STATE } from './state.js';

/** The hub the patches run on now. */
export function patchHub(): Hub {
  const hub = (STATE.hub as Hub | null) ?? defaultHub();
  if (hub.isDestroyed) {
    throw new MonkeyError(
      `${hub} was destroyed while Node's timers were patched to run on it: call unpatchAll() ` +
        'before destroying the hub the patches run on',
    );
  }
  return hub;
}

/** The @g/ev loop of a hub. */
export function loopOf(hub: Hub): Loop {
  return hub.loop as unknown as Loop;
}

/**
 * Fixes the hub of the patches. `hub` undefined: keep the hub earlier patches chose, else
 * the default hub. A hub given: MonkeyError when earlier patches run on another one.
 */
export function fixHub(hub: Hub | undefined, what: string): void {
  if (hub === undefined) {
    if (!STATE.hubFixed) {
      STATE.hub = null;
      STATE.hubFixed = true;
    }
    return;
  }
  if (hub === null || typeof hub !== 'object' || !('loop' in hub) || !('runCallback' in hub)) {
    throw new TypeError(`${what}: options.hub must be a Hub of @g/hub (createHub())`);
  }
  if (hub.isDestroyed) {
    throw new MonkeyError(`${what}: ${hub} was destroyed; make a new one with createHub()`);
  }
  if (STATE.hubFixed) {
    const current = STATE.hub as Hub | null;
    if (current === hub) return;
    if (current === null && hub === defaultHub()) return;
    const had = current === null ? `the default hub (${defaultHub()})` : String(current);
    throw new MonkeyError(
      `${what}: the patches already run on ${had}; they cannot also run on ${hub}. ` +
        'Call unpatchAll() first to move them.',
    );
  }
  STATE.hub = hub;
  STATE.hubFixed = true;
}

/**
 * The backend of the hub the patches run on, without creating the default hub: the
 * default hub is @g/ev's default loop (the Node backend) unless one was installed (the
 * preload entry with G_CLOCK=virtual).
 */
export function patchBackend(): string {
  let hub = STATE.hub as Hub | null;
  if (hub === null) {
    const slot = (globalThis as any)[Symbol.for('@g/runtime')]?.ext?.['@g/hub'];
    const current = slot?.defaultHub as Hub | null | undefined;
    if (current !== null && current !== undefined && !current.isDestroyed) hub = current;
  }
  return hub === null ? 'node' : hub.loop.backend;
}

const nudged = new WeakSet<Hub>();

function noop(): void {}

/** Makes a parked hub look at its loop again (see the module comment). */
export function nudge(hub: Hub): void {
  if (nudged.has(hub) || hub.isDestroyed) return;
  nudged.add(hub);
  hub.runCallback(() => {
    nudged.delete(hub);
    noop();
  });
}
