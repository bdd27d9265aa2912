/**
 * `--workers N`: N processes under node:cluster, and chat messages crossing them through
 * the primary.
 *
 * - Every worker runs the same servers on the same ports (Node's primary hands each new
 *   connection to a worker in turn), so two people in one room may be on two workers.
 * - A worker sends its room events (messages, joins, leaves, nick changes) to the primary
 *   in batches; the primary relays each batch to every other worker, which delivers it to
 *   its local members of that room and updates its view of who is where. Relaying is a
 *   plain call in the primary's message listener: it never waits.
 * - The primary keeps the directory of every worker's members, and sends it to a worker
 *   that starts (or restarts), so /who and nicknames are cluster-wide at once.
 * - Each worker sends its stats sample every second; the primary relays it to the others,
 *   so any worker's /stats and /metrics show the whole cluster.
 * - Shutdown: SIGINT/SIGTERM reach the primary (its loop's signal watchers); it sends every
 *   worker `shutdown`, each drains as a single process does, and the primary exits 0 when
 *   all have exited (or 1 if it had to kill one after the bound). A worker that dies
 *   otherwise is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import { defaultLoop } from '@g/ev';
import { getHub, wait } from '@g/hub';
import { AsyncResult, Queue } from '@g/sync';
import type { Chat, RoomEventSink } from './chat.js';
import type { Config } from './config.js';
import type { RoomEvent } from './events.js';
import { Rooms } from './rooms.js';
import { Shutdown } from './shutdown.js';
import type { Sample, Stats } from './stats.js';

/** Worker -> primary. */
export type ToPrimary =
  | { t: 'listening'; port: number; tcpPort: number }
  | { t: 'events'; events: RoomEvent[] }
  | { t: 'stats'; sample: Sample };

/** Primary -> worker. */
export type ToWorker =
  | { t: 'events'; worker: number; events: RoomEvent[] }
  | { t: 'directory'; members: Array<{ worker: number; nick: string; room: string }> }
  | { t: 'stats'; worker: number; sample: Sample }
  | { t: 'gone'; worker: number }
  | { t: 'shutdown' };

/** Room events a worker sends the primary in one message, at most. */
const BATCH = 512;

/** A worker's side of the cluster: a RoomEventSink for the chat, and the relay greenlets. */
export class WorkerLink implements RoomEventSink {
  readonly id = cluster.worker?.id ?? 0;
  private readonly inbox = new Queue<ToWorker>();
  private readonly outbox = new Queue<RoomEvent>();

  constructor(
    private readonly chat: Chat,
    private readonly stats: Stats,
    private readonly shutdown: Shutdown,
  ) {
    // A Node listener cannot switch: it only queues (putNowait never waits).
    process.on('message', (m: ToWorker) => this.inbox.putNowait(m));
    stats.onSample = (sample) => this.send({ t: 'stats', sample });
  }

  /** Queues a room event for the other workers (the chat calls it; never waits). */
  publish(e: RoomEvent): void {
    this.outbox.putNowait(e);
  }

  /** Tells the primary this worker is serving. */
  announce(port: number, tcpPort: number): void {
    this.send({ t: 'listening', port, tcpPort });
  }

  /** Greenlet: sends queued room events to the primary, many per message. */
  *sender(): Generator<unknown, void, any> {
    for (;;) {
      const events = [yield* this.outbox.get()];
      while (events.length < BATCH && this.outbox.qsize() > 0) events.push(this.outbox.getNowait());
      this.send({ t: 'events', events });
    }
  }

  /**
   * Greenlet: handles what the primary sends. The messages come from a Node listener the
   * hub cannot see, so the loop is held (`externalWait`) while this waits for them: without
   * it, a worker with nothing else to do would be told its wait could never end (LoopExit).
   */
  *receiver(): Generator<unknown, void, any> {
    const release = getHub().loop.externalWait();
    try {
      yield* this.receive();
    } finally {
      release();
    }
  }

  private *receive(): Generator<unknown, void, any> {
    for (;;) {
      const m = yield* this.inbox.get();
      switch (m.t) {
        case 'events':
          for (const e of m.events) this.chat.deliverRemote(m.worker, e);
          break;
        case 'directory': {
          const by = new Map<number, Array<{ nick: string; room: string }>>();
          for (const { worker, nick, room } of m.members) {
            if (worker === this.id) continue;
            if (!by.has(worker)) by.set(worker, []);
            by.get(worker)!.push({ nick, room });
          }
          for (const [worker, list] of by) this.chat.rooms.setRemote(worker, list);
          break;
        }
        case 'stats':
          this.stats.remote(m.worker, m.sample);
          break;
        case 'gone':
          this.chat.rooms.forgetWorker(m.worker);
          this.stats.forget(m.worker);
          break;
        case 'shutdown':
          this.shutdown.request('asked by the primary');
          break;
      }
    }
  }

  private send(m: ToPrimary): void {
    if (process.connected && process.send) process.send(m, undefined, undefined, ignore);
  }
}

/**
 * The primary: forks the workers, relays between them, prints the startup lines once all
 * listen, and stops them on SIGINT/SIGTERM. Returns the exit code.
 */
export function* runPrimary(
  config: Config,
  banner: (port: number, tcpPort: number) => void,
  log: (line: string) => void,
): Generator<unknown, number, any> {
  const shutdown = new Shutdown(log);
  shutdown.watch(defaultLoop());
  // The workers talk to us through Node listeners, which the hub does not see: hold the
  // loop while they run, or waiting for them would count as waiting forever (LoopExit).
  const release = getHub().loop.externalWait();
  try {
    return yield* primaryBody(config, banner, log, shutdown);
  } finally {
    release();
    shutdown.unwatch();
  }
}

function* primaryBody(
  config: Config,
  banner: (port: number, tcpPort: number) => void,
  log: (line: string) => void,
  shutdown: Shutdown,
): Generator<unknown, number, any> {
  const directory = new Rooms();
  const exits = new Map<Worker, AsyncResult<number>>();
  const listening = new Queue<{ port: number; tcpPort: number }>();
  let stopping = false;

  const others = (from: Worker) =>
    Object.values(cluster.workers ?? {}).filter((w) => w && w !== from);
  // A worker that is exiting may close its channel between the check and the write: the
  // error then goes to the callback (without one, it would be an uncaught 'error' event).
  const sendTo = (w: Worker | undefined, m: ToWorker) => {
    if (w?.isConnected()) w.send(m, ignore);
  };

  const fork = (): Worker => {
    const w = cluster.fork();
    const exited = new AsyncResult<number>();
    exits.set(w, exited);
    w.on('message', (m: ToPrimary) => {
      switch (m.t) {
        case 'events': {
          for (const e of m.events) directory.applyRemote(w.id, e);
          const out: ToWorker = { t: 'events', worker: w.id, events: m.events };
          for (const o of others(w)) sendTo(o, out);
          break;
        }
        case 'stats': {
          const out: ToWorker = { t: 'stats', worker: w.id, sample: m.sample };
          for (const o of others(w)) sendTo(o, out);
          break;
        }
        case 'listening':
          sendTo(w, { t: 'directory', members: directory.remoteMembers() });
          listening.putNowait({ port: m.port, tcpPort: m.tcpPort });
          break;
      }
    });
    w.on('exit', (code, signal) => {
      exited.set(code ?? 1);
      exits.delete(w);
      directory.forgetWorker(w.id);
      for (const o of others(w)) sendTo(o, { t: 'gone', worker: w.id });
      if (!stopping) {
        log(`worker ${w.id} exited (${signal ?? `code ${code}`}): starting another`);
        fork();
      }
    });
    return w;
  };

  for (let i = 0; i < config.workers; i++) fork();
  const first = yield* listening.get();
  for (let i = 1; i < config.workers; i++) yield* listening.get();
  banner(first.port, first.tcpPort);

  yield* shutdown.requested.wait();
  stopping = true;
  log(`${shutdown.reason}: stopping ${exits.size} workers`);
  for (const w of exits.keys()) sendTo(w, { t: 'shutdown' });
  const pending = [...exits.values()];
  const bound = config.shutdownTimeout + 5;
  let code = 0;
  const exited = yield* wait(pending, { timeout: bound });
  for (const r of exited) if ((r as AsyncResult<number>).value !== 0) code = 1;
  if (exited.length < pending.length) {
    log(`${pending.length - exited.length} workers still running after ${bound} s: killing them`);
    for (const w of exits.keys()) w.process.kill('SIGKILL');
    code = 1;
  }
  return code;
}

/** The callback of a send whose failure needs nothing (the other side is going away). */
function ignore(): void {}
