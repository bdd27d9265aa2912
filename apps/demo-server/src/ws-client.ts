/**
 * Browser clients: a WebSocket at `/chat` on the HTTP server, running the same session as
 * TCP clients (text lines in, JSON events out).
 *
 * The HTTP server runs every connection in a greenlet of its own pool; an upgraded
 * connection's greenlet then joins the chat's Pool (`add(..., { blocking: false })`), so
 * TCP and browser clients share one limit. A browser arriving while the chat is full is
 * told so and closed (code 1013, "try again later") rather than left waiting.
 */
import type { Op } from '@g/greenlet';
import { Greenlet, getcurrent } from '@g/hub';
import type { HttpRequest, WebSocket, WebSocketHandler } from '@g/net';
import { type Pool, PoolFull } from '@g/sync';
import type { Chat } from './chat.js';
import type { Outgoing } from './events.js';
import { chatSession } from './session.js';
import { cleanLine, MAX_LINE, type Transport } from './transport.js';

export class WsTransport implements Transport {
  readonly kind = 'ws';
  readonly peer: string;

  constructor(
    readonly ws: WebSocket,
    req: HttpRequest,
  ) {
    this.peer = `${req.remoteAddress}:${req.remotePort}`;
  }

  readLine(): Op<string | null> {
    return readLineBody(this.ws);
  }

  write(batch: readonly Outgoing[]): Op<void> {
    let text = '[';
    for (let i = 0; i < batch.length; i++) text += (i === 0 ? '' : ',') + batch[i]!.json;
    // Waits while ws's send buffer is above its high-water mark (a browser not reading).
    return this.ws.send(`${text}]`);
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }

  abort(): void {
    this.ws.terminate();
  }
}

function* readLineBody(ws: WebSocket): Generator<unknown, string | null, any> {
  for (;;) {
    const m = yield* ws.recv();
    if (m === null) return null;
    const text = typeof m === 'string' ? m : m.toString('utf8');
    return cleanLine(text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text);
  }
}

/** The HttpServer's `websocket` handler. */
export function wsHandler(chat: Chat, pool: Pool): WebSocketHandler {
  return function* (ws, req) {
    if (req.path !== '/chat') {
      ws.close(1008, 'the chat is at /chat');
      return;
    }
    const me = getcurrent();
    if (me instanceof Greenlet) {
      try {
        yield* pool.add(me, { blocking: false });
      } catch (e) {
        if (!(e instanceof PoolFull)) throw e;
        yield* ws.send(
          JSON.stringify([{ type: 'bye', text: 'the chat is full; try again later' }]),
        );
        ws.close(1013, 'the chat is full');
        return;
      }
    }
    yield* chatSession(chat, new WsTransport(ws, req));
  };
}
