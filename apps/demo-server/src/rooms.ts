/**
 * Rooms and nicknames.
 *
 * - Local members are Client objects (they get events); members connected to other
 *   node:cluster workers are names only, kept up to date from the room events the primary
 *   relays (join, leave, nick), so `/who`, `/rooms` and nickname checks see every worker.
 * - Nicknames are unique without regard to case, over all workers. Two workers can accept
 *   the same new nickname in the same instant (each learns of the other's a moment later);
 *   the chat goes on, with two people of that name.
 * - Room names are lowercase, 1-24 of `a-z 0-9 _ -`; a leading `#` is accepted and dropped.
 */
import type { Client } from './broadcast.js';
import type { RoomEvent } from './events.js';

export const LOBBY = 'lobby';

const NICK = /^[A-Za-z0-9_-]{1,20}$/;
const ROOM = /^[a-z0-9_-]{1,24}$/;

/** Why `nick` is not a good nickname, or null if it is one. */
export function badNick(nick: string): string | null {
  if (NICK.test(nick)) return null;
  return 'a nickname is 1-20 letters, digits, _ or -';
}

/** The room name for `name` (`#Dev` -> `dev`), or null if it is not one. */
export function roomName(name: string): string | null {
  const n = name.trim().replace(/^#/, '').toLowerCase();
  return ROOM.test(n) ? n : null;
}

interface RemoteMember {
  nick: string;
  room: string;
}

export class Rooms {
  private readonly local = new Map<string, Set<Client>>();
  private readonly nicks = new Map<string, Client>();
  /** worker id -> lowercase nick -> member */
  private readonly remote = new Map<number, Map<string, RemoteMember>>();

  /** True if someone here or on another worker has this nickname. */
  nickTaken(nick: string): boolean {
    const key = nick.toLowerCase();
    if (this.nicks.has(key)) return true;
    for (const members of this.remote.values()) if (members.has(key)) return true;
    return false;
  }

  /** Gives `client` the nickname (checked by the caller); frees its old one. */
  setNick(client: Client, nick: string): void {
    if (client.nick !== '') this.nicks.delete(client.nick.toLowerCase());
    client.nick = nick;
    this.nicks.set(nick.toLowerCase(), client);
  }

  /** Puts `client` in `room` (out of its old one). */
  join(client: Client, room: string): void {
    this.part(client);
    let set = this.local.get(room);
    if (set === undefined) this.local.set(room, (set = new Set()));
    set.add(client);
    client.room = room;
  }

  /** Takes `client` out of its room. */
  part(client: Client): void {
    const room = client.room;
    if (room === null) return;
    const set = this.local.get(room);
    if (set !== undefined) {
      set.delete(client);
      if (set.size === 0) this.local.delete(room);
    }
    client.room = null;
  }

  /** Takes `client` out of its room and frees its nickname. */
  remove(client: Client): void {
    this.part(client);
    if (client.nick !== '' && this.nicks.get(client.nick.toLowerCase()) === client) {
      this.nicks.delete(client.nick.toLowerCase());
    }
  }

  /** The local clients in `room`. */
  members(room: string): ReadonlySet<Client> {
    return this.local.get(room) ?? EMPTY;
  }

  /** Every nickname in `room`, on every worker, sorted. */
  who(room: string): string[] {
    const out: string[] = [];
    for (const c of this.members(room)) out.push(c.nick);
    for (const members of this.remote.values()) {
      for (const m of members.values()) if (m.room === room) out.push(m.nick);
    }
    return out.sort((a, b) => a.localeCompare(b));
  }

  /** Every room with its member count (all workers), busiest first. */
  list(): Array<[room: string, count: number]> {
    const counts = new Map<string, number>();
    for (const [room, set] of this.local) counts.set(room, set.size);
    for (const members of this.remote.values()) {
      for (const m of members.values()) counts.set(m.room, (counts.get(m.room) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  /** Local members as `{ nick, room }` (for the primary's directory). */
  snapshot(): RemoteMember[] {
    const out: RemoteMember[] = [];
    for (const [room, set] of this.local) for (const c of set) out.push({ nick: c.nick, room });
    return out;
  }

  /** Learns of another worker's room event (join, leave, nick). */
  applyRemote(worker: number, e: RoomEvent): void {
    let members = this.remote.get(worker);
    if (members === undefined) this.remote.set(worker, (members = new Map()));
    switch (e.type) {
      case 'join':
        members.set(e.nick.toLowerCase(), { nick: e.nick, room: e.room });
        break;
      case 'leave': {
        const m = members.get(e.nick.toLowerCase());
        if (m !== undefined && m.room === e.room) members.delete(e.nick.toLowerCase());
        break;
      }
      case 'nick':
        members.delete(e.from.toLowerCase());
        members.set(e.nick.toLowerCase(), { nick: e.nick, room: e.room });
        break;
      default:
        break;
    }
  }

  /** Every other worker's members, with the worker's id (the primary's directory). */
  remoteMembers(): Array<{ worker: number; nick: string; room: string }> {
    const out: Array<{ worker: number; nick: string; room: string }> = [];
    for (const [worker, members] of this.remote) {
      for (const m of members.values()) out.push({ worker, nick: m.nick, room: m.room });
    }
    return out;
  }

  /** Replaces what is known of another worker's members. */
  setRemote(worker: number, list: RemoteMember[]): void {
    this.remote.set(worker, new Map(list.map((m) => [m.nick.toLowerCase(), m])));
  }

  /** Forgets a worker that exited. */
  forgetWorker(worker: number): void {
    this.remote.delete(worker);
  }

  /** Local clients with a nickname. */
  get size(): number {
    return this.nicks.size;
  }

  /** People with a nickname on every worker. */
  online(): number {
    let n = this.nicks.size;
    for (const members of this.remote.values()) n += members.size;
    return n;
  }
}

const EMPTY: ReadonlySet<Client> = new Set();
