/**
 * AsyncResult: a value or an error that will be set once (gevent.event.AsyncResult).
 *
 * ```ts
 * const result = new AsyncResult<number>();
 * spawn(function* () { yield* sleep(1); result.set(42); });
 * const v = yield* result.get({ timeout: 5 });   // 42, or Timeout after 5 s
 * greenlet.link(result);                         // a link target: gets g's value or error
 * ```
 *
 * ## Rules
 *
 * - `set(value)` stores the value, `setException(err)` the error; either makes the result
 *   ready and wakes every waiter in the order they began to wait, then calls the links
 *   from the hub. Setting again replaces what is stored (gevent allows it too).
 * - `get({ block, timeout })` returns the value or throws the stored error (the same
 *   object). Not ready: it waits; with `block: false` it throws a Timeout at once; after
 *   `timeout` seconds it throws a Timeout (`timeout` may be a Timeout instance: that one is
 *   raised). `getNowait()` is `get({ block: false })` as a plain call.
 * - `wait(timeout?)` waits until ready and returns the value (undefined when it holds an
 *   error, or after the timeout); it never throws the stored error.
 * - `ready()`, `successful()`, `value`, `exception` read the state without waiting.
 * - As a link target (`greenlet.link(result)`), it takes the greenlet's value, or its
 *   error (`linkValue`/`linkException` filter as usual).
 * - Kills and Timeouts end a wait at once and leave no waiter behind.
 */
import { trackOp } from '@g/greenlet';
import {
  beginWait,
  currentHubGreenlet,
  LINK_TARGET,
  type LinkTarget,
  type Op,
  Timeout,
  toHub,
  type Waitable,
} from '@g/hub';
import { Links } from './links.js';
import { arm, checkTimeout, checkTimeoutOrTimeout, disarm, secondsOf } from './timeouts.js';
import { WaitList } from './wait-list.js';

const UNSET = 0;
const VALUE = 1;
const ERROR = 2;

export interface AsyncResultGetOptions {
  /** Wait until ready (default true); false throws a Timeout at once when not ready. */
  block?: boolean;
  /** Seconds (or a Timeout) after which a Timeout is thrown. */
  timeout?: number | Timeout | null;
}

export class AsyncResult<T = unknown> implements Waitable, LinkTarget {
  private state = UNSET;
  private val: T | undefined = undefined;
  private exc: unknown = null;
  private readonly waiters = new WaitList();
  private readonly links = new Links(this, false);

  /** True once set() or setException() was called. */
  ready(): boolean {
    return this.state !== UNSET;
  }

  /** True when ready with a value. */
  successful(): boolean {
    return this.state === VALUE;
  }

  /** The value, or undefined (not ready, or holding an error). */
  get value(): T | undefined {
    return this.val;
  }

  /** The error, or null (not ready, or holding a value). */
  get exception(): unknown {
    return this.exc;
  }

  /** Stores `value` and wakes the waiters. Never waits. */
  set(value?: T): void {
    this.state = VALUE;
    this.val = value;
    this.exc = null;
    this.notify();
  }

  /** Stores `err`: get() will throw it. Wakes the waiters. Never waits. */
  setException(err: unknown): void {
    this.state = ERROR;
    this.val = undefined;
    this.exc = err;
    this.notify();
  }

  /** The value, or the stored error thrown; waits as needed. See the class comment. */
  get(options?: AsyncResultGetOptions): Op<T> {
    const block = options?.block ?? true;
    const timeout = block ? checkTimeoutOrTimeout(options?.timeout, 'get({ timeout })') : null;
    return trackOp(this.getBody(block, timeout), 'AsyncResult.get');
  }

  /** The value, or the stored error thrown; a Timeout when not ready. A plain call. */
  getNowait(): T {
    if (this.state === VALUE) return this.val as T;
    if (this.state === ERROR) throw this.exc;
    throw new Timeout(0);
  }

  /** Waits until ready; resolves the value (undefined for an error or after the timeout). */
  wait(timeout?: number | null): Op<T | undefined> {
    const t = checkTimeout(timeout, 'AsyncResult.wait(timeout)');
    return trackOp(this.waitBody(t), 'AsyncResult.wait');
  }

  /** Calls `cb(this)` from the hub once ready (at once if it is); once. */
  rawlink(cb: (result: this) => void): void {
    this.links.add(cb, 'AsyncResult');
  }

  /** Removes a rawlink callback not yet called (null and unknown callbacks are ignored). */
  unlink(cb: unknown): void {
    this.links.remove(cb);
  }

  /** Waiting greenlets plus rawlink callbacks. */
  linkcount(): number {
    return this.waiters.length + this.links.size;
  }

  /** Link target protocol: takes a dead greenlet's value or error. */
  [LINK_TARGET](g: { successful(): boolean; value: unknown; exception: unknown }): void {
    if (g.successful()) this.set(g.value as T);
    else this.setException(g.exception);
  }

  toString(): string {
    const s = this.state === UNSET ? 'unset' : this.state === VALUE ? 'value' : 'exception';
    return `<AsyncResult ${s} waiters=${this.waiters.length}>`;
  }

  private notify(): void {
    if (this.waiters.length > 0) this.waiters.wakeAll();
    if (this.links.size > 0) this.links.fire();
  }

  private *getBody(block: boolean, timeout: number | Timeout | null): Generator<unknown, T, any> {
    if (this.state === UNSET) {
      if (!block) throw new Timeout(0);
      const g = currentHubGreenlet('AsyncResult.get()');
      const seq = beginWait(g, 'AsyncResult.get');
      const w = this.waiters.add(g, seq, undefined);
      const t = timeout === null ? null : arm(g, timeout);
      try {
        if ((yield* toHub(g)) !== w) throw new Timeout(secondsOf(timeout!));
      } finally {
        if (timeout !== null) disarm(g, t);
        this.waiters.done(w);
      }
    }
    if (this.state === ERROR) throw this.exc;
    return this.val as T;
  }

  private *waitBody(timeout: number | null): Generator<unknown, T | undefined, any> {
    if (this.state === UNSET) {
      const g = currentHubGreenlet('AsyncResult.wait()');
      const seq = beginWait(g, 'AsyncResult.wait');
      const w = this.waiters.add(g, seq, undefined);
      if (timeout !== null) arm(g, timeout);
      try {
        yield* toHub(g);
      } finally {
        if (timeout !== null) disarm(g, null);
        this.waiters.done(w);
      }
    }
    return this.val;
  }
}
