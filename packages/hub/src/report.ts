/**
 * The report printed for an error nobody else will see (hub.handleError), as gevent
 * prints it: the error with its stack, then a line naming what failed, then where a
 * greenlet was spawned (its spawner; the spawn-site stack when `hub.spawnStacks` is on).
 *
 * ```
 * Error: boom
 *     at work (/app/jobs.js:12:11)
 * 2026-11-27T12:00:00.000Z <Greenlet "Greenlet-1": work(3)> failed with Error
 *   spawned by <Greenlet "main": run()>
 * ```
 */

export function formatReport(context: unknown, error: unknown): string {
  const stack =
    error instanceof Error
      ? (error.stack ?? `${error.name}: ${error.message}`)
      : `thrown value: ${safeString(error)}`;
  const kind =
    error instanceof Error ? error.name || error.constructor?.name || 'Error' : typeof error;
  const lines = [
    stack,
    `${new Date().toISOString()} ${describeContext(context)} failed with ${kind}`,
  ];
  const c = context as any;
  if (c !== null && typeof c === 'object' && '_spawner' in c) {
    const spawner = c._spawner ?? null;
    if (spawner !== null) {
      lines.push(
        `  spawned by ${spawner.isMain === true ? 'main (code outside greenlets)' : safeString(spawner)}`,
      );
    }
    const stack = c._rare?.spawnStack;
    if (typeof stack === 'string') {
      lines.push(`  spawned at:\n${stack.split('\n').slice(2).join('\n')}`);
    }
  }
  return `${lines.join('\n')}\n\n`;
}

function describeContext(context: unknown): string {
  if (typeof context === 'function') return `callback ${context.name || '(anonymous)'}`;
  return safeString(context);
}

function safeString(x: unknown): string {
  try {
    return String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}
