/**
 * Signal watchers (libev's ev_signal): process signals, through Node's `process.on(signal)`
 * (captured when @g/ev loaded, natives.ts: a later patch of `process.on` is not used).
 *
 * Rules (libev's, adapted to Node):
 * - Any number of watchers in one loop may watch one signal; all are invoked for each
 *   arrival (arrivals before the loop polls coalesce into one callback per watcher).
 * - A signal belongs to one loop at a time: starting a watcher for a signal another loop
 *   holds throws SignalInUseError naming that loop. The loop gives the signal up when its
 *   last watcher for it stops (or it is destroyed); the signal is shared by every loaded
 *   copy of @g/ev (process-wide registry).
 * - While a watcher is active, Node's default action for the signal (e.g. exiting on SIGINT
 *   or SIGTERM) is replaced by the watcher; when the last one stops, the default returns.
 * - The process listener only marks the watchers ready and schedules one wake-up; the
 *   callbacks run in the loop's iteration (libev: "synchronous" delivery).
 * - `signum` is a number or a name ('SIGUSR2'); SIGKILL and SIGSTOP cannot be watched
 *   (RangeError), unknown signals are a RangeError. Node reserves SIGUSR1 for its
 *   inspector and SIGPIPE/SIGSEGV/SIGBUS/SIGFPE/SIGILL are not useful to watch.
 *   Refused on the virtual clock (UnsupportedError).
 */

import { constants } from 'node:os';
import { SIGNAL } from './constants.js';
import { SignalInUseError } from './errors.js';
import type { Loop } from './loop.js';
import { natives } from './natives.js';
import { EV, type SignalSlot } from './runtime.js';
import { describe, ReadyWatcher, requireOs, type WatcherCallback } from './watcher.js';

const SIGNALS = constants.signals as Record<string, number>;

function resolveSignal(signum: unknown): [number, string] {
  let num: number | undefined;
  let name: string | undefined;
  if (typeof signum === 'string') {
    const key = signum.toUpperCase().startsWith('SIG')
      ? signum.toUpperCase()
      : `SIG${signum.toUpperCase()}`;
    if (Object.hasOwn(SIGNALS, key)) {
      num = SIGNALS[key];
      name = key;
    }
  } else if (typeof signum === 'number' && Number.isInteger(signum)) {
    for (const key of Object.keys(SIGNALS)) {
      if (SIGNALS[key] === signum) {
        num = signum;
        name = key;
        break;
      }
    }
  }
  if (num === undefined || name === undefined) {
    throw new RangeError(
      `signal: unknown signal ${describe(signum)}; use a name such as 'SIGUSR2'`,
    );
  }
  if (name === 'SIGKILL' || name === 'SIGSTOP') {
    throw new RangeError(`signal: ${name} cannot be caught, so it cannot be watched`);
  }
  return [num, name];
}

export class Signal extends ReadyWatcher {
  /** The signal number. */
  readonly signum: number;
  /** The signal name ('SIGUSR2'). */
  readonly signal: string;

  constructor(loop: Loop, signum: number | string) {
    super(loop);
    requireOs(loop, 'signal', 'feed SIGNAL to the watcher yourself with feedEvent()');
    const [num, name] = resolveSignal(signum);
    this.signum = num;
    this.signal = name;
  }

  get kind(): string {
    return 'signal';
  }

  get defaultEvent(): number {
    return SIGNAL;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    const loop = this.loop;
    let slot = EV.signals.get(this.signum);
    if (slot !== undefined && slot.loop !== loop) {
      throw new SignalInUseError(
        `signal ${this.signal} is held by loop "${slot.loop.name}"; a signal can be watched by ` +
          `one loop at a time (libev): stop that loop's ${this.signal} watchers first`,
      );
    }
    let set = loop._signals.get(this.signum);
    if (set === undefined) {
      set = new Set();
      loop._signals.set(this.signum, set);
    }
    if (slot === undefined) {
      const watchers = set;
      const listener = () => {
        for (const w of watchers) w.loop._markReady(w, SIGNAL);
      };
      slot = { loop, listener } satisfies SignalSlot;
      natives.processOn(this.signal, listener);
      EV.signals.set(this.signum, slot);
    }
    set.add(this);
    loop._os.add(this);
    this._activate(1);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    const loop = this.loop;
    const set = loop._signals.get(this.signum);
    set?.delete(this);
    if (set !== undefined && set.size === 0) {
      loop._signals.delete(this.signum);
      const slot = EV.signals.get(this.signum);
      if (slot !== undefined && slot.loop === loop) {
        natives.processRemoveListener(this.signal, slot.listener);
        EV.signals.delete(this.signum);
      }
    }
    loop._os.delete(this);
    this._deactivate();
  }
}
