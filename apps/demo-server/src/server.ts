/**
 * The servers of one process (the only one, or one node:cluster worker), from start to a
 * drained shutdown.
 *
 * Order:
 * 1. Read the pages; make the chat Pool (`maxClients`: each worker has its own), the TCP
 *    StreamServer (`spawn: pool`) and the HttpServer (its own pool, a bit larger, so the
 *    pages and /metrics still load when the chat is full); start both.
 * 2. Start the background greenlets in a Group scope: the stats sampler and, under
 *    node:cluster, the relay to and from the primary. Print the startup lines (a single
 *    process) or tell the primary (a worker).
 * 3. Wait for a shutdown (SIGINT, SIGTERM, or the primary's message), then drain: close
 *    both ports, tell every client, give their writers `shutdownTimeout` seconds to flush
 *    (`pool.join({ timeout })`), kill what is left, stop the servers. Returns the exit code.
 */
import cluster from 'node:cluster';
import { isLoop } from '@g/ev';
import { getHub } from '@g/hub';
import { HttpServer, isSocketError, StreamServer } from '@g/net';
import { Group, Pool } from '@g/sync';
import { Chat } from './chat.js';
import { WorkerLink } from './cluster.js';
import type { Config } from './config.js';
import { Shutdown } from './shutdown.js';
import { Stats } from './stats.js';
import { tcpHandler } from './tcp-client.js';
import { loadPages, webApp } from './web.js';
import { wsHandler } from './ws-client.js';

export interface ServeOptions {
  /** Called once both servers listen (a single process prints the startup lines). */
  onListening?: (port: number, tcpPort: number) => void;
  /** Log lines (startup, drops, shutdown). */
  log?: (line: string) => void;
  /** Run as a node:cluster worker (messages cross workers through the primary). */
  worker?: boolean;
}

/** HTTP connections allowed beyond the chat's own (page loads, /stats polling). */
const HTTP_EXTRA = 100;

/** Largest WebSocket message a browser may send, in bytes (ws closes with 1009 past it). */
const WS_MAX_PAYLOAD = 16 * 1024;

export function* serve(
  config: Config,
  options: ServeOptions = {},
): Generator<unknown, number, any> {
  const log = options.log ?? (() => {});
  const hub = getHub();
  const loop = hub.loop;
  if (!isLoop(loop)) throw new TypeError('serve(): the hub must run on an @g/ev loop');

  // Each worker has its own Pool: Node's primary hands connections out in turn without
  // knowing how full a worker is, so a share of a total could turn clients away (or hold
  // them) while another worker has room.
  const perWorker = config.maxClients;
  const workerId = options.worker ? (cluster.worker?.id ?? 0) : 0;
  const chat = new Chat(
    config.queueSize,
    config.idleTimeout > 0 ? config.idleTimeout : null,
    workerId,
  );
  const pool = new Pool(perWorker);
  const background = new Group();
  const shutdown = new Shutdown(log);
  const pages = yield* loadPages();

  const tcp = new StreamServer([config.host, config.tcpPort], tcpHandler(chat), {
    spawn: pool,
    backlog: config.backlog,
  });
  let http: HttpServer | null = null;
  const stats = new Stats(
    () => ({
      // connections' greenlets + one writer per client + background + the two acceptors
      // + this main greenlet
      greenlets:
        tcp.handlerCount +
        (http?.handlerCount ?? 0) +
        chat.clients.size +
        background.length +
        (tcp.started ? 1 : 0) +
        (http?.started ? 1 : 0) +
        1,
      tcp: chat.count('tcp'),
      ws: chat.count('ws'),
      httpConnections: http?.connectionCount ?? 0,
      tcpQueued: tcp.queued,
      tcpRefused: tcp.dropped,
      received: chat.counters.received,
      delivered: chat.counters.delivered,
      droppedSlow: chat.counters.droppedSlow,
      droppedIdle: chat.counters.droppedIdle,
      sessions: chat.counters.sessions,
    }),
    workerId,
  );
  const link = options.worker ? new WorkerLink(chat, stats, shutdown) : null;
  chat.sink = link;
  http = new HttpServer([config.host, config.port], webApp(pages, stats), {
    spawn: perWorker + HTTP_EXTRA,
    websocket: wsHandler(chat, pool),
    websocketOptions: { maxPayload: WS_MAX_PAYLOAD },
    headersTimeout: 10,
    requestTimeout: 30,
  });

  shutdown.watch(loop);
  try {
    yield* http.start();
    yield* tcp.start();
  } catch (e) {
    shutdown.unwatch();
    if (!isSocketError(e)) throw e;
    http.close();
    tcp.close();
    log(
      `cannot listen: ${e.message}. Another program has the port: choose others with ` +
        '--port N --tcp-port N (0 lets the system pick free ones).',
    );
    return 1;
  }
  stats.watchLoop(loop);

  yield* background.scope(function* (bg) {
    yield* bg.spawn(samplerBody, stats);
    if (link !== null) {
      yield* bg.spawn(senderBody, link);
      yield* bg.spawn(receiverBody, link);
      link.announce(http.serverPort!, tcp.serverPort!);
    }
    options.onListening?.(http.serverPort!, tcp.serverPort!);

    yield* shutdown.requested.wait();
    const t = config.shutdownTimeout;
    log(
      `${shutdown.reason}: shutting down: ports closed, telling ${chat.clients.size} ` +
        `clients, draining for up to ${t} s`,
    );
    tcp.close(); // stop accepting; connections still queued are dropped
    http.close(); // idle keep-alive connections close; requests in progress finish
    chat.endAll('the server is shutting down; bye');
    if (!(yield* pool.join({ timeout: t }))) {
      log(`${pool.length} clients did not drain within ${t} s: cutting them`);
      yield* pool.kill({ timeout: 1 });
    }
    yield* tcp.stop(1);
    yield* http.stop(1);
    stats.stop();
    shutdown.unwatch();
    const c = chat.counters;
    log(
      `stopped: ${c.sessions} sessions, ${c.received} messages received, ${c.delivered} ` +
        `events delivered, ${c.droppedSlow} slow and ${c.droppedIdle} idle clients dropped`,
    );
  });
  return 0;
}

function* samplerBody(stats: Stats): Generator<unknown, void, any> {
  yield* stats.sampler();
}

function* senderBody(link: WorkerLink): Generator<unknown, void, any> {
  yield* link.sender();
}

function* receiverBody(link: WorkerLink): Generator<unknown, void, any> {
  yield* link.receiver();
}
