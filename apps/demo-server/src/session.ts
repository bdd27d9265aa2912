/**
 * A chat session: what one connection's greenlet runs, for TCP and WebSocket clients alike.
 *
 * Order of events:
 * 1. The client is registered and its writer greenlet is spawned in a Group scope (a
 *    nursery: however the session ends, the writer is killed and joined with it).
 * 2. The greeting is queued; the session reads the nickname (asking again while it is
 *    taken or invalid), joins `lobby` and tells the room.
 * 3. It reads line after line: commands (`/join`, `/who`, `/me`, `/nick`, `/rooms`,
 *    `/help`, `/quit`) or messages for the room. Each read is under a `Timeout` of
 *    `idleTimeout` seconds: a client silent for longer is told so and closed.
 * 4. It ends on `/quit`, idleness, the end of the connection, a shutdown (the writer closes
 *    the connection after the goodbye, which ends the read) or a drop (a kill). The room is
 *    told why in every case (the `finally`).
 */
import { Greenlet, getcurrent, isGreenletExit, sleep, Timeout } from '@g/hub';
import { isSocketError } from '@g/net';
import { Group } from '@g/sync';
import type { Client } from './broadcast.js';
import type { Chat } from './chat.js';
import { badNick, LOBBY, roomName } from './rooms.js';
import type { Transport } from './transport.js';

/** Longest chat message, in characters; a longer one is cut. */
export const MAX_MESSAGE = 500;

/** Seconds the writer has to send the goodbye before the connection is cut. */
const FLUSH_TIMEOUT = 5;

/** readLine's answer when the client stayed silent too long. */
const IDLE = Symbol('idle');

export const HELP = [
  'Commands:',
  '  /join ROOM    leave this room for ROOM (made if new)',
  '  /who          who is in this room',
  '  /me ACTION    say what you do: * alice waves',
  '  /nick NAME    change your nickname',
  '  /rooms        the rooms and how many are in each',
  '  /quit         leave',
  'Anything else is said to the room.',
].join('\n');

/** The session of one connection; runs in that connection's greenlet. */
export function* chatSession(chat: Chat, transport: Transport): Generator<unknown, void, any> {
  const client = chat.connect(transport);
  const me = getcurrent();
  if (me instanceof Greenlet) client.greenlet = me;
  let reason = 'quit';
  try {
    yield* new Group().scope(function* (group) {
      const writer = yield* group.spawn(writerBody, client);
      if (chat.closing) {
        client.end('the server is shutting down; try again in a moment');
      } else {
        reason = yield* converse(chat, client);
      }
      // Ended by us (quit, idle, shutdown): the writer sends what is queued and the goodbye,
      // then closes. Ended by the peer: nobody reads any more; leaving the scope kills it.
      if (client.ending && !(yield* writer.join(FLUSH_TIMEOUT))) transport.abort();
    });
  } catch (e) {
    if (isGreenletExit(e) || !isSocketError(e)) throw e;
    reason = 'connection lost';
  } finally {
    chat.disconnect(client, client.droppedFor ?? reason);
  }
}

function* writerBody(client: Client): Generator<unknown, void, any> {
  yield* client.writer();
}

/** Steps 2 and 3; returns why the client left (the writer was told with `end`). */
function* converse(chat: Chat, client: Client): Generator<unknown, string, any> {
  const online = chat.rooms.online();
  client.tell({
    type: 'info',
    text:
      `Welcome to g chat${chat.workerId ? ` (worker ${chat.workerId})` : ''}: ` +
      `${online} ${online === 1 ? 'person' : 'people'} here.\n${HELP}\nWhat is your nickname?`,
  });
  for (;;) {
    const line = yield* readLine(chat, client);
    if (line === null) return 'connection closed';
    if (line === IDLE) return idle(chat, client);
    const nick = line.trim().replace(/^\/nick\s+/, '');
    if (nick === '') continue;
    const bad = badNick(nick) ?? (chat.rooms.nickTaken(nick) ? `${nick} is taken` : null);
    if (bad !== null) {
      client.tell({ type: 'error', text: `${bad}; try another nickname:` });
      continue;
    }
    chat.rooms.setNick(client, nick);
    chat.rooms.join(client, LOBBY);
    client.tell({
      type: 'welcome',
      nick,
      room: LOBBY,
      text: `Hello ${nick}, you are in #${LOBBY} (/help for commands).`,
    });
    chat.publish({ type: 'join', room: LOBBY, nick, ts: Date.now() });
    break;
  }
  for (;;) {
    const line = yield* readLine(chat, client);
    if (line === null) return 'connection closed';
    if (line === IDLE) return idle(chat, client);
    if (line.trim() === '') continue;
    if (line.startsWith('/')) {
      if (command(chat, client, line) === 'quit') {
        client.end('bye');
        return 'quit';
      }
      continue;
    }
    chat.counters.received++;
    chat.publish({
      type: 'msg',
      room: client.room!,
      nick: client.nick,
      text: line.slice(0, MAX_MESSAGE),
      ts: Date.now(),
    });
    // Let the writers the broadcast woke run before reading on: a client pasting 1,000
    // lines (read from the buffer without waiting) must not fill everyone's queue.
    yield* sleep(0);
  }
}

/** The next line, null at the end of the connection, IDLE after `idleTimeout` of silence. */
function* readLine(chat: Chat, client: Client): Generator<unknown, string | null | typeof IDLE> {
  // gevent's `with Timeout(idle):` - cancelled when the block is left, however it is left.
  using deadline = Timeout.startNew(chat.idleTimeout);
  try {
    return yield* client.transport.readLine();
  } catch (e) {
    if (e === deadline) return IDLE;
    throw e;
  }
}

function idle(chat: Chat, client: Client): string {
  chat.counters.droppedIdle++;
  client.end(`you were idle for ${chat.idleTimeout} s; bye`);
  return 'idle';
}

/** Runs a command line; returns 'quit' for /quit. Never waits. */
function command(chat: Chat, client: Client, line: string): 'quit' | undefined {
  const m = /^\/(\S+)\s*(.*)$/.exec(line.trim());
  const name = m?.[1]?.toLowerCase() ?? '';
  const arg = (m?.[2] ?? '').trim();
  const room = client.room!;
  switch (name) {
    case 'quit':
    case 'exit':
      return 'quit';
    case 'help':
      client.tell({ type: 'info', text: HELP });
      return;
    case 'who':
      client.tell({ type: 'who', room, nicks: chat.rooms.who(room) });
      return;
    case 'rooms': {
      const list = chat.rooms.list().map(([r, n]) => `#${r} (${n})`);
      client.tell({ type: 'info', text: `rooms: ${list.join(', ')}` });
      return;
    }
    case 'me':
      if (arg === '') {
        client.tell({ type: 'error', text: 'usage: /me ACTION' });
        return;
      }
      chat.counters.received++;
      chat.publish({
        type: 'me',
        room,
        nick: client.nick,
        text: arg.slice(0, MAX_MESSAGE),
        ts: Date.now(),
      });
      return;
    case 'join': {
      const next = roomName(arg);
      if (next === null) {
        client.tell({ type: 'error', text: 'usage: /join ROOM (1-24 of a-z 0-9 _ -)' });
        return;
      }
      if (next === room) {
        client.tell({ type: 'info', text: `you are in #${room} already` });
        return;
      }
      chat.rooms.join(client, next);
      chat.publish({
        type: 'leave',
        room,
        nick: client.nick,
        reason: `to #${next}`,
        ts: Date.now(),
      });
      client.tell({ type: 'welcome', nick: client.nick, room: next, text: `you are in #${next}` });
      chat.publish({ type: 'join', room: next, nick: client.nick, ts: Date.now() });
      return;
    }
    case 'nick': {
      const bad =
        badNick(arg) ??
        (arg.toLowerCase() !== client.nick.toLowerCase() && chat.rooms.nickTaken(arg)
          ? `${arg} is taken`
          : null);
      if (bad !== null) {
        client.tell({ type: 'error', text: bad });
        return;
      }
      const from = client.nick;
      chat.rooms.setNick(client, arg);
      client.tell({ type: 'welcome', nick: arg, room, text: `you are now ${arg}` });
      chat.publish({ type: 'nick', room, from, nick: arg, ts: Date.now() });
      return;
    }
    default:
      client.tell({ type: 'error', text: `unknown command /${name} (try /help)` });
      return;
  }
}
