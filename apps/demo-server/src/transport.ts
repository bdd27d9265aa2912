/**
 * What a chat session needs from a connection, whatever it runs over (TCP lines or a
 * WebSocket): read a line, write a batch of events, close. tcp-client.ts and ws-client.ts
 * implement it; session.ts uses nothing else, so both kinds of client run the same code.
 */
import type { Op } from '@g/greenlet';
import type { Outgoing } from './events.js';

export interface Transport {
  readonly kind: 'tcp' | 'ws';
  /** `host:port` of the peer, for logs. */
  readonly peer: string;
  /**
   * The next line the client sent (without its line end), or null once the connection is
   * closed. Waits; raises a SocketError if the connection fails.
   */
  readLine(): Op<string | null>;
  /**
   * Sends a batch of events (one write). Waits while the peer does not read (the socket's
   * buffer is above its high-water mark): this is what makes a slow client's queue fill.
   */
  write(batch: readonly Outgoing[]): Op<void>;
  /** Sends what was written, then closes (a plain call: never waits). */
  close(): void;
  /** Closes at once, dropping what was not sent (a slow client). */
  abort(): void;
}

/** Longest line a client may send, in bytes; a longer one is cut into pieces. */
export const MAX_LINE = 2048;

/** A client's line as text: UTF-8, line end and control characters removed. */
export function cleanLine(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return raw.replace(/\r?\n$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}
