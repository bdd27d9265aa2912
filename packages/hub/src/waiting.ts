/**
 * How a greenlet waits and how it is woken: the protocol every blocking Op of g uses.
 *
 * A hub-managed greenlet waits in three steps:
 *
 * 1. `const seq = beginWait(g, 'what')` opens a wait. Each wait has a new sequence number.
 *    Throws at once if a kill or a Timeout is already due for this greenlet.
 * 2. It registers wake-ups (a timer, a link, a promise reaction) that remember `(g, seq)`,
 *    and switches to the hub with `yield* toHub(g)`.
 * 3. One wake-up wins: `wake(g, seq, value)` (or `wakeThrow`) puts the greenlet on the hub's
 *    run queue and *claims* the wait; every later wake-up for the same wait, or for an older
 *    one, returns false and does nothing. The hub resumes the greenlet with the value (or
 *    raises the error) where it switched out; the Op then unregisters what it registered.
 *
 * A wake-up that returns false must not consume anything: a queue keeps its item, a
 * semaphore its permit, for the next waiter. A wake-up that returns true is certain to be
 * delivered: the value reaches the greenlet even if it is killed meanwhile, and the kill
 * is raised at its next wait (see `requestThrow`).
 *
 * Kills and Timeouts (`requestThrow`) raise their error at the wait the greenlet is in if
 * it is open and unclaimed (or in `sleep(0)`, whose own queued wake-up a throw preempts, as
 * in gevent); otherwise (the greenlet is running, or a wake-up is already on its way) the
 * error is kept and raised at the greenlet's next `beginWait`. A Timeout cancelled before
 * that withdraws its error (`withdrawThrow`).
 *
 * Where wake-ups run: a wake-up made by a watcher callback (a timer, I/O) is delivered right
 * after that callback, before the next pending one; one made elsewhere (a promise reaction,
 * an emitter listener, another greenlet) goes to the end of the run queue. `wake` never
 * switches and may be called from anywhere, a greenlet body included.
 *
 * A greenlet whose kill escalated (`forceEnd`) is answered at every later wait with its
 * generator's `return()`: `finally` blocks run, no `catch` sees it, and no code after a
 * `yield*` that was unwound runs.
 *
 * Costs: a wait is a handful of field writes plus the switch to the hub and back; no
 * allocation in the protocol itself.
 */
import { getcurrent, type Op } from '@g/greenlet';
import { BlockingSwitchOutError } from './errors.js';
import { type HubGreenlet, rare } from './hub-greenlet.js';
import { RETURN, THROW, WAKE } from './run-queue.js';

/** `_wstate`: not in a hub wait (running, unstarted, dead, or switched away raw). */
export const W_NONE = 0;
/** `_wstate`: in a wait, no wake-up claimed yet. */
export const W_OPEN = 1;
/** `_wstate`: a wake-up is on the run queue. */
export const W_CLAIMED = 2;
/**
 * `_wstate`: in `sleep(0)`, its own wake-up queued. No other wake-up is accepted, but a
 * kill or a Timeout still preempts it (as in gevent, where sleep(0) is a queued callback
 * and a throw that comes first wins): the queued wake-up is then stale.
 */
export const W_YIELD = 3;

/**
 * `sleep(0)`: queue `g`'s own wake-up at wait `seq` (a preemptible claim, W_YIELD). Does
 * nothing if the wait is already claimed (a forced end).
 */
export function yieldWait(g: HubGreenlet, seq: number): void {
  if (g._wstate !== W_OPEN) return;
  g._wstate = W_YIELD;
  g._hub._push(WAKE, g, undefined, seq);
}

/**
 * The running greenlet as a hub greenlet, or a BlockingSwitchOutError naming `what`.
 * Called at the start of every blocking Op's body.
 */
export function current(what: string): HubGreenlet {
  const g = getcurrent() as HubGreenlet;
  if (g._hub === undefined) {
    throw blockingError(g, what);
  }
  if ((g as unknown) === g._hub) {
    throw new BlockingSwitchOutError(
      `${what}: impossible to call a blocking function in the event loop callback (this code ` +
        'runs in the hub: a watcher, link or run() callback). Spawn a greenlet for work that ' +
        'waits: spawn(function* () { ... }).',
    );
  }
  return g;
}

function blockingError(g: unknown, what: string): BlockingSwitchOutError {
  if (g === undefined || (g as any).isMain) {
    return new BlockingSwitchOutError(
      `${what} can only wait inside a greenlet. From async code run it with a hub: ` +
        '`await run(op)` or `await run(function* () { ... })`.',
    );
  }
  return new BlockingSwitchOutError(
    `${what}: ${String(g)} belongs to no hub, so nothing could wake it. Start greenlets ` +
      'that wait with spawn() or run() from @g/hub.',
  );
}

/** Opens a wait of `g` (see the module comment) and returns its sequence number. */
export function beginWait(g: HubGreenlet, what: string): number {
  const seq = ++g._seq;
  const r = g._rare;
  if (r !== null) {
    if (r.forceEnd) {
      g._waitingOn = what;
      g._wstate = W_CLAIMED;
      g._hub._push(RETURN, g, undefined, seq);
      return seq;
    }
    const throws = r.throws;
    if (throws !== null) {
      const err = throws.shift();
      if (throws.length === 0) r.throws = null;
      throw err;
    }
  }
  g._waitingOn = what;
  g._wstate = W_OPEN;
  return seq;
}

/** Resumes `g` at wait `seq` with `value`, unless that wait is over or claimed. */
export function wake(g: HubGreenlet, seq: number, value?: unknown): boolean {
  if (g._seq !== seq || g._wstate !== W_OPEN) return false;
  g._wstate = W_CLAIMED;
  g._hub._push(WAKE, g, value, seq);
  return true;
}

/** Raises `err` in `g` at wait `seq`, unless that wait is over or claimed. */
export function wakeThrow(g: HubGreenlet, seq: number, err: unknown): boolean {
  if (g._seq !== seq || g._wstate !== W_OPEN) return false;
  g._wstate = W_CLAIMED;
  g._hub._push(THROW, g, err, seq);
  return true;
}

/** True while `g`'s wait `seq` is open and unclaimed (a wake-up would be accepted). */
export function isWaiting(g: HubGreenlet, seq: number): boolean {
  return g._seq === seq && g._wstate === W_OPEN;
}

/**
 * Raises `err` in `g` at its current wait if it is open, else at its next one. Used by
 * kill() and Timeout; never switches.
 */
export function requestThrow(g: HubGreenlet, err: unknown): void {
  if (g._state === 2 /* DEAD */) return;
  const ws = g._wstate;
  if (ws === W_OPEN || ws === W_YIELD) {
    // A sleep(0) wake-up already queued becomes stale (new sequence number).
    const seq = ws === W_YIELD ? ++g._seq : g._seq;
    g._wstate = W_CLAIMED;
    g._hub._push(THROW, g, err, seq);
    return;
  }
  const r = rare(g);
  if (r.throws === null) r.throws = [err];
  else r.throws.push(err);
}

/** Withdraws an error of requestThrow that has not been raised yet; true if it was. */
export function withdrawThrow(g: HubGreenlet, err: unknown): boolean {
  const r = g._rare;
  const throws = r === null ? null : r.throws;
  if (throws === null) return false;
  const i = throws.indexOf(err);
  if (i < 0) return false;
  throws.splice(i, 1);
  if (throws.length === 0) r!.throws = null;
  return true;
}

/**
 * Escalates a kill: from now on every wait of `g` is answered with the generator's
 * `return()`, starting with the current one if it is open.
 */
export function forceEnd(g: HubGreenlet): void {
  if (g._state === 2 /* DEAD */) return;
  rare(g).forceEnd = true;
  const ws = g._wstate;
  if (ws === W_OPEN || ws === W_YIELD) {
    const seq = ws === W_YIELD ? ++g._seq : g._seq;
    g._wstate = W_CLAIMED;
    g._hub._push(RETURN, g, undefined, seq);
  }
}

/** The Op that switches `g` to its hub; its value is what the wake-up carried. */
export function toHub(g: HubGreenlet): Op<any> {
  return g._hub._switchOp();
}
