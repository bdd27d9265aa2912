/**
 * joinall and killall: wait for, or kill, many greenlets.
 *
 * ```ts
 * yield* joinall(jobs, { timeout: 1 });             // the ones done within 1 s
 * yield* joinall(jobs, { raiseError: true });        // raises the first error to happen
 * yield* killall(jobs);                              // each dies; returns when all are dead
 * ```
 */
import { type Op, trackOp } from '@g/greenlet';
import { checkKillException, Greenlet, killNow } from './greenlet.js';
import { HubGreenlet } from './hub-greenlet.js';
import { iwait, type WaitOptions, wait } from './iwait.js';
import type { OpIterator } from './op-iterator.js';
import { checkSeconds } from './seconds.js';
import { Timeout } from './timeout.js';

export interface JoinallOptions extends WaitOptions {
  /** Raise the first error that happens (in time order), instead of returning. */
  raiseError?: boolean;
}

/**
 * Waits until the greenlets are dead (or `count` of them, or `timeout`); returns the dead
 * ones in the order they died. Duplicates are allowed. With `raiseError`, raises the
 * first error to happen among them as soon as it happens.
 */
export function joinall<G extends Greenlet<any, any>>(
  greenlets: Iterable<G>,
  options: JoinallOptions = {},
): Op<G[]> {
  const list = [...greenlets];
  if (!options.raiseError) return wait(list, options);
  const it = iwait(list, options);
  return trackOp(joinallRaising(it), 'joinall');
}

// Shared generator functions, not a closure per call: V8 gives each fresh generator closure
// its own object map (about 2.5 µs at its first call), which keeps the closure and what it
// holds alive for as long as V8 caches the map.
function* joinallRaising<G extends Greenlet<any, any>>(
  it: OpIterator<G>,
): Generator<unknown, G[], any> {
  const done: G[] = [];
  try {
    for (let r = yield* it.next(); !r.done; r = yield* it.next()) {
      const g = r.value;
      if (g.exception !== null) throw g.exception;
      done.push(g);
    }
  } finally {
    it.close();
  }
  return done;
}

export interface KillallOptions {
  /** What to raise (an Error instance or class; default GreenletExit). */
  exception?: unknown;
  /** Wait until all are dead (default true). */
  block?: boolean;
  /** With block: raise Timeout if some are still alive after this many seconds. */
  timeout?: number | null;
}

/**
 * Kills every greenlet (Greenlets and raw ones): those never run die at once without
 * running; the others get the exception at their wait, then the forced end after the
 * hub's grace period (see Greenlet#kill). With `block` (default) returns when all are
 * dead, or raises Timeout after `timeout` seconds if some survive.
 */
export function killall(greenlets: Iterable<HubGreenlet>, options: KillallOptions = {}): Op<void> {
  const list = [...greenlets];
  for (const g of list) {
    if (!(g instanceof HubGreenlet)) {
      throw new TypeError(
        'killall(greenlets): every item must be a greenlet of @g/hub (spawn/spawnRaw)',
      );
    }
  }
  const timeout = options.timeout ?? null;
  if (timeout !== null) checkSeconds(timeout, 'killall({ timeout })');
  checkKillException(options.exception, 'killall({ exception })');
  const block = options.block ?? true;
  return trackOp(killallBody(list, options.exception, block, timeout), 'killall');
}

function* killallBody(
  list: HubGreenlet[],
  exception: unknown,
  block: boolean,
  timeout: number | null,
): Generator<unknown, void, any> {
  const alive: Greenlet<any, any>[] = [];
  const raw: HubGreenlet[] = [];
  for (const g of list) {
    if (!killNow(g, exception, null)) {
      if (g instanceof Greenlet) alive.push(g);
      else raw.push(g);
    }
  }
  if (!block || (alive.length === 0 && raw.length === 0)) return;
  const done = yield* wait(alive, { timeout });
  if (done.length < new Set(alive).size) throw new Timeout(timeout);
}
