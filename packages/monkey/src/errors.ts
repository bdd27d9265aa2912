/**
 * Errors and warnings of @g/monkey.
 *
 * Each class carries a `Symbol.for` brand as well, so that `isX(e)` recognises an error of
 * either loaded build (ESM or CJS) of the package; `instanceof` works within one build.
 */

const MONKEY_ERROR = Symbol.for('@g/monkey.MonkeyError');
const DO_NOT_PATCH = Symbol.for('@g/monkey.DoNotPatch');
const BLOCKING_CALL = Symbol.for('@g/monkey.BlockingCallError');

/** Misuse of the patching machinery (a conflicting hub, an unknown patch name, ...). */
export class MonkeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonkeyError';
  }
}
Object.defineProperty(MonkeyError.prototype, MONKEY_ERROR, { value: true });

/** True for a MonkeyError of any loaded copy of @g/monkey. */
export function isMonkeyError(e: unknown): e is MonkeyError {
  return e !== null && typeof e === 'object' && (e as any)[MONKEY_ERROR] === true;
}

/**
 * Thrown by a listener of a `will...` patch event to veto it (gevent's DoNotPatch): from
 * `willPatchAll` nothing is patched and `patchAll` returns false; from `willPatchModule`
 * that one patch is skipped. Any other error thrown by a listener propagates.
 */
export class DoNotPatch extends Error {
  constructor(message = 'patching vetoed by an event listener') {
    super(message);
    this.name = 'DoNotPatch';
  }
}
Object.defineProperty(DoNotPatch.prototype, DO_NOT_PATCH, { value: true });

/** True for a DoNotPatch of any loaded copy of @g/monkey. */
export function isDoNotPatch(e: unknown): e is DoNotPatch {
  return e !== null && typeof e === 'object' && (e as any)[DO_NOT_PATCH] === true;
}

/**
 * A blocking call (`fs.readFileSync`, `execSync`, `Atomics.wait`, ...) made inside a
 * greenlet while the blocking guard's mode is 'throw'. The message names the call, the
 * greenlet and the cooperative alternative. Nothing was called.
 */
export class BlockingCallError extends Error {
  /** The call, e.g. 'fs.readFileSync'. */
  readonly call: string;
  constructor(message: string, call: string) {
    super(message);
    this.name = 'BlockingCallError';
    this.call = call;
  }
}
Object.defineProperty(BlockingCallError.prototype, BLOCKING_CALL, { value: true });

/** True for a BlockingCallError of any loaded copy of @g/monkey. */
export function isBlockingCallError(e: unknown): e is BlockingCallError {
  return e !== null && typeof e === 'object' && (e as any)[BLOCKING_CALL] === true;
}

/**
 * The warning @g/monkey emits with `process.emitWarning` (listen with
 * `process.on('warning', w => ...)`, `w.name === 'MonkeyPatchWarning'`): patching after
 * modules captured the originals, patching again with other settings, a patch that cannot
 * apply to the chosen hub. `details` lists the findings one per line.
 */
export class MonkeyPatchWarning extends Error {
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(details.length === 0 ? message : `${message}\n  ${details.join('\n  ')}`);
    this.name = 'MonkeyPatchWarning';
    this.details = details;
  }
}

/**
 * The warning of the blocking guard in 'warn' mode (`w.name === 'BlockingCallWarning'`),
 * emitted once per call site.
 */
export class BlockingCallWarning extends Error {
  readonly call: string;
  constructor(message: string, call: string) {
    super(message);
    this.name = 'BlockingCallWarning';
    this.call = call;
  }
}

/** Node's AbortError (code ABORT_ERR), as the patched timers/promises reject with it. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Node's ERR_INVALID_ARG_TYPE TypeError, as Node's own timers throw it. */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError {
  const e = new TypeError(
    `The "${name}" argument must be ${expected}. Received ${describeReceived(actual)}`,
  ) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

function describeReceived(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name ? `an instance of ${name}` : 'an object';
  }
  let shown = typeof v === 'string' ? `'${v.length > 25 ? `${v.slice(0, 25)}...` : v}'` : String(v);
  if (typeof v === 'bigint') shown += 'n';
  return `type ${typeof v} (${shown})`;
}
