/**
 * What the chat says to its clients: one event type, two renderings.
 *
 * - A TCP client gets each event as one text line (`[lobby] <alice> hi`); a browser gets
 *   JSON (an array of events per WebSocket message).
 * - A broadcast makes one `Outgoing` and puts that same object in every recipient's queue:
 *   its text line and its JSON are made once, on first use, however many clients get it.
 * - Room events (`msg`, `me`, `join`, `leave`, `nick`) also cross node:cluster workers;
 *   the others go to one client only.
 */

export type RoomEvent =
  | { type: 'msg'; room: string; nick: string; text: string; ts: number }
  | { type: 'me'; room: string; nick: string; text: string; ts: number }
  | { type: 'join'; room: string; nick: string; ts: number }
  | { type: 'leave'; room: string; nick: string; reason: string; ts: number }
  | { type: 'nick'; room: string; from: string; nick: string; ts: number };

export type PrivateEvent =
  /** Server text for this client (help, prompts, lists). */
  | { type: 'info'; text: string }
  /** A command went wrong (bad nickname, unknown command...). */
  | { type: 'error'; text: string }
  /** The nickname was accepted and the client is in `room`. */
  | { type: 'welcome'; nick: string; room: string; text: string }
  /** The answer to /who. */
  | { type: 'who'; room: string; nicks: string[] }
  /** The server ends this session (quit, idle, shutdown); the connection closes next. */
  | { type: 'bye'; text: string };

export type ChatEvent = RoomEvent | PrivateEvent;

/** True for the events that go to a room (and across workers). */
export function isRoomEvent(e: ChatEvent): e is RoomEvent {
  return (
    e.type === 'msg' ||
    e.type === 'me' ||
    e.type === 'join' ||
    e.type === 'leave' ||
    e.type === 'nick'
  );
}

/** The text line a TCP client gets for `e` (without the newline). */
export function toLine(e: ChatEvent): string {
  switch (e.type) {
    case 'msg':
      return `[${e.room}] <${e.nick}> ${e.text}`;
    case 'me':
      return `[${e.room}] * ${e.nick} ${e.text}`;
    case 'join':
      return `[${e.room}] -- ${e.nick} joined`;
    case 'leave':
      return `[${e.room}] -- ${e.nick} left${e.reason ? ` (${e.reason})` : ''}`;
    case 'nick':
      return `[${e.room}] -- ${e.from} is now known as ${e.nick}`;
    case 'info':
      return e.text;
    case 'error':
      return `! ${e.text}`;
    case 'welcome':
      return e.text;
    case 'who':
      return `[${e.room}] ${e.nicks.length} here: ${e.nicks.join(', ')}`;
    case 'bye':
      return `-- ${e.text}`;
  }
}

/** One event on its way to one or many clients; renders itself once per format. */
export class Outgoing {
  private _line: string | null = null;
  private _json: string | null = null;

  constructor(readonly event: ChatEvent) {}

  /** The text line with its `\n` (TCP). */
  get line(): string {
    if (this._line === null) this._line = `${toLine(this.event)}\n`;
    return this._line;
  }

  /** The JSON text (WebSocket). */
  get json(): string {
    if (this._json === null) this._json = JSON.stringify(this.event);
    return this._json;
  }
}
