/**
 * imap and imapUnordered: map a function over a stream of items in a Group or Pool, and
 * read the results as a stream (gevent's Group.imap / imap_unordered).
 *
 * ```ts
 * const it = pool.imap(fetch, urls);             // an OpIterator
 * for (let r; !(r = yield* it.next()).done; ) save(r.value);
 * for await (const page of pool.imap(fetch, urls)) save(page);   // from async code
 * ```
 *
 * ## Rules
 *
 * - A feeder greenlet (started at once, not a member) takes the items one by one and
 *   spawns `fn(item)` in the group for each: in a Pool, at most `size` calls run at once
 *   (the feeder waits for a slot). `items` is an Iterable, or an OpIterator such as
 *   `queue.iter()` whose `next()` may wait; it may be endless.
 * - `imap` yields the results in the order of the items; `imapUnordered` in the order the
 *   calls finish. A call that throws makes `next()` throw that error at its place; the
 *   iteration goes on after it. An error thrown by `items` itself is thrown by `next()`
 *   after the results of the items before it, and ends the iteration.
 * - **Bounded.** `maxsize` bounds the calls spawned and not yet consumed (running, or
 *   finished and waiting for `next()`): the feeder takes the next item only while fewer
 *   than `maxsize + (number of next() calls)` were spawned, as gevent's `maxsize`. The
 *   default is `2 * size` for a Pool and no bound for a Group or an unlimited Pool (as
 *   gevent); pass `maxsize: null` for no bound. So a slow reader over an endless source
 *   holds at most that many results.
 * - `close()` ends the iteration: the feeder is killed, calls still running are killed
 *   (without waiting), and a waiting `next()` returns done. Leaving a `for await` early
 *   closes it. `group.kill()` closes the group's running imaps first.
 * - `map(fn, items)` is imap collected into an array; its first error closes the
 *   iteration (killing the calls still running) and is thrown.
 *
 * Costs: per item one member greenlet (spawn, start, death notice) plus O(1) bookkeeping;
 * the reader switches only when no result is ready.
 */
import { getcurrent, type Op, trackOp } from '@g/greenlet';
import {
  asyncIteratorOf,
  beginWait,
  currentHubGreenlet,
  defaultHub,
  type Greenlet,
  type Hub,
  type HubGreenlet,
  hubOf,
  isGreenletExit,
  type OpIterator,
  type ResultOf,
  spawn,
  toHub,
  wake,
} from '@g/hub';
import type { Group } from './group.js';
import { Fifo } from './store.js';
import { describe } from './timeouts.js';

export interface IMapOptions {
  /** Calls spawned and not yet consumed, at most (see the module comment). */
  maxsize?: number | null;
}

/** What imap/map read items from. */
export type MapSource<A> = Iterable<A> | OpIterator<A>;

const NONE = Symbol('none');
const DONE: IteratorResult<any, undefined> = Object.freeze({ done: true, value: undefined });

class Failure {
  constructor(readonly error: unknown) {}
}

export class IMap<A, R> implements OpIterator<ResultOf<R>> {
  private readonly ordered: boolean;
  private readonly maxsize: number;
  private readonly byIndex: Map<number, unknown> | null;
  private readonly fifo: Fifo<unknown> | null;
  private readonly workers = new Set<Greenlet<any, any>>();
  private readonly hub: Hub;
  private readonly feeder: Greenlet<void, any>;
  private spawned = 0;
  private delivered = 0;
  private nextCalls = 0;
  private feedDone = false;
  private feedError: unknown = NONE;
  private closed = false;
  private reader: HubGreenlet | null = null;
  private readerSeq = 0;
  private feederWaiting: HubGreenlet | null = null;
  private feederSeq = 0;

  constructor(
    private readonly group: Group,
    private readonly fn: (item: A) => R,
    source: MapSource<A>,
    ordered: boolean,
    options: IMapOptions | undefined,
    what: string,
  ) {
    if (typeof fn !== 'function') {
      throw new TypeError(`${what}(fn, items): fn must be a function, got ${describe(fn)}`);
    }
    const isIterable = source !== null && typeof (source as any)?.[Symbol.iterator] === 'function';
    const isOpIterator =
      !isIterable &&
      source !== null &&
      typeof source === 'object' &&
      typeof (source as any).next === 'function' &&
      typeof (source as any).close === 'function';
    if (!isIterable && !isOpIterator) {
      throw new TypeError(
        `${what}(fn, items): items must be an Iterable or an OpIterator (queue.iter()), got ${describe(source)}`,
      );
    }
    this.ordered = ordered;
    this.maxsize = checkMaxsize(options, group);
    this.byIndex = ordered ? new Map() : null;
    this.fifo = ordered ? null : new Fifo();
    this.hub = hubOf(getcurrent()) ?? defaultHub();
    group._feeders.add(this);
    this.feeder = spawn(feed, this as IMap<any, any>, source, isOpIterator);
  }

  next(): Op<IteratorResult<ResultOf<R>, undefined>> {
    return trackOp(this.nextBody(), 'imap().next');
  }

  /** Ends the iteration; see the module comment. Never waits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.group._feeders.delete(this);
    if (!this.feeder.dead) this.feeder[Symbol.dispose]();
    for (const w of this.workers) this.group._shoot(w, undefined);
    this.workers.clear();
    this.byIndex?.clear();
    this.wakeReader();
  }

  [Symbol.asyncIterator](): AsyncIterator<ResultOf<R>> {
    return asyncIteratorOf(this, (op) => this.hub.run(op) as Promise<any>);
  }

  /** @internal the body of map(): all results, in order. */
  *collect(): Generator<unknown, ResultOf<R>[], any> {
    const out: ResultOf<R>[] = [];
    try {
      for (;;) {
        const r = yield* this.nextBody();
        if (r.done) return out;
        out.push(r.value);
      }
    } finally {
      this.close();
    }
  }

  /** @internal */
  _isClosed(): boolean {
    return this.closed;
  }

  /** @internal the feeder may spawn another call. */
  _allowed(): boolean {
    return this.spawned - this.nextCalls < this.maxsize;
  }

  /** @internal the feeder waits until _allowed() (or close). */
  *_waitAllowed(): Generator<unknown, void, any> {
    while (!this.closed && !this._allowed()) {
      const g = currentHubGreenlet('imap feeder');
      this.feederSeq = beginWait(g, 'imap maxsize');
      this.feederWaiting = g;
      try {
        yield* toHub(g);
      } finally {
        this.feederWaiting = null;
      }
    }
  }

  /** @internal spawns the call for one item. */
  *_spawnOne(item: A): Generator<unknown, void, any> {
    const g = yield* this.group._spawnBody(this.fn as (a: A) => R, [item]);
    if (this.closed) {
      this.group._shoot(g, undefined);
      return;
    }
    const index = this.spawned++;
    this.workers.add(g);
    g.rawlink((done: Greenlet<any, any>) => this.onResult(index, done));
  }

  /** @internal the feeder ended (normally, or with the source's error). */
  _fed(error: unknown): void {
    this.feedDone = true;
    if (error !== NONE && !isGreenletExit(error)) this.feedError = error;
    this.wakeReader();
  }

  private onResult(index: number, g: Greenlet<any, any>): void {
    if (this.closed) return;
    this.workers.delete(g);
    const v = g.exception !== null ? new Failure(g.exception) : g.value;
    if (this.ordered) this.byIndex!.set(index, v);
    else this.fifo!.push(v);
    this.wakeReader();
  }

  private wakeReader(): void {
    const r = this.reader;
    if (r !== null) {
      this.reader = null;
      wake(r, this.readerSeq);
    }
  }

  private *nextBody(): Generator<unknown, IteratorResult<ResultOf<R>, undefined>, any> {
    if (this.closed) return DONE;
    this.nextCalls++;
    const fw = this.feederWaiting;
    if (fw !== null && this._allowed()) {
      this.feederWaiting = null;
      wake(fw, this.feederSeq);
    }
    for (;;) {
      let v: unknown = NONE;
      if (this.ordered) {
        const m = this.byIndex!;
        if (m.has(this.delivered)) {
          v = m.get(this.delivered);
          m.delete(this.delivered);
        }
      } else if (this.fifo!.size > 0) {
        v = this.fifo!.take();
      }
      if (v !== NONE) {
        this.delivered++;
        if (v instanceof Failure) throw v.error;
        return { done: false, value: v as ResultOf<R> };
      }
      if (this.feedDone && this.delivered === this.spawned) {
        const e = this.feedError;
        this.feedError = NONE;
        this.close();
        if (e !== NONE) throw e;
        return DONE;
      }
      const g = currentHubGreenlet('imap().next()');
      this.readerSeq = beginWait(g, 'imap');
      this.reader = g;
      try {
        yield* toHub(g);
      } finally {
        this.reader = null;
      }
      if (this.closed) return DONE;
    }
  }
}

/** The feeder greenlet's body. */
function* feed(
  m: IMap<any, any>,
  source: MapSource<unknown>,
  isOpIterator: boolean,
): Generator<unknown, void, any> {
  let error: unknown = NONE;
  try {
    if (isOpIterator) {
      const it = source as OpIterator<unknown>;
      try {
        while (!m._isClosed()) {
          if (!m._allowed()) yield* m._waitAllowed();
          const r = yield* it.next();
          if (r.done) break;
          yield* m._spawnOne(r.value);
        }
      } finally {
        it.close();
      }
    } else {
      for (const item of source as Iterable<unknown>) {
        if (m._isClosed()) break;
        if (!m._allowed()) yield* m._waitAllowed();
        yield* m._spawnOne(item);
      }
    }
  } catch (e) {
    error = e;
  } finally {
    m._fed(error);
  }
}

function checkMaxsize(options: IMapOptions | undefined, group: Group): number {
  if (options !== undefined && 'maxsize' in options) {
    const n = options.maxsize;
    if (n === null || n === undefined) return Infinity;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`imap({ maxsize }) must be an integer >= 1 or null, got ${String(n)}`);
    }
    return n;
  }
  const size = (group as any).size as number | null | undefined;
  return typeof size === 'number' ? Math.max(1, 2 * size) : Infinity;
}
