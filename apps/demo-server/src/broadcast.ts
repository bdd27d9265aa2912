/**
 * Broadcast with a bound: every client has its own Queue of events and its own writer
 * greenlet, so a slow client can never slow the others down.
 *
 * - `client.send(o)` is a plain call (`putNowait`): it never waits, so the greenlet that
 *   broadcasts (the sender's own connection greenlet) goes on at once to the next member.
 * - The writer greenlet takes events from the queue (all that are waiting, up to a batch)
 *   and writes them in one write. The write waits for `'drain'` when the peer does not
 *   read, and meanwhile the queue fills.
 * - When the queue is full (`queueSize` events waiting), the next `send` drops the client:
 *   its connection is aborted (unsent data discarded) and its connection greenlet is killed
 *   without waiting. The room is told `alice left (dropped: too slow)`.
 * - `client.end(text)` queues a last `bye` event and the end mark: the writer flushes
 *   everything before it, then closes the connection; the session's read then ends.
 */
import type { Greenlet } from '@g/hub';
import { Full, Queue } from '@g/sync';
import { type ChatEvent, Outgoing } from './events.js';
import type { Transport } from './transport.js';

/** Put in a client's queue after its last event: the writer closes the connection. */
const END = Symbol('end of session');

/** Events a writer takes from its queue for one write. */
const BATCH = 128;

/** Counters the writers and drops update (stats.ts reads them). */
export interface DeliveryCounters {
  delivered: number;
  droppedSlow: number;
}

export class Client {
  /** The nickname, '' until the client chose one. */
  nick = '';
  /** The room it is in, null before it chose a nickname. */
  room: string | null = null;
  /** Its pending events (the bound of the issue: a slow client's queue fills). */
  readonly outbox: Queue<Outgoing | typeof END>;
  /** The connection's greenlet (the session runs in it). */
  greenlet: Greenlet<any, any> | null = null;
  /** Why the server dropped it, or null. */
  droppedFor: string | null = null;
  /** `end()` was called: nothing more is queued. */
  ending = false;

  constructor(
    readonly transport: Transport,
    queueSize: number,
    private readonly counters: DeliveryCounters,
  ) {
    this.outbox = new Queue(queueSize);
  }

  /**
   * Queues `o` for this client; never waits. Returns false if the client is gone or was
   * dropped now because its queue is full.
   */
  send(o: Outgoing): boolean {
    if (this.ending || this.droppedFor !== null) return false;
    try {
      this.outbox.putNowait(o);
      return true;
    } catch (e) {
      if (!(e instanceof Full)) throw e;
      this.drop(`dropped: too slow, ${this.outbox.qsize()} messages waiting`);
      this.counters.droppedSlow++;
      return false;
    }
  }

  /** Queues one event made for this client only. */
  tell(e: ChatEvent): boolean {
    return this.send(new Outgoing(e));
  }

  /** Queues `bye` and the end mark: the writer sends them, then closes. Never waits. */
  end(text: string): void {
    if (this.ending || this.droppedFor !== null) return;
    const ok = this.send(new Outgoing({ type: 'bye', text }));
    this.ending = true;
    if (!ok) return;
    try {
      this.outbox.putNowait(END);
    } catch (e) {
      if (!(e instanceof Full)) throw e;
      this.drop('dropped: too slow to say goodbye to');
      this.counters.droppedSlow++;
    }
  }

  /**
   * Drops the client at once (never waits): aborts the connection, then kills its greenlet
   * without waiting for it (`[Symbol.dispose]` is gevent's `kill(block=False)`). The kill
   * lands at the wait the greenlet is in; its `finally` blocks then leave the room.
   */
  drop(reason: string): void {
    if (this.droppedFor !== null) return;
    this.droppedFor = reason;
    this.transport.abort();
    const g = this.greenlet;
    if (g !== null && !g.dead) g[Symbol.dispose]();
  }

  /** The writer greenlet's body: see the module comment. */
  *writer(): Generator<unknown, void, any> {
    const q = this.outbox;
    const batch: Outgoing[] = [];
    for (;;) {
      const first = yield* q.get();
      let done = first === END;
      if (!done) batch.push(first as Outgoing);
      while (!done && batch.length < BATCH && q.qsize() > 0) {
        const next = q.getNowait();
        if (next === END) done = true;
        else batch.push(next);
      }
      if (batch.length > 0) {
        yield* this.transport.write(batch);
        this.counters.delivered += batch.length;
        batch.length = 0;
      }
      if (done) {
        this.transport.close();
        return;
      }
    }
  }
}

/** Sends `o` to every client in `members` (except `except`); never waits. */
export function broadcast(members: Iterable<Client>, o: Outgoing, except?: Client): number {
  let n = 0;
  for (const c of members) {
    if (c !== except && c.send(o)) n++;
  }
  return n;
}
