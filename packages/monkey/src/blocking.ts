/**
 * The blocking-call guard: synchronous calls that stop the hub, reported when a greenlet
 * makes them.
 *
 * A greenlet that calls `fs.readFileSync` stops the hub, every other greenlet, every
 * timer and every socket until the call returns. After `patchBlocking({ mode })`, these
 * functions check, at each call, whether a greenlet (or the hub itself, in a watcher
 * callback) is running:
 *
 * - every `*Sync` function of `fs`, `child_process`, `zlib` and `crypto` (and
 *   `fs.realpathSync.native`), and `Atomics.wait`;
 * - outside greenlets (plain Node code, module top level) nothing is checked: one field
 *   comparison per call;
 * - inside a greenlet, a call made directly by Node's own code is exempt (the module
 *   loader reads files through `fs.readFileSync`, so a `require()` inside a greenlet is
 *   not reported); otherwise, by mode:
 *   - 'warn' (default): a `BlockingCallWarning` (process.emitWarning) once per call site,
 *     naming the call, the greenlet, where it was made and the cooperative alternative;
 *     the call then runs;
 *   - 'throw': `BlockingCallError` with the same message; nothing is called;
 *   - 'off': nothing (`setBlockingMode('off')` silences an installed guard).
 *
 * Cost inside a greenlet: capturing one stack frame (a few µs), only on calls that are
 * slow anyway. The cooperative alternatives named are cooperative.ts's Ops (`readFile`,
 * `writeFile`, `exec`, ...), `until()` of the promise API, and @g/hub's `threadpool` for
 * CPU-heavy work. Undo with `unpatchAll()`.
 */
import fs from 'node:fs';
import { getcurrent, getmain } from '@g/greenlet';
import { BlockingCallError, BlockingCallWarning, MonkeyError } from './errors.js';
import { resolveModule } from './modules.js';
import { appliedSetting, applyPatch } from './patch-core.js';
import { patchItem } from './registry.js';
import { STATE } from './state.js';

/** What the guard does with a blocking call made inside a greenlet. */
export type BlockingMode = 'warn' | 'throw' | 'off';

const MODES: readonly BlockingMode[] = ['warn', 'throw', 'off'];

/** The modules the blocking patch changes. */
export const BLOCKING_MODULES = ['fs', 'child_process', 'zlib', 'crypto', 'Atomics'] as const;

const SPECIFIC: Record<string, string> = {
  'fs.readFileSync': 'yield* readFile(path, options) from @g/monkey',
  'fs.writeFileSync': 'yield* writeFile(path, data, options) from @g/monkey',
  'fs.appendFileSync': 'yield* appendFile(path, data, options) from @g/monkey',
  'fs.readdirSync': 'yield* readdir(path, options) from @g/monkey',
  'fs.statSync': 'yield* stat(path) from @g/monkey',
  'fs.lstatSync': 'yield* lstat(path) from @g/monkey',
  'fs.existsSync': 'yield* exists(path) from @g/monkey',
  'fs.mkdirSync': 'yield* mkdir(path, options) from @g/monkey',
  'fs.rmSync': 'yield* rm(path, options) from @g/monkey',
  'child_process.execSync': 'yield* exec(command, options) from @g/monkey',
  'child_process.execFileSync': 'yield* execFile(file, args, options) from @g/monkey',
  'child_process.spawnSync': 'yield* execFile(file, args, options) from @g/monkey',
  'Atomics.wait': 'yield* until(Atomics.waitAsync(typedArray, index, value, timeout).value)',
};

/** The cooperative way to do what `call` does. */
export function alternativeFor(call: string): string {
  const specific = SPECIFIC[call];
  if (specific !== undefined) return specific;
  const [module, name] = call.split('.') as [string, string];
  const base = name.endsWith('Sync') ? name.slice(0, -4) : name;
  if (module === 'fs' && typeof (fs.promises as any)[base] === 'function') {
    return `yield* until(fs.promises.${base}(...))`;
  }
  const heavy =
    module === 'zlib' || module === 'crypto' ? ", or @g/hub's threadpool for large inputs" : '';
  return `yield* until(util.promisify(${module}.${base})(...))${heavy}`;
}

const warned = new Set<string>();

interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** Where `fn` was called from, or null when Node's own code called it. */
function callerOf(fn: (...a: any[]) => any): string | null {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let frames: CallSite[] = [];
  try {
    Error.prepareStackTrace = (_e, cs) => cs;
    Error.stackTraceLimit = 1;
    const holder: { stack?: CallSite[] } = {};
    Error.captureStackTrace(holder, fn);
    frames = holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  const top = frames[0];
  if (top === undefined) return '<unknown>';
  const file = top.getFileName() ?? '<anonymous>';
  if (file.startsWith('node:')) return null;
  return `${file}:${top.getLineNumber() ?? 0}:${top.getColumnNumber() ?? 0}`;
}

function report(call: string, fn: (...a: any[]) => any): void {
  const site = callerOf(fn);
  if (site === null) return;
  const g = getcurrent();
  const message =
    `${call}() blocks the hub: it was called inside ${String(g)} at ${site}, and every ` +
    `greenlet, timer and socket waits until it returns. Use ${alternativeFor(call)}.`;
  if (STATE.blockingMode === 'throw') throw new BlockingCallError(message, call);
  const key = `${call} ${site}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(new BlockingCallWarning(message, call));
}

function guard(call: string, original: (...a: any[]) => any): (...a: any[]) => any {
  const guarded = function (this: unknown): unknown {
    if (STATE.blockingMode !== 'off' && getcurrent() !== getmain()) report(call, guarded);
    // biome-ignore lint/complexity/noArguments: forward exactly what was given
    return original.apply(this, arguments as any);
  };
  Object.defineProperty(guarded, 'name', { value: original.name });
  Object.defineProperty(guarded, 'length', { value: original.length });
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'name' || key === 'length' || key === 'prototype') continue;
    const desc = Object.getOwnPropertyDescriptor(original, key)!;
    if (key === 'native' && typeof desc.value === 'function') {
      desc.value = guard(`${call}.native`, desc.value);
    }
    Object.defineProperty(guarded, key, desc);
  }
  return guarded;
}

function checkMode(mode: unknown, what: string): BlockingMode {
  if (!MODES.includes(mode as BlockingMode)) {
    throw new MonkeyError(`${what}: mode must be 'warn', 'throw' or 'off' (got ${String(mode)})`);
  }
  return mode as BlockingMode;
}

/** Sets what an installed guard does (see the module comment). */
export function setBlockingMode(mode: BlockingMode): void {
  STATE.blockingMode = checkMode(mode, 'setBlockingMode');
}

/** The guard's current mode. */
export function getBlockingMode(): BlockingMode {
  return STATE.blockingMode;
}

export interface PatchBlockingOptions {
  /** 'warn' (default), 'throw' or 'off' (then nothing is patched). */
  mode?: BlockingMode;
}

/**
 * Installs the guard (see the module comment) with `mode`. Called again, it only changes
 * the mode (no event). 'off' installs nothing and returns false (an installed guard is
 * silenced).
 */
export function patchBlocking(options: PatchBlockingOptions = {}): boolean {
  const mode = checkMode(options.mode ?? 'warn', 'patchBlocking');
  if (mode === 'off' || appliedSetting('blocking') !== undefined) {
    STATE.blockingMode = mode;
    if (mode === 'off') return false;
    (STATE.settings as Record<string, unknown>).blocking = mode;
    return true;
  }
  return applyPatch('blocking', mode, null, BLOCKING_MODULES, () => {
    STATE.blockingMode = mode;
    for (const label of ['fs', 'child_process', 'zlib', 'crypto']) {
      const m = resolveModule(label) as Record<string, unknown>;
      for (const name of Object.keys(m)) {
        const v = m[name];
        if (name.endsWith('Sync') && typeof v === 'function') {
          patchItem(label, name, guard(`${label}.${name}`, v as (...a: any[]) => any));
        }
      }
    }
    patchItem('Atomics', 'wait', guard('Atomics.wait', Atomics.wait));
  });
}
