/**
 * Graceful shutdown on SIGINT and SIGTERM, through the hub loop's signal watchers.
 *
 * - `watch(loop)` starts an @g/ev Signal watcher for each signal (unreferenced: they never
 *   keep the process alive by themselves). While they are active Node's default action
 *   (exit at once) is replaced; the callbacks run in the loop's iteration, like any other
 *   watcher, and only set an Event (a plain call).
 * - The server's main greenlet waits on that Event (`yield* shutdown.requested.wait()`)
 *   and then runs the drain (server.ts): stop accepting, tell clients, let their writers
 *   flush for up to `shutdownTimeout` seconds, cut the rest, exit 0.
 * - A second signal while draining means "now": the process exits at once with 130.
 * - Under node:cluster the primary asks workers to stop with a message, which calls
 *   `request()` the same way.
 */
import type { Loop, Signal } from '@g/ev';
import { Event } from '@g/sync';

export const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class Shutdown {
  /** Set once a shutdown was asked for. */
  readonly requested = new Event();
  /** What asked for it ('SIGTERM', 'primary', ...). */
  reason = '';
  private watchers: Signal[] = [];

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Starts the signal watchers on `loop`. */
  watch(loop: Loop): void {
    for (const sig of SIGNALS) {
      const w = loop.signal(sig, false);
      w.start(() => this.request(sig));
      this.watchers.push(w);
    }
  }

  /** Asks for the shutdown (idempotent); a second signal exits at once. */
  request(reason: string): void {
    if (this.requested.isSet()) {
      if (reason.startsWith('SIG') && reason !== this.reason) {
        this.log(`${reason} while shutting down: exiting now`);
        process.exit(130);
      }
      return;
    }
    this.reason = reason;
    this.requested.set();
  }

  /** Stops the signal watchers (Node's default actions come back). */
  unwatch(): void {
    for (const w of this.watchers) w.stop();
    this.watchers = [];
  }
}
