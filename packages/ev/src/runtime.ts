/**
 * Process-wide state of @g/ev, shared by every loaded copy of the package.
 *
 * tsup ships an ESM and a CJS build; one process may load both. The default loop, which loop
 * holds which signal, and the registry of child processes must exist once, so they live in
 * `globalThis[Symbol.for('@g/runtime')].ext['@g/ev']`. The runtime object is the one
 * @g/greenlet creates; if @g/ev loads first it creates it with the same layout (version 1),
 * and @g/greenlet adopts it.
 */

import type { Loop } from './loop.js';
import type { Natives } from './natives.js';

/** Layout version of the `ext['@g/ev']` object; bumped when its shape changes. */
export const EV_STATE_LAYOUT = 1;

/** Layout version of the shared runtime object (must match @g/greenlet's RUNTIME_LAYOUT). */
const RUNTIME_LAYOUT = 1;

const KEY = Symbol.for('@g/runtime');

/** One signal held by one loop. */
export interface SignalSlot {
  /** The loop whose signal watchers receive this signal. */
  loop: Loop;
  /** The process listener installed for it. */
  listener: () => void;
}

/** What @g/ev keeps per process. */
export interface EvState {
  readonly layout: number;
  /** The default loop, or null before `defaultLoop()` (and after its `destroy()`). */
  defaultLoop: Loop | null;
  /** Signal number -> the loop that holds it. */
  signals: Map<number, SignalSlot>;
  /** True once child processes started through Node are tracked (see child.ts). */
  childTracking: boolean;
  /** Active child watchers of every loop (see child.ts). */
  childWatchers: Set<unknown>;
  /** Next loop number, for default loop names. */
  nextLoopId: number;
  /**
   * Node's functions, captured by the first copy of @g/ev that loaded (natives.ts); absent
   * until then (an optional field: layout 1 unchanged).
   */
  natives?: Natives;
  /** Raw fds watched through the native helper: fd -> its poll handle (fd.ts); optional. */
  fdSources?: Map<number, unknown>;
}

function runtimeObject(): { layout: number; ext: Record<string, unknown> } {
  const g = globalThis as any;
  let rt = g[KEY];
  if (rt === undefined) {
    // The same shape as @g/greenlet's runtime, so that it can adopt this object.
    rt = {
      layout: RUNTIME_LAYOUT,
      current: null,
      main: null,
      running: false,
      trace: null,
      switches: 0,
      nextId: 1,
      ext: Object.create(null),
    };
    Object.defineProperty(g, KEY, { value: rt, enumerable: false, configurable: false });
  }
  if (rt.ext === undefined || rt.ext === null) rt.ext = Object.create(null);
  return rt;
}

function load(): EvState {
  const rt = runtimeObject();
  const existing = rt.ext['@g/ev'] as EvState | undefined;
  if (existing !== undefined) {
    if (existing.layout !== EV_STATE_LAYOUT) {
      throw new Error(
        `@g/ev: two incompatible copies are loaded in this process (state layout ` +
          `${existing.layout} and ${EV_STATE_LAYOUT}). Install one version of @g/ev ` +
          `(check with \`npm ls @g/ev\`) so that every package shares it.`,
      );
    }
    return existing;
  }
  const state: EvState = {
    layout: EV_STATE_LAYOUT,
    defaultLoop: null,
    signals: new Map(),
    childTracking: false,
    childWatchers: new Set(),
    nextLoopId: 1,
  };
  rt.ext['@g/ev'] = state;
  return state;
}

/** The shared state. */
export const EV: EvState = load();
