/**
 * TCP clients: gevent's classic line protocol (`nc 127.0.0.1 8081`).
 *
 * The StreamServer runs `tcpHandler` in a new greenlet for every connection, in the chat's
 * Pool (`spawn: pool`): at most `maxClients` at once; past that, connections wait, paused,
 * in the server's backlog (gevent's StreamServer(spawn=Pool(n))).
 */
import type { Op } from '@g/greenlet';
import type { Socket, StreamHandler } from '@g/net';
import type { Chat } from './chat.js';
import type { Outgoing } from './events.js';
import { chatSession } from './session.js';
import { cleanLine, MAX_LINE, type Transport } from './transport.js';

export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  readonly peer: string;

  constructor(
    readonly sock: Socket,
    address: [string, number],
  ) {
    this.peer = `${address[0]}:${address[1]}`;
  }

  readLine(): Op<string | null> {
    return readLineBody(this.sock);
  }

  write(batch: readonly Outgoing[]): Op<void> {
    let text = '';
    for (const o of batch) text += o.line;
    // Waits for 'drain' when the peer does not read: the writer stops, the queue fills.
    return this.sock.sendall(text);
  }

  close(): void {
    // A half-close: what was written (the goodbye last) goes out, then FIN; the session goes
    // on reading until the peer closes its side. Closing outright while the peer still sends
    // would leave unread input, and the kernel would answer with a reset, which can discard
    // what the peer had not read yet: the goodbye among it.
    try {
      this.sock.shutdown('write');
    } catch {
      this.sock.close(); // already closed: nothing more to send
    }
  }

  abort(): void {
    this.sock.abort();
  }
}

function* readLineBody(sock: Socket): Generator<unknown, string | null, any> {
  const line = yield* sock.readline(MAX_LINE);
  if (line.length === 0) return null; // the peer closed
  return cleanLine(line.toString('utf8'));
}

/** The StreamServer handler: one greenlet per connection runs the chat session. */
export function tcpHandler(chat: Chat): StreamHandler {
  return function* (sock, address) {
    yield* chatSession(chat, new TcpTransport(sock, address));
  };
}
