/**
 * Process-wide state of the greenlet runtime.
 *
 * tsup ships an ESM and a CJS build of this package, and one process may load both (an ESM
 * app importing a CJS library that requires `@g/greenlet`). Two copies of "which greenlet is
 * running" would break switching between them, so the state lives in one object under
 * `globalThis[Symbol.for('@g/runtime')]`, shared by every copy. The first copy to load
 * creates it; later copies check that the state's layout version matches theirs and fail
 * at import time, with a message naming both versions, when it does not.
 *
 * Other @g packages keep their process-wide state (hubs, patch registry) in the same object,
 * under their own keys.
 */

/** Bumped whenever the shape of {@link Runtime} or the trampoline protocol changes. */
export const RUNTIME_LAYOUT = 1;

const KEY = Symbol.for('@g/runtime');

/** The greenlet fields the trampoline touches; defined in greenlet.ts. */
export interface RuntimeGreenlet {
  _state: number;
  _parent: RuntimeGreenlet | null;
}

export interface Runtime {
  readonly layout: number;
  /** The greenlet whose code is running now (the main greenlet outside every body). */
  current: any;
  /** The main greenlet: code outside every greenlet body. */
  main: any;
  /** True while the trampoline is driving greenlet bodies. */
  running: boolean;
  /** settrace's callback, or null. */
  trace: ((event: 'switch' | 'throw', args: [any, any]) => void) | null;
  /** Number of switches (changes of the current greenlet) so far. */
  switches: number;
  /** Next greenlet id. */
  nextId: number;
  /** Extension slots of other @g packages (hub registry, monkey patch registry, ...). */
  ext: Record<string, unknown>;
}

function create(): Runtime {
  return {
    layout: RUNTIME_LAYOUT,
    current: null,
    main: null,
    running: false,
    trace: null,
    switches: 0,
    nextId: 1,
    ext: Object.create(null),
  };
}

function load(): Runtime {
  const g = globalThis as any;
  const existing = g[KEY] as Runtime | undefined;
  if (existing === undefined) {
    const rt = create();
    Object.defineProperty(g, KEY, { value: rt, enumerable: false, configurable: false });
    return rt;
  }
  if (existing.layout !== RUNTIME_LAYOUT) {
    throw new Error(
      `@g/greenlet: two incompatible copies are loaded in this process (runtime layout ` +
        `${existing.layout} and ${RUNTIME_LAYOUT}). Install one version of @g/greenlet ` +
        `(check with \`npm ls @g/greenlet\`) so that every package shares it.`,
    );
  }
  return existing;
}

/** The shared runtime state. */
export const RT: Runtime = load();
