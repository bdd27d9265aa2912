/**
 * threadpool: run CPU-heavy or blocking work in worker threads, waited on cooperatively.
 *
 * ```ts
 * // hash.js: export function sha256(text) { ... }
 * const digest = yield* threadpool.apply(new URL('./hash.js', import.meta.url).href, 'sha256', text);
 * ```
 *
 * A task is `(moduleUrl, exportName, ...args)`: closures cannot cross threads, so the
 * worker imports the module and calls the named export; arguments and results are
 * structured-cloned. The greenlet waits (the hub and other greenlets run); a kill or a
 * Timeout ends the wait and aborts the task if it has not started. The pool is piscina
 * (a well-kept worker pool), created on first use with `maxThreads` (default: the number
 * of CPUs) and shut down with `threadpool.close()`; idle threads do not keep Node alive.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Op, trackOp } from '@g/greenlet';
import { untilBody } from './until-body.js';

export interface ThreadpoolOptions {
  maxThreads?: number;
  minThreads?: number;
  idleTimeout?: number;
}

let pool: any = null;
let poolOptions: ThreadpoolOptions = {};

function workerFile(): string {
  // dist/threadpool-worker.js (ESM) or .cjs, next to this file once built.
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  return here.replace(/index\.(c?js)$/, 'threadpool-worker.$1');
}

async function getPool(): Promise<any> {
  if (pool === null) {
    const { Piscina } = await import('piscina');
    pool = new Piscina({
      filename: workerFile(),
      maxThreads: poolOptions.maxThreads ?? availableParallelism(),
      minThreads: poolOptions.minThreads ?? 0,
      idleTimeout: poolOptions.idleTimeout ?? 1000,
    });
  }
  return pool;
}

function* applyBody(
  moduleUrl: string,
  exportName: string,
  args: unknown[],
): Generator<unknown, any, any> {
  const p = yield* untilBody(getPool());
  const ac = new AbortController();
  try {
    return yield* untilBody(p.run({ moduleUrl, exportName, args }, { signal: ac.signal }));
  } finally {
    ac.abort();
  }
}

export const threadpool = {
  /** Runs `exportName(...args)` of `moduleUrl` in a worker thread; see the module comment. */
  apply<T = unknown>(moduleUrl: string | URL, exportName: string, ...args: unknown[]): Op<T> {
    const url = moduleUrl instanceof URL ? moduleUrl.href : moduleUrl;
    if (typeof url !== 'string' || url.length === 0) {
      throw new TypeError(
        'threadpool.apply(moduleUrl, exportName, ...args): moduleUrl must be a module path or URL',
      );
    }
    if (typeof exportName !== 'string') {
      throw new TypeError(
        'threadpool.apply(moduleUrl, exportName, ...args): exportName must be a string',
      );
    }
    return trackOp(applyBody(url, exportName, args), 'threadpool.apply');
  },

  /** Sets the pool's options (before its first use). */
  configure(options: ThreadpoolOptions): void {
    if (pool !== null)
      throw new Error(
        'threadpool.configure(): the pool is already running; call it before the first apply()',
      );
    poolOptions = { ...options };
  },

  /** Stops the worker threads (tasks in flight are aborted). */
  async close(): Promise<void> {
    const p = pool;
    pool = null;
    if (p !== null) await p.destroy();
  },
};
