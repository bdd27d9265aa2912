/**
 * Links: the `rawlink` callbacks of a Semaphore, Event or AsyncResult (@g/hub's Waitable
 * protocol, which `wait`, `iwait` and `joinall` use).
 *
 * - `rawlink(cb)` adds `cb`; it is called once, as `cb(source)`, from the hub (never inside
 *   the call that made the source ready), and then forgotten. A source that is ready
 *   when `rawlink` is called schedules the call at once.
 * - When the source becomes ready, the callbacks linked at that moment are called in the
 *   order they were added, in one hub callback. For a Semaphore each call first checks that
 *   a permit is still free (a callback may take it); the others wait for the next release.
 * - `unlink(cb)` removes the first link of `cb` not yet called (a no-op if there is none),
 *   also while the callbacks run. A callback that throws is reported with the hub's
 *   `handleError`; the others still run.
 * - The callbacks run in the hub of the greenlet that made the source ready (the default
 *   hub outside greenlets). They must not wait.
 */
import { getcurrent } from '@g/greenlet';
import { defaultHub, type Hub, hubOf } from '@g/hub';

type Cb = (source: any) => void;

export class Links {
  private cbs: Cb[] = [];
  private batch: Cb[] = [];
  private scheduled = false;

  constructor(
    private readonly source: { ready(): boolean },
    /** Call each link only while the source is ready (semaphores). */
    private readonly whileReady: boolean,
  ) {}

  /** Number of links not yet called. */
  get size(): number {
    return this.cbs.length + this.batch.length;
  }

  add(cb: Cb, what: string): void {
    if (typeof cb !== 'function') {
      throw new TypeError(`${what}.rawlink(callback): expected a function, got ${String(cb)}`);
    }
    this.cbs.push(cb);
    if (this.source.ready()) this.fire();
  }

  remove(cb: unknown): void {
    let i = this.batch.indexOf(cb as Cb);
    if (i >= 0) {
      this.batch.splice(i, 1);
      return;
    }
    i = this.cbs.indexOf(cb as Cb);
    if (i >= 0) this.cbs.splice(i, 1);
  }

  /** The source became ready: schedule the links added so far. */
  fire(): void {
    const cbs = this.cbs;
    if (cbs.length === 0) return;
    if (this.batch.length === 0) {
      this.batch = cbs;
      this.cbs = [];
    } else {
      for (const cb of cbs) this.batch.push(cb);
      cbs.length = 0;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      notifyHub().runCallback(runLinks, this);
    }
  }

  /** @internal runs in the hub. */
  _run(hub: Hub): void {
    this.scheduled = false;
    const batch = this.batch;
    while (batch.length > 0) {
      if (this.whileReady && !this.source.ready()) {
        // Keep the rest, in order, for the next time a permit is free.
        this.cbs = batch.concat(this.cbs);
        this.batch = [];
        return;
      }
      const cb = batch.shift()!;
      try {
        cb(this.source);
      } catch (e) {
        try {
          hub.handleError(cb, e);
        } catch {
          // an overridden handleError failed: nothing left to report to
        }
      }
    }
  }
}

function runLinks(links: Links): void {
  links._run(notifyHub());
}

/** The hub notifications go to: the running greenlet's, else the default hub. */
export function notifyHub(): Hub {
  return hubOf(getcurrent()) ?? defaultHub();
}
