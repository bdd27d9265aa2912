/**
 * Live statistics: one sample a second, kept for the last 5 minutes (the /stats chart), and
 * under node:cluster the latest sample of every worker (relayed by the primary).
 *
 * - **switch rate**: @g/greenlet's `switchCount()` (a plain counter every switch bumps)
 *   read once a second.
 * - **loop lag**: an @g/ev Timer watcher on the hub's loop, repeating every 100 ms and
 *   unreferenced (it never keeps the process alive). Its callback measures how late it
 *   runs; a sample holds the worst lateness of its second. A greenlet that computes for
 *   50 ms without waiting shows here as 50 ms of lag.
 * - **greenlets**: the greenlets the app runs now: one per connection (TCP handlers and
 *   HTTP/WebSocket connections), one writer per chat client, and the background ones
 *   (acceptors, sampler, relay). @g/hub keeps the exact count of live greenlets private, so
 *   the app counts its own.
 * - **messages/s**: chat lines received from clients, and events written to clients
 *   (a message to a room of ten is one in, ten out).
 * - The sampler is a greenlet (`sleep(1)` in a loop); the timer is a raw watcher, because a
 *   watcher callback is what libev measures lateness with.
 */
import type { Loop, Timer } from '@g/ev';
import { switchCount } from '@g/greenlet';
import { sleep } from '@g/hub';

/** What the app reports to the sampler (read once a second). */
export interface Gauges {
  greenlets: number;
  tcp: number;
  ws: number;
  httpConnections: number;
  tcpQueued: number;
  tcpRefused: number;
  received: number;
  delivered: number;
  droppedSlow: number;
  droppedIdle: number;
  sessions: number;
}

export interface Sample {
  /** Wall-clock time of the sample, ms since the epoch. */
  t: number;
  greenlets: number;
  switchesPerSec: number;
  loopLagMs: number;
  clients: number;
  tcp: number;
  ws: number;
  httpConnections: number;
  tcpQueued: number;
  receivedPerSec: number;
  deliveredPerSec: number;
  /** Counters since the process started. */
  switches: number;
  received: number;
  delivered: number;
  droppedSlow: number;
  droppedIdle: number;
  sessions: number;
  tcpRefused: number;
  rssBytes: number;
}

/** Seconds of history kept. */
export const HISTORY = 300;

const LAG_PERIOD = 0.1;

export class Stats {
  /** One sample per second, oldest first (cluster totals under node:cluster). */
  readonly history: Sample[] = [];
  /** The latest sample of each worker (only this one without a cluster). */
  readonly workers = new Map<number, Sample>();
  private lagTimer: Timer | null = null;
  private worstLag = 0;
  private lastTick = 0;
  private last: { at: number; switches: number; received: number; delivered: number } | null = null;
  /** Called with each local sample (cluster.ts sends it to the primary). */
  onSample: ((s: Sample) => void) | null = null;

  constructor(
    private readonly gauges: () => Gauges,
    /** This worker's id (0 without a cluster). */
    readonly workerId = 0,
  ) {}

  /** Starts the loop-lag watcher on `loop`. */
  watchLoop(loop: Loop): void {
    const t = loop.timer(LAG_PERIOD, LAG_PERIOD, false);
    this.lastTick = performance.now();
    t.start(() => {
      const now = performance.now();
      const late = now - this.lastTick - LAG_PERIOD * 1000;
      this.lastTick = now;
      if (late > this.worstLag) this.worstLag = late;
    });
    this.lagTimer = t;
  }

  /** The sampler greenlet's body: a sample every second until killed. */
  *sampler(): Generator<unknown, void, any> {
    this.sample();
    for (;;) {
      yield* sleep(1);
      this.sample();
    }
  }

  /** Takes a sample now (also called by tests). */
  sample(): Sample {
    const g = this.gauges();
    const now = performance.now();
    const switches = switchCount();
    const prev = this.last;
    const dt = prev === null ? 1 : Math.max(0.001, (now - prev.at) / 1000);
    const rate = (a: number, b: number | undefined) =>
      prev === null ? 0 : Math.max(0, Math.round((a - (b ?? a)) / dt));
    const s: Sample = {
      t: Date.now(),
      greenlets: g.greenlets,
      switchesPerSec: rate(switches, prev?.switches),
      loopLagMs: Math.round(Math.max(0, this.worstLag) * 10) / 10,
      clients: g.tcp + g.ws,
      tcp: g.tcp,
      ws: g.ws,
      httpConnections: g.httpConnections,
      tcpQueued: g.tcpQueued,
      receivedPerSec: rate(g.received, prev?.received),
      deliveredPerSec: rate(g.delivered, prev?.delivered),
      switches,
      received: g.received,
      delivered: g.delivered,
      droppedSlow: g.droppedSlow,
      droppedIdle: g.droppedIdle,
      sessions: g.sessions,
      tcpRefused: g.tcpRefused,
      rssBytes: process.memoryUsage.rss(),
    };
    this.last = { at: now, switches, received: g.received, delivered: g.delivered };
    this.worstLag = 0;
    this.workers.set(this.workerId, s);
    this.push(this.total(s.t));
    this.onSample?.(s);
    return s;
  }

  /** The latest sample of another worker (relayed by the primary). */
  remote(worker: number, s: Sample): void {
    this.workers.set(worker, s);
  }

  /** Forgets a worker that exited. */
  forget(worker: number): void {
    this.workers.delete(worker);
  }

  /** Stops the loop-lag watcher. */
  stop(): void {
    this.lagTimer?.stop();
    this.lagTimer = null;
  }

  /** What /stats.json answers. */
  toJSON(): { worker: number; workers: Record<string, Sample>; history: Sample[] } {
    return {
      worker: this.workerId,
      workers: Object.fromEntries([...this.workers].map(([id, s]) => [String(id), s])),
      history: this.history,
    };
  }

  /** Sums the latest sample of every worker seen in the last 5 s (loop lag: the worst). */
  private total(t: number): Sample {
    let sum: Sample | null = null;
    for (const s of this.workers.values()) {
      if (t - s.t > 5000) continue;
      if (sum === null) {
        sum = { ...s, t };
        continue;
      }
      for (const k of Object.keys(s) as Array<keyof Sample>) {
        if (k === 't') continue;
        if (k === 'loopLagMs') sum.loopLagMs = Math.max(sum.loopLagMs, s.loopLagMs);
        else sum[k] += s[k];
      }
    }
    return sum!;
  }

  private push(s: Sample): void {
    this.history.push(s);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
  }
}
