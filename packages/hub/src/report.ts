/**
 * The report printed for an error nobody else will see (hub.handleError), as gevent prints
 * it: the error with its stack, then a line with the time naming what failed (a greenlet
 * with its function and arguments, a watcher, a callback), then, for a greenlet, who spawned
 * it (the chain of spawners, up to 5) and, when `hub.spawnStacks` is on, where.
 *
 * ```
 * Error: boom
 *     at work (/app/jobs.js:12:11)
 * 2026-11-27T12:00:00.000Z <Greenlet "Greenlet-1" #1: work(3)> failed with Error
 *   spawned by <Greenlet: main()>, spawned by main (code outside greenlets)
 *   spawned at:
 *     at main (/app/jobs.js:20:5)
 * ```
 *
 * Cost: only when an error is reported. Never throws (a value whose toString throws is
 * described by its type).
 */

/** The context of a link callback's error: the callback and the greenlet it was called for. */
export class LinkFailure {
  constructor(
    readonly callback: unknown,
    readonly source: unknown,
  ) {}
  toString(): string {
    return `link callback ${describeCallable(this.callback)} of ${safeString(this.source)}`;
  }
}

export function formatReport(context: unknown, error: unknown): string {
  const isError =
    error instanceof Error || Object.prototype.toString.call(error) === '[object Error]';
  const e = error as Error;
  const stack = isError
    ? (e.stack ?? `${e.name}: ${e.message}`)
    : `thrown value: ${safeString(error)}`;
  const kind = isError ? e.name || e.constructor?.name || 'Error' : typeof error;
  const lines = [
    stack,
    `${new Date().toISOString()} ${describeContext(context)} failed with ${kind}`,
  ];
  const c = context as any;
  if (c !== null && typeof c === 'object' && '_spawner' in c) {
    const chain: string[] = [];
    let s = c._spawner ?? null;
    for (let depth = 0; s !== null && s !== undefined && depth < 5; depth++) {
      chain.push(s.isMain === true ? 'main (code outside greenlets)' : safeString(s));
      s = s._spawner ?? null;
    }
    if (chain.length > 0) lines.push(`  spawned by ${chain.join(', spawned by ')}`);
    const where = c._rare?.spawnStack;
    if (typeof where === 'string') lines.push(`  spawned at:\n${trimSpawnStack(where)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/**
 * The user's frames of a spawn-site stack: without the library's own frames above the
 * spawning call (the Greenlet constructor, spawn) and below it (the trampoline, the hub).
 */
export function trimSpawnStack(stack: string): string {
  const frames = stack.split('\n').slice(1);
  let start = 0;
  while (start < frames.length && LIBRARY_TOP.test(frames[start]!)) start++;
  let end = start;
  while (end < frames.length && !LIBRARY_BOTTOM.test(frames[end]!)) end++;
  while (end > start + 1 && /\.next \(<anonymous>\)/.test(frames[end - 1]!)) end--;
  return frames.slice(start, end).join('\n');
}

const LIBRARY_TOP =
  /\bat (new Greenlet|Greenlet\.start|Greenlet\.startLater|makeGreenlet|spawn|spawnLater|spawnRaw|runIn|run|Hub\.run|withHub)\b/;
const LIBRARY_BOTTOM =
  /\bat (trampoline|transfer|Hub\._resume|Hub\.kickCb|Hub\.wakeCb|AsyncResource\.runInAsyncScope)\b/;

function describeContext(context: unknown): string {
  if (typeof context === 'function') return `callback ${describeCallable(context)}`;
  const c = context as any;
  if (c !== null && typeof c === 'object' && typeof c.kind === 'string' && 'loop' in c) {
    const cb = c.callback;
    return `${c.kind} watcher${typeof cb === 'function' ? ` (callback ${describeCallable(cb)})` : ''}`;
  }
  return safeString(context);
}

function describeCallable(f: unknown): string {
  if (typeof f === 'function') return f.name || '(anonymous)';
  return safeString(f);
}

function safeString(x: unknown): string {
  try {
    return String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}
