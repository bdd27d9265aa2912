/**
 * Which hub: the default hub, `createHub`, and the hub of the running greenlet.
 *
 * - The default hub runs on @g/ev's default loop (the Node backend). `getHub()` outside
 *   greenlets returns it, creating it on first use; `run(fn)` runs under it.
 * - `createHub({ backend: 'virtual' })` makes an independent hub on a new loop, e.g. a
 *   virtual clock for tests; `hub.run(fn)` runs under it.
 * - A greenlet belongs to the hub at the root of its parent chain; `getHub()` inside a
 *   greenlet returns that hub. A greenlet made inside another belongs to the same hub.
 *
 * The default hub is kept in the process-wide runtime object, so the ESM and CJS builds of
 * @g/hub loaded in one process share it.
 */
import { defaultLoop, Loop } from '@g/ev';
import { type Greenlet as CoreGreenlet, getcurrent } from '@g/greenlet';
import { Hub, type HubLoop, type HubOptions } from './hub.js';

interface HubState {
  defaultHub: Hub | null;
}

function state(): HubState {
  const rt = (globalThis as any)[Symbol.for('@g/runtime')];
  const ext = rt.ext as Record<string, unknown>;
  let s = ext['@g/hub'] as HubState | undefined;
  if (s === undefined) s = ext['@g/hub'] = { defaultHub: null };
  return s;
}

const HUB_STATE = state();

export interface CreateHubOptions extends HubOptions {
  /** 'node' (real time, default) or 'virtual' (a virtual clock: see @g/ev). */
  backend?: 'node' | 'virtual';
  /** Run on this loop instead of a new one. */
  loop?: HubLoop;
}

/** Makes a new hub on a new loop (or `options.loop`). */
export function createHub(options: CreateHubOptions = {}): Hub {
  const backend = options.backend ?? 'node';
  if (backend !== 'node' && backend !== 'virtual') {
    throw new TypeError(
      `createHub({ backend }): backend must be 'node' or 'virtual', got ${String(backend)}`,
    );
  }
  const loop = options.loop ?? (new Loop({ backend }) as unknown as HubLoop);
  return new Hub(loop, options);
}

/**
 * The hub of the running greenlet, or the default hub (created on first use) outside
 * hub greenlets.
 */
export function getHub(): Hub {
  const hub = hubOf(getcurrent());
  if (hub !== null) return hub;
  return defaultHub();
}

/** The default hub, on @g/ev's default loop. */
export function defaultHub(): Hub {
  let hub = HUB_STATE.defaultHub;
  if (hub === null || hub.isDestroyed) {
    hub = HUB_STATE.defaultHub = new Hub(defaultLoop() as unknown as HubLoop);
  }
  return hub;
}

/** The hub a greenlet belongs to (root of its parent chain), or null. */
export function hubOf(g: CoreGreenlet | null): Hub | null {
  for (let q: any = g; q !== null && q !== undefined; q = q._parent) {
    if (q._hub !== undefined) return q._hub as Hub;
    if (q instanceof Hub) return q;
  }
  return null;
}
