/**
 * Process-wide state of @g/monkey: the registry of saved originals, what is patched and on
 * which hub, the event listeners.
 *
 * Patching is global, and tsup ships an ESM and a CJS build that one process may both load:
 * two registries would each believe they hold the originals. So the state lives once, in
 * `globalThis[Symbol.for('@g/runtime')].ext['@g/monkey']` (the runtime object of
 * @g/greenlet), and every loaded copy uses it; a copy with another layout fails at import
 * with a message naming both layouts.
 */
import { natives } from '@g/ev';
import { getcurrent } from '@g/greenlet';

/** Layout version of the `ext['@g/monkey']` object; bumped when its shape changes. */
export const MONKEY_STATE_LAYOUT = 1;

const KEY = Symbol.for('@g/runtime');

/** One saved original: what the property was before the first patch of it. */
export interface SavedItem {
  /** The value the property had (own or inherited), or undefined if it had none. */
  readonly original: unknown;
  /** Its own property descriptor, or undefined when it was inherited or absent. */
  readonly descriptor: PropertyDescriptor | undefined;
}

/** The saved originals of one module (one patched object). */
export interface ModuleRecord {
  /** The patched object (a module's exports, `globalThis`, `process`, ...). */
  readonly object: object;
  /** True when `object` is a Node built-in module (its ESM exports are re-synced). */
  readonly builtin: boolean;
  /** Property -> original, in patch order. */
  readonly items: Map<PropertyKey, SavedItem>;
}

/** A patch event listener (see events.ts). */
export type Listener = (event: any) => void;

/** What @g/monkey keeps per process. */
export interface MonkeyState {
  readonly layout: number;
  /** Module label -> its saved originals (gevent's `monkey.saved`). */
  readonly saved: Map<string, ModuleRecord>;
  /** Every first patch of a property, in order (unpatchAll restores in reverse). */
  readonly log: Array<{ module: string; name: PropertyKey }>;
  /** Undo steps that are not property restores (signal listeners, ...), run in reverse. */
  readonly undo: Array<() => void>;
  /** The settings of the patches applied so far (patch name -> setting), or null. */
  settings: Record<string, unknown> | null;
  /** What patchAll was asked for so far (the union), or null before the first call. */
  requested: Record<string, unknown> | null;
  /** Warnings queued during a patch call, emitted at its end. */
  readonly warnings: string[][];
  /** The hub the patches run on; null: `defaultHub()` at each use. */
  hub: unknown;
  /** True once a patch fixed which hub (explicit or default) the patches run on. */
  hubFixed: boolean;
  /** Mode of the blocking-call guard. */
  blockingMode: 'warn' | 'throw' | 'off';
  /** Event listeners. */
  readonly listeners: Set<Listener>;
  /**
   * Node's own timer and clock functions: @g/ev's `natives` (natives.ts). This copy reads
   * them from @g/ev; the field stays in layout 1 for the copies that captured their own here.
   */
  natives: Record<string, any> | null;
  /** Patched timers whose number (`+timer`) was taken: id -> timer (for clearTimeout(id)). */
  readonly timersById: Map<number, { _clear(): void }>;
}

function load(): MonkeyState {
  // Importing @g/greenlet creates the runtime object; touch it so the import is kept.
  void getcurrent;
  const rt = (globalThis as any)[KEY];
  if (rt === undefined || rt === null || typeof rt !== 'object') {
    throw new Error('@g/monkey: the @g/runtime object is missing; @g/greenlet did not load');
  }
  if (rt.ext === undefined || rt.ext === null) rt.ext = Object.create(null);
  const existing = rt.ext['@g/monkey'] as MonkeyState | undefined;
  if (existing !== undefined) {
    if (existing.layout !== MONKEY_STATE_LAYOUT) {
      throw new Error(
        `@g/monkey: two incompatible copies are loaded in this process (state layout ` +
          `${existing.layout} and ${MONKEY_STATE_LAYOUT}). Install one version of @g/monkey ` +
          '(check with `npm ls @g/monkey`) so that every package shares its registry.',
      );
    }
    return existing;
  }
  const state: MonkeyState = {
    layout: MONKEY_STATE_LAYOUT,
    saved: new Map(),
    log: [],
    undo: [],
    settings: null,
    requested: null,
    warnings: [],
    hub: null,
    hubFixed: false,
    blockingMode: 'warn',
    listeners: new Set(),
    natives: natives as unknown as Record<string, any>,
    timersById: new Map(),
  };
  rt.ext['@g/monkey'] = state;
  return state;
}

/** The shared state. */
export const STATE: MonkeyState = load();
