/**
 * What the preload entry does (`node --import @g/monkey/register app.js`, gevent's
 * `python -m gevent.monkey script.py`): read the settings from the environment (env.ts)
 * and patch before the application's first module loads.
 *
 * With `G_CLOCK=virtual` it makes a virtual-clock hub, installs it as @g/hub's default hub
 * (so `run()` and `getHub()` use it too) and patches on it; otherwise it patches on the
 * default hub (made at first use). Plugins: modules preloaded before it
 * (`node --import ./my-plugin.js --import @g/monkey/register app.js`) can register patch
 * event listeners with `onPatchEvent`, which then see every event of this patchAll.
 */

import * as hubPackage from '@g/hub';
import { createHub, type Hub } from '@g/hub';
import { settingsFromEnv } from './env.js';
import { MonkeyError } from './errors.js';
import { patchAll } from './patch-all.js';

/**
 * Makes `hub` @g/hub's default hub. Uses @g/hub's `setDefaultHub` when it has one, else
 * its process-wide state (`ext['@g/hub'].defaultHub`). MonkeyError when a default hub
 * already exists (something used it before the preload).
 */
export function installDefaultHub(hub: Hub): void {
  const setter = (hubPackage as Record<string, unknown>).setDefaultHub;
  if (typeof setter === 'function') {
    setter(hub);
    return;
  }
  const rt = (globalThis as any)[Symbol.for('@g/runtime')];
  const state = rt?.ext?.['@g/hub'] as { defaultHub: Hub | null } | undefined;
  if (state === undefined || !('defaultHub' in state)) {
    throw new MonkeyError('G_CLOCK=virtual: cannot find the default hub slot of @g/hub');
  }
  if (state.defaultHub !== null && !state.defaultHub.isDestroyed) {
    throw new MonkeyError(
      'G_CLOCK=virtual: the default hub already exists (something used @g/hub before the ' +
        'preload); put --import @g/monkey/register first',
    );
  }
  state.defaultHub = hub;
}

/** Patches as the environment says; returns the hub it made (G_CLOCK=virtual) or null. */
export function patchFromEnv(env: Record<string, string | undefined> = process.env): Hub | null {
  const { patches, clock, named } = settingsFromEnv(env);
  let hub: Hub | null = null;
  if (clock === 'virtual') {
    hub = createHub({ backend: 'virtual' });
    installDefaultHub(hub);
  }
  // clock and signals apply to one kind of hub each: left to the default (skipped quietly
  // where they do not apply) unless G_MONKEY names them.
  patchAll({
    ...patches,
    clock: patches.clock && !named.includes('clock') ? undefined : patches.clock,
    signals: patches.signals && !named.includes('signals') ? undefined : patches.signals,
    ...(hub !== null ? { hub } : {}),
  });
  return hub;
}
