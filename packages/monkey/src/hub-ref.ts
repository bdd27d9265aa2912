/**
 * Which hub the patches run on, and how plain Node code reaches it.
 *
 * - The hub: the one given to `patchAll({ hub })` (or to a patch function), else
 *   `defaultHub()` looked up at each use (so a destroyed default hub is replaced, as
 *   @g/hub does). Patching never creates a hub by itself: the default hub is made when a
 *   patched function is first called.
 * - Patched functions are called from plain code while the hub is parked in Node, waiting
 *   on its loop (`loop.wake`). Starting, stopping, ref'ing or unref'ing a watcher then is
 *   all it takes: the loop wakes the hub for a new deadline or a fed event, and, when the
 *   last referenced watcher goes (or an `externalWait()` is released), @g/ev's `wake`
 *   calls the hub from the next macrotask, so it sees the loop is no longer alive (resolves
 *   `hub.join()`, raises LoopExit).
 * - `startHub(hub)`: a hub that has never run is not waiting on its loop, and nothing
 *   would run it; `startHub` queues an empty hub callback so that it starts (one microtask
 *   and one hub pass; at most one outstanding). It does nothing for a hub that ran.
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

const starting = new WeakSet<Hub>();

/** Makes a hub that never ran start, so that it waits on its loop (see the module comment). */
export function startHub(hub: Hub): void {
  if (hub.started || starting.has(hub) || hub.isDestroyed) return;
  starting.add(hub);
  hub.runCallback(() => {
    starting.delete(hub);
  });
}
