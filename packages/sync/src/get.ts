/**
 * The get() shared by Queue, its subclasses and Channel, and their iterators.
 *
 * A source offers `_tryGet()` (an item taken at once, or NONE) and a line of waiting
 * getters. A get that finds nothing waits in that line; whoever puts hands it the item
 * (see WaitList). Shutdown wakes the line with ShutDown; an iterator's close() wakes its
 * own waiting get with CLOSED.
 */
import { beginWait, currentHubGreenlet, type Timeout, toHub } from '@g/hub';
import { Empty, ShutDown } from './errors.js';
import type { Names } from './names.js';
import { arm, disarm } from './timeouts.js';
import type { Waiter, WaitList } from './wait-list.js';
import { PENDING, WaitOp } from './wait-op.js';

/** @internal what a queue or channel offers to get(). */
export interface Source<T> {
  readonly _n: Names;
  _tryGet(): T | typeof NONE;
  readonly _getters: WaitList;
  _isShut(): boolean;
}

/** What `_tryGet` returns when there is nothing to take. */
export const NONE: unique symbol = Symbol('none') as any;

/** @internal the ShutDown error of `what` on queue `q`. */
export function shutDown(q: object, what: string): ShutDown {
  return new ShutDown(`${q.constructor.name}: ${what} after shutdown() (the queue is shut down)`);
}

/** What a waiting get is woken with when its iterator is closed. */
export const CLOSED: unique symbol = Symbol('closed') as any;

/**
 * @internal the body of get() for queues and channels. `holder` (an iterator) gets the
 * waiter while the get waits, so that close() can end it with CLOSED.
 */
export function* getBody<T>(
  q: Source<T>,
  block: boolean,
  timeout: number | Timeout | null,
  holder: { waiting: Waiter | null } | null,
): Generator<unknown, T, any> {
  const x = q._tryGet();
  if (x !== NONE) return x;
  if (q._isShut()) throw shutDown(q, 'get');
  if (!block) throw new Empty();
  const g = currentHubGreenlet(q._n['get()']!);
  const seq = beginWait(g, 'Queue.get');
  const w = q._getters.add(g, seq, undefined);
  const t = timeout === null ? null : arm(g, timeout);
  if (holder !== null) holder.waiting = w;
  try {
    const v = yield* toHub(g);
    if (v === w) return w.value as T;
    if (v === CLOSED) return CLOSED as T;
    throw new Empty();
  } finally {
    if (holder !== null) holder.waiting = null;
    if (timeout !== null) disarm(g, t);
    q._getters.done(w);
  }
}

/** get() without options (see WaitOp): an item at once, else a getter in line. */
export class GetOp<T> extends WaitOp<T> {
  private w: Waiter | null = null;

  constructor(private readonly q: Source<T>) {
    super();
  }

  protected start(): T | typeof PENDING {
    const q = this.q;
    const x = q._tryGet();
    if (x !== NONE) return x;
    if (q._isShut()) throw shutDown(q, 'get');
    const g = currentHubGreenlet(q._n['get()']!);
    this.w = q._getters.add(g, beginWait(g, 'Queue.get'), undefined);
    this.suspend(g);
    return PENDING;
  }

  protected resumed(v: unknown): T {
    const w = this.w!;
    if (v === w) return w.value as T;
    throw new Empty();
  }

  protected cleanup(): void {
    this.q._getters.done(this.w!);
    this.w = null;
  }
}
