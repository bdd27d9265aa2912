/**
 * The blocking monitor (gevent's monitor thread): report code that keeps the hub from
 * running.
 *
 * ```ts
 * const stop = startMonitor({ maxBlockingTime: 0.1 });   // opt-in, as in gevent
 * ```
 *
 * Greenlets cooperate: one that computes for a long time without waiting (or calls a
 * blocking `*Sync` API) stops every other greenlet, timer and socket of its hub. With the
 * monitor on, each switch from the hub into a greenlet (and each callback the hub runs) is
 * timed; when one runs longer than `maxBlockingTime` seconds before control comes back to
 * the hub, `report` is called with the greenlet (its name and spawn record) and the time.
 * The default report prints one line per event to the hub's exceptionStream.
 *
 * Cost when on: two `performance.now()` calls per switch (about 60 ns); off: one field test.
 * The report comes after the fact (JavaScript cannot interrupt the blocking code).
 */
import type { Hub } from './hub.js';
import { getHub } from './registry.js';

export interface BlockingEvent {
  /** The greenlet (or callback) that ran too long. */
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
  if (typeof max !== 'number' || !(max > 0)) {
    throw new RangeError(
      `startMonitor({ maxBlockingTime }): must be a positive number of seconds, got ${String(max)}`,
    );
  }
  const report =
    options.report ??
    ((e: BlockingEvent) => {
      hub.exceptionStream?.write(
        `${new Date().toISOString()} ${String(e.culprit)} blocked the hub for ${e.seconds.toFixed(3)} s` +
          `${e.spawnedBy ? ` (spawned by ${String(e.spawnedBy)})` : ''}\n` +
          (e.spawnStack ? `  spawned at:\n${e.spawnStack.split('\n').slice(2).join('\n')}\n` : ''),
      );
    });
  const monitor = {
    threshold: max * 1000,
    onSwitch(g: any, ms: number) {
      report({
        culprit: g,
        seconds: ms / 1000,
        spawnedBy: g?._spawner ?? null,
        spawnStack: g?._rare?.spawnStack ?? null,
      });
    },
  };
  hub._monitor = monitor;
  return () => {
    if (hub._monitor === monitor) hub._monitor = null;
  };
}
