/**
 * The chat of one process: its clients, its rooms, its counters, and where room events go.
 *
 * - `publish(e)` delivers a room event to the local members of its room (broadcast.ts:
 *   never waits) and, under node:cluster, hands it to the primary, which relays it to the
 *   other workers (cluster.ts); they deliver it with `deliverRemote`.
 * - Everything here is plain calls: it runs inside whichever greenlet calls it (a
 *   connection's greenlet, the cluster relay greenlet) and never switches.
 */
import { broadcast, Client, type DeliveryCounters } from './broadcast.js';
import { Outgoing, type RoomEvent } from './events.js';
import { Rooms } from './rooms.js';
import type { Transport } from './transport.js';

/** Where room events go besides this process (cluster.ts provides one per worker). */
export interface RoomEventSink {
  publish(e: RoomEvent): void;
}

export interface ChatCounters extends DeliveryCounters {
  /** Chat lines received from clients (messages and /me). */
  received: number;
  /** Clients dropped for staying silent longer than the idle timeout. */
  droppedIdle: number;
  /** Sessions started since the process started. */
  sessions: number;
}

export class Chat {
  readonly rooms = new Rooms();
  readonly clients = new Set<Client>();
  readonly counters: ChatCounters = {
    received: 0,
    delivered: 0,
    droppedSlow: 0,
    droppedIdle: 0,
    sessions: 0,
  };
  /** Set under node:cluster: room events also go there. */
  sink: RoomEventSink | null = null;
  /** The server is shutting down: new sessions are told so and closed. */
  closing = false;

  constructor(
    /** Events waiting for one client before it is dropped as too slow. */
    readonly queueSize: number,
    /** Seconds of silence before a client is dropped (null: never). */
    readonly idleTimeout: number | null,
    /** This worker's id under node:cluster (0 without). */
    readonly workerId = 0,
  ) {}

  /** A new client on `transport` (its session registers its greenlet). */
  connect(transport: Transport): Client {
    const c = new Client(transport, this.queueSize, this.counters);
    this.clients.add(c);
    this.counters.sessions++;
    return c;
  }

  /** The client's session ended: it leaves its room (the room is told why). */
  disconnect(c: Client, reason: string): void {
    if (!this.clients.delete(c)) return;
    const room = c.room;
    if (room !== null && c.nick !== '') {
      this.rooms.remove(c);
      this.publish({ type: 'leave', room, nick: c.nick, reason, ts: Date.now() });
    } else {
      this.rooms.remove(c);
    }
  }

  /** Delivers a room event here and to the other workers. Never waits. */
  publish(e: RoomEvent): void {
    broadcast(this.rooms.members(e.room), new Outgoing(e));
    this.sink?.publish(e);
  }

  /** A room event from another worker: learn from it, deliver it here. Never waits. */
  deliverRemote(worker: number, e: RoomEvent): void {
    this.rooms.applyRemote(worker, e);
    broadcast(this.rooms.members(e.room), new Outgoing(e));
  }

  /** Tells every client `text` and ends its session once its queue is written. */
  endAll(text: string): void {
    this.closing = true;
    for (const c of this.clients) c.end(text);
  }

  /** Connected clients by kind. */
  count(kind: 'tcp' | 'ws'): number {
    let n = 0;
    for (const c of this.clients) if (c.transport.kind === kind) n++;
    return n;
  }
}
