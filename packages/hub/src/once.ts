/**
 * once: wait in a greenlet for an EventEmitter's (or EventTarget's) event.
 *
 * ```ts
 * const [chunk] = yield* once(stream, 'data', { timeout: 5 });
 * ```
 *
 * Resolves with the event's arguments. An 'error' event raises its error (unless the
 * event waited for is 'error'). With `timeout`, raises Timeout after that many seconds.
 * The listeners are removed however the wait ends (event, error, timeout, kill). While it
 * waits, the emitter holds the loop like a referenced watcher (`ref: false` to not).
 * The listener itself never switches: it only queues the wake-up.
 */
import { type Op, trackOp } from '@g/greenlet';
import { checkSeconds } from './seconds.js';
import { Timeout } from './timeout.js';
import { armWaitTimer, disarmWaitTimer, TIMED_OUT } from './wait-timer.js';
import { beginWait, current, toHub, wake, wakeThrow } from './waiting.js';

export interface OnceOptions {
  timeout?: number | null;
  ref?: boolean;
}

interface Emitterish {
  on?(event: string | symbol, fn: (...args: any[]) => void): unknown;
  off?(event: string | symbol, fn: (...args: any[]) => void): unknown;
  removeListener?(event: string | symbol, fn: (...args: any[]) => void): unknown;
  addEventListener?(event: string, fn: (ev: any) => void): unknown;
  removeEventListener?(event: string, fn: (ev: any) => void): unknown;
}

export function once(
  emitter: Emitterish,
  event: string | symbol,
  options: OnceOptions = {},
): Op<any[]> {
  const isEmitter =
    emitter !== null && typeof emitter === 'object' && typeof emitter.on === 'function';
  const isTarget =
    emitter !== null &&
    typeof emitter === 'object' &&
    typeof emitter.addEventListener === 'function';
  if (!isEmitter && !isTarget) {
    throw new TypeError('once(emitter, event): emitter must be an EventEmitter or an EventTarget');
  }
  const timeout = options.timeout ?? null;
  if (timeout !== null) checkSeconds(timeout, 'once({ timeout })');
  return trackOp(onceBody(emitter, event, timeout, options.ref ?? true, isEmitter), 'once');
}

function* onceBody(
  emitter: Emitterish,
  event: string | symbol,
  timeout: number | null,
  ref: boolean,
  isEmitter: boolean,
): Generator<unknown, any[], any> {
  const g = current('once()');
  const seq = beginWait(g, `once(${String(event)})`);
  const release = ref ? g._hub.loop.externalWait() : noop;
  const onEvent = (...args: any[]) => {
    wake(g, seq, args);
  };
  const onError = (err: unknown) => {
    wakeThrow(g, seq, err);
  };
  const off = (ev: string | symbol, fn: (...a: any[]) => void) => {
    if (isEmitter) (emitter.off ?? emitter.removeListener)!.call(emitter, ev, fn);
    else emitter.removeEventListener!(ev as string, fn);
  };
  if (isEmitter) {
    emitter.on!(event, onEvent);
    if (event !== 'error') emitter.on!('error', onError);
  } else {
    emitter.addEventListener!(event as string, onEvent);
  }
  if (timeout !== null) armWaitTimer(g, timeout);
  try {
    const v = yield* toHub(g);
    if (v === TIMED_OUT) throw new Timeout(timeout);
    return v;
  } finally {
    if (timeout !== null) disarmWaitTimer(g);
    off(event, onEvent);
    if (isEmitter && event !== 'error') off('error', onError);
    release();
  }
}

function noop(): void {}
