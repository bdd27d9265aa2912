/**
 * The blocking monitor (gevent's monitor thread): report code that keeps the hub from
 * running.
 *
 * ```ts
 * const stop = startMonitor({ maxBlockingTime: 0.1 });   // opt-in, as in gevent
 * // ... later
 * stop();
 * ```
 *
 * Greenlets cooperate: one that computes for a long time without waiting (or calls a
 * blocking `*Sync` API) stops every other greenlet, timer and socket of its hub. With the
 * monitor on, the hub times each run of a greenlet (from its switch into it until control
 * comes back), each watcher callback and each queued callback (links, runCallback). One
 * that runs longer than `maxBlockingTime` seconds is reported: `report` gets the greenlet
 * (or the callback), how long it ran, who spawned it and, when `hub.spawnStacks` is on, where.
 * The default report prints one line (plus the spawn site) to the hub's exceptionStream:
 *
 * ```
 * 2026-11-27T12:00:00.000Z <Greenlet "Greenlet-3" #3: crunch(42)> blocked the hub for 0.153 s (spawned by <Greenlet: main()>)
 * ```
 *
 * Rules and costs:
 * - The report comes after the fact: JavaScript cannot interrupt or inspect the blocking
 *   code while it runs (gevent's thread can print its stack while it blocks). A greenlet
 *   that never gives control back is never reported.
 * - On: two `performance.now()` calls per switch (about 60 ns). Off: one field test.
 * - One monitor per hub; starting another replaces it. `stop()` removes it (and does nothing
 *   if it was replaced meanwhile).
 */
import type { Hub } from './hub.js';
import { getHub } from './registry.js';
import { trimSpawnStack } from './report.js';

export interface BlockingEvent {
  /** The greenlet, or the callback, that ran too long. */
  culprit: unknown;
  /** How long it ran, in seconds. */
  seconds: number;
  /** Its spawning greenlet, when known. */
  spawnedBy: unknown;
  /** Its spawn-site stack (hub.spawnStacks), when known. */
  spawnStack: string | null;
}

export interface MonitorOptions {
  /** Seconds a greenlet may run without yielding before it is reported (default 0.1). */
  maxBlockingTime?: number;
  /** Called for each event; default: print a line to hub.exceptionStream. */
  report?: (event: BlockingEvent) => void;
  /** The hub to watch (default: getHub()). */
  hub?: Hub;
}

/** Starts the monitor on a hub; returns a function that stops it. */
export function startMonitor(options: MonitorOptions = {}): () => void {
  const hub = options.hub ?? getHub();
  const max = options.maxBlockingTime ?? 0.1;
  if (typeof max !== 'number' || !(max > 0) || max === Infinity) {
    throw new RangeError(
      `startMonitor({ maxBlockingTime }): must be a positive number of seconds, got ${String(max)}`,
    );
  }
  const report = options.report ?? ((e: BlockingEvent) => defaultReport(hub, e));
  if (typeof report !== 'function') {
    throw new TypeError('startMonitor({ report }): report must be a function');
  }
  const monitor = {
    threshold: max * 1000,
    onSwitch(g: any, ms: number, spawner?: unknown, args?: unknown[]) {
      const event: BlockingEvent = {
        culprit: g,
        seconds: ms / 1000,
        spawnedBy: spawner ?? g?._spawner ?? null,
        spawnStack: g?._rare?.spawnStack ?? null,
      };
      try {
        if (args !== undefined && options.report === undefined) defaultReport(hub, event, args);
        else report(event);
      } catch (err) {
        hub._report(report, err);
      }
    },
  };
  hub._monitor = monitor;
  return () => {
    if (hub._monitor === monitor) hub._monitor = null;
  };
}

function defaultReport(hub: Hub, e: BlockingEvent, args?: unknown[]): void {
  const stream = hub.exceptionStream;
  if (stream === null) return;
  const c = e.culprit as any;
  let what: string;
  if (c !== null && typeof c === 'object' && typeof c._describe === 'function') {
    // A Greenlet's name is part of the report (reading it assigns Greenlet-N); its
    // arguments as they were when it ran (a greenlet that ended has dropped them).
    void c.name;
    what = c._describe(args ?? c._args);
  } else {
    what = typeof c === 'function' ? `callback ${c.name || '(anonymous)'}` : safeString(c);
  }
  const by = e.spawnedBy as any;
  stream.write(
    `${new Date().toISOString()} ${what} blocked the hub for ${e.seconds.toFixed(3)} s` +
      `${by ? ` (spawned by ${by.isMain === true ? 'main' : safeString(by)})` : ''}\n` +
      (e.spawnStack ? `  spawned at:\n${trimSpawnStack(e.spawnStack)}\n` : ''),
  );
}

function safeString(x: unknown): string {
  try {
    return String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}
