/**
 * Settings of the preload entry (`node --import @g/monkey/register app.js`), read from the
 * environment.
 *
 * - `G_MONKEY`: which patches. Unset or `default`: clock, timers, signals, blocking (not
 *   promises). `all`: all five. `none`: nothing. Otherwise a comma-separated list: names
 *   (`timers,signals,promises`) select exactly those; `-name` removes one from the
 *   defaults (`-signals`); `default,promises` adds to them. Names: clock, timers, signals,
 *   blocking, promises.
 * - `G_MONKEY_BLOCKING`: the guard's mode, `warn` (default), `throw` or `off`.
 * - `G_CLOCK`: `virtual` runs everything on a new virtual-clock hub, which also becomes the
 *   default hub (`run()`, `getHub()` of @g/hub use it); the clock patch then comes with
 *   the timers patch (virtual timers and a real `Date.now()` would disagree) unless
 *   `-clock` is given. Unset, `node` or `real`: the default hub, real time.
 *
 * A value it does not know is a MonkeyError at startup, naming what is allowed.
 */
import { MonkeyError } from './errors.js';
import { PATCH_ORDER, type PatchName } from './patch-core.js';

export interface EnvSettings {
  /** The patches to apply, by name (blocking: its mode, or false). */
  patches: {
    clock: boolean;
    timers: boolean;
    signals: boolean;
    blocking: false | 'warn' | 'throw';
    promises: boolean;
  };
  /** 'virtual' when G_CLOCK=virtual. */
  clock: 'node' | 'virtual';
  /** The patches named in G_MONKEY itself (not through default/all). */
  named: PatchName[];
}

const DEFAULTS: readonly PatchName[] = ['clock', 'timers', 'signals', 'blocking'];

function isName(s: string): s is PatchName {
  return (PATCH_ORDER as readonly string[]).includes(s);
}

/** Parses the variables (see the module comment). */
export function settingsFromEnv(env: Record<string, string | undefined>): EnvSettings {
  const raw = (env.G_MONKEY ?? '').trim();
  const tokens =
    raw === ''
      ? ['default']
      : raw
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  const chosen = new Set<PatchName>();
  const removed = new Set<PatchName>();
  const named = new Set<PatchName>();
  const first = tokens[0] ?? 'default';
  if (first.startsWith('-')) for (const n of DEFAULTS) chosen.add(n);
  for (const t of tokens) {
    if (t === 'default') for (const n of DEFAULTS) chosen.add(n);
    else if (t === 'all') for (const n of PATCH_ORDER) chosen.add(n);
    else if (t === 'none') chosen.clear();
    else if (t.startsWith('-') && isName(t.slice(1))) {
      const n = t.slice(1) as PatchName;
      chosen.delete(n);
      removed.add(n);
    } else if (isName(t)) {
      chosen.add(t);
      named.add(t);
    } else {
      throw new MonkeyError(
        `G_MONKEY: unknown patch "${t}"; use a comma-separated list of ${PATCH_ORDER.join(', ')} ` +
          "(or 'default', 'all', 'none', '-name' to leave one out)",
      );
    }
  }
  const clockRaw = (env.G_CLOCK ?? '').trim();
  let clock: 'node' | 'virtual';
  if (clockRaw === '' || clockRaw === 'node' || clockRaw === 'real') clock = 'node';
  else if (clockRaw === 'virtual') clock = 'virtual';
  else {
    throw new MonkeyError(`G_CLOCK: unknown clock "${clockRaw}"; use 'virtual' or 'node'`);
  }
  if (clock === 'virtual' && chosen.has('timers') && !removed.has('clock')) chosen.add('clock');
  const modeRaw = (env.G_MONKEY_BLOCKING ?? '').trim();
  let mode: 'warn' | 'throw' | 'off';
  if (modeRaw === '' || modeRaw === 'warn') mode = 'warn';
  else if (modeRaw === 'throw' || modeRaw === 'off') mode = modeRaw;
  else {
    throw new MonkeyError(
      `G_MONKEY_BLOCKING: unknown mode "${modeRaw}"; use 'warn', 'throw' or 'off'`,
    );
  }
  const patches: EnvSettings['patches'] = {
    clock: chosen.has('clock'),
    timers: chosen.has('timers'),
    signals: chosen.has('signals'),
    blocking: chosen.has('blocking') && mode !== 'off' ? mode : false,
    promises: chosen.has('promises'),
  };
  return { patches, clock, named: PATCH_ORDER.filter((n) => named.has(n)) };
}
