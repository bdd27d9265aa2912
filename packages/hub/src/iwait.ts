/**
 * iwait and wait: wait for any of several objects to become ready.
 *
 * ```ts
 * for (const it = iwait([g1, g2, event]), r = ...; ) ...
 * const ready = yield* wait([g1, g2], { timeout: 5, count: 1 });   // first one ready
 * ```
 *
 * The objects are Waitables (protocols.ts): Greenlet, and @g/sync's Event, AsyncResult,
 * Semaphore, Queue... They are yielded in the order they became ready (objects ready
 * already come first, in list order). `count` stops after that many; `timeout` (seconds,
 * for the whole iteration) stops early. `close()` unlinks from the objects not yet ready.
 */
import { type Op, trackOp } from '@g/greenlet';
import type { HubGreenlet } from './hub-greenlet.js';
import { asyncIteratorOf, type OpIterator } from './op-iterator.js';
import type { Waitable } from './protocols.js';
import { defaultHub, getHub } from './registry.js';
import { checkSeconds } from './seconds.js';
import { armWaitTimer, disarmWaitTimer, TIMED_OUT } from './wait-timer.js';
import { beginWait, current, toHub, wake } from './waiting.js';

export interface WaitOptions {
  /** Seconds for the whole wait; null or undefined: no limit. */
  timeout?: number | null;
  /** Stop after this many objects are ready. */
  count?: number | null;
}

class IWait<T extends Waitable> implements OpIterator<T> {
  /** The distinct objects linked and not arrived yet (close() unlinks them). */
  private readonly objects: Set<T> | T[];
  /** Objects linked and not reported ready yet. */
  private pending = 0;
  private readonly ready: T[] = [];
  private readyHead = 0;
  private readonly limit: number;
  private yielded = 0;
  private waiter: HubGreenlet | null = null;
  private seq = 0;
  private deadline: number | null = null;
  private closed = false;
  private readonly timeout: number | null;
  private readonly onReady = (obj: T) => {
    if (this.closed) return;
    // Each object counts once, even if it calls back again.
    const objs = this.objects;
    if (Array.isArray(objs)) {
      const i = objs.indexOf(obj);
      if (i < 0) return;
      objs.splice(i, 1);
    } else if (!objs.delete(obj)) return;
    this.pending--;
    this.ready.push(obj);
    const w = this.waiter;
    if (w !== null) wake(w, this.seq);
  };

  constructor(objects: Iterable<T>, options: WaitOptions) {
    const list = Array.isArray(objects) ? (objects as T[]) : [...objects];
    for (let i = 0; i < list.length; i++) {
      const o = list[i] as any;
      if (o === null || typeof o !== 'object' || typeof o.rawlink !== 'function') {
        throw new TypeError(
          'iwait/wait: every object must be waitable (rawlink/unlink/ready), e.g. a Greenlet or an Event',
        );
      }
    }
    // Duplicates count once. A list of one or two needs no Set.
    let distinct: Set<T> | T[];
    if (list.length <= 2)
      distinct = list.length === 2 && list[0] === list[1] ? [list[0]!] : list.slice();
    else distinct = new Set(list);
    this.objects = distinct;
    this.limit = options.count ?? (Array.isArray(distinct) ? distinct.length : distinct.size);
    let readyAtOnce = 0;
    for (const o of distinct) {
      if (o.ready()) {
        this.ready.push(o);
        readyAtOnce++;
      } else {
        this.pending++;
        o.rawlink(this.onReady);
      }
    }
    if (readyAtOnce > 0) {
      // Not linked: they never arrive.
      if (Array.isArray(distinct)) {
        for (let i = distinct.length - 1; i >= 0; i--)
          if (this.ready.includes(distinct[i]!)) distinct.splice(i, 1);
      } else {
        for (const o of this.ready) distinct.delete(o);
      }
    }
    this.timeout = options.timeout ?? null;
  }

  next(): Op<IteratorResult<T, undefined>> {
    return trackOp(this.nextBody(), 'iwait.next');
  }

  private *nextBody(): Generator<unknown, IteratorResult<T, undefined>, any> {
    if (this.yielded >= this.limit || this.closed) return this.finish();
    if (this.readyHead === this.ready.length) {
      if (this.pending === 0) return this.finish();
      const g = current('iwait().next()');
      const loop = g._hub.loop;
      if (this.timeout !== null && this.deadline === null) {
        loop.nowUpdate();
        this.deadline = loop.now() + this.timeout;
      }
      this.seq = beginWait(g, 'iwait');
      this.waiter = g;
      if (this.deadline !== null) armWaitTimer(g, Math.max(0, this.deadline - loop.now()));
      try {
        const v = yield* toHub(g);
        if (v === TIMED_OUT && this.readyHead === this.ready.length) return this.finish();
      } finally {
        this.waiter = null;
        if (this.deadline !== null) disarmWaitTimer(g);
      }
      if (this.readyHead === this.ready.length) return this.finish();
    }
    this.yielded++;
    const value = this.ready[this.readyHead]!;
    this.ready[this.readyHead++] = undefined as unknown as T;
    if (this.readyHead === this.ready.length) this.ready.length = this.readyHead = 0;
    if (this.yielded >= this.limit) this.close();
    return { done: false, value };
  }

  private finish(): IteratorResult<T, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending > 0) {
      for (const o of this.objects) o.unlink(this.onReady);
      this.pending = 0;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return asyncIteratorOf(this, (op) => defaultHub().run(op) as any);
  }
}

/** Yields the objects as they become ready. See the module comment. */
export function iwait<T extends Waitable>(
  objects: Iterable<T>,
  options: WaitOptions = {},
): OpIterator<T> {
  checkOptions(options, 'iwait');
  return new IWait(objects, options);
}

/**
 * Waits until `count` (default all) of the objects are ready, or `timeout`; returns the
 * ready ones in the order they became ready. Without objects: waits until the hub has
 * nothing else to do (gevent's `wait()`), returning false on timeout.
 */
export function wait<T extends Waitable>(objects: Iterable<T>, options?: WaitOptions): Op<T[]>;
export function wait(objects?: null, options?: WaitOptions): Op<boolean>;
export function wait<T extends Waitable>(
  objects?: Iterable<T> | null,
  options: WaitOptions = {},
): Op<T[] | boolean> {
  checkOptions(options, 'wait');
  if (objects === undefined || objects === null)
    return trackOp(waitIdleBody(options.timeout ?? null), 'wait');
  const it = new IWait(objects, options);
  return trackOp(waitBody(it), 'wait');
}

function* waitBody<T extends Waitable>(it: IWait<T>): Generator<unknown, T[], any> {
  const out: T[] = [];
  try {
    for (let r = yield* it.next(); !r.done; r = yield* it.next()) out.push(r.value);
  } finally {
    it.close();
  }
  return out;
}

function* waitIdleBody(timeout: number | null): Generator<unknown, boolean, any> {
  const g = current('wait()');
  const hub = getHub();
  const seq = beginWait(g, 'wait (hub idle)');
  const done = () => wake(g, seq, true);
  hub._idleWaiters.push(done);
  if (timeout !== null) armWaitTimer(g, timeout, false);
  try {
    return (yield* toHub(g)) === true;
  } finally {
    if (timeout !== null) disarmWaitTimer(g);
    const i = hub._idleWaiters.indexOf(done);
    if (i >= 0) hub._idleWaiters.splice(i, 1);
  }
}

function checkOptions(options: WaitOptions, what: string): void {
  if (options.timeout !== undefined && options.timeout !== null)
    checkSeconds(options.timeout, `${what}({ timeout })`);
  const c = options.count;
  if (c !== undefined && c !== null && (!Number.isInteger(c) || c < 0)) {
    throw new RangeError(
      `${what}({ count }): count must be a non-negative integer, got ${String(c)}`,
    );
  }
}
