/**
 * The HTTP side: the chat page, the live stats page, /stats.json, /metrics and /healthz.
 * Every request runs in its connection's greenlet (HttpServer: one greenlet per
 * connection); the WebSocket at /chat is ws-client.ts.
 *
 * The two pages are read once at startup with @g/monkey's cooperative `readFile` (a
 * `readFileSync` inside a greenlet would stop the hub, and the blocking guard would say so).
 */
import { readFile } from '@g/monkey';
import { HttpError, type HttpHandler } from '@g/net';
import { formatMetrics } from './metrics.js';
import type { Stats } from './stats.js';

export interface Pages {
  index: Buffer;
  stats: Buffer;
}

const PUBLIC = new URL('../public/', import.meta.url);

/** Reads the pages (waits in the greenlet, the hub runs on). */
export function* loadPages(): Generator<unknown, Pages, any> {
  const index = (yield* readFile(new URL('index.html', PUBLIC))) as Buffer;
  const stats = (yield* readFile(new URL('stats.html', PUBLIC))) as Buffer;
  return { index, stats };
}

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' };

/** The request handler of the HttpServer. */
export function webApp(pages: Pages, stats: Stats): HttpHandler {
  return function* (req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `${req.method} is not allowed here: only GET`, { allow: 'GET' });
    }
    switch (req.path) {
      case '/':
      case '/index.html':
        yield* res.send(pages.index, 200, HTML);
        return;
      case '/stats':
        yield* res.send(pages.stats, 200, HTML);
        return;
      case '/stats.json':
        res.setHeader('cache-control', 'no-cache');
        yield* res.json(stats.toJSON());
        return;
      case '/metrics':
        yield* res.send(formatMetrics(stats.workers), 200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'cache-control': 'no-cache',
        });
        return;
      case '/healthz':
        return 'ok\n';
      default:
        throw new HttpError(404, `no page at ${req.path}: try / (chat) or /stats`);
    }
  };
}
