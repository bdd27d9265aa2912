/**
 * Child watchers (libev's ev_child): the exit of a child process started through Node.
 *
 * Node reaps its children itself and has no waitpid(), so exits are observed on Node's
 * ChildProcess objects:
 *
 * - `loop.child(proc)` with a ChildProcess: its 'exit' is watched directly (an exit that
 *   already happened fires at the next iteration).
 * - `loop.child(pid)` with a pid, or `loop.child(0)` for any child: works for children
 *   started (by spawn, exec, execFile or fork of node:child_process) after child tracking
 *   began, i.e. after the first `defaultLoop()` call or the first child watcher, whichever
 *   came first. Tracking wraps `ChildProcess.prototype.spawn` once per process to note each
 *   new child's exit; it changes nothing else. Children of other origins cannot be seen.
 *
 * When the child exits, every active child watcher for its pid (and every watcher for pid
 * 0) gets `rpid` (the pid) and `rstatus` (a waitpid status: exit code << 8, or the signal
 * number for a child killed by a signal) and is fed CHILD. The watcher is not stopped (a
 * pid-0 watcher goes on seeing further children; libev). `exitCode` and `signalCode` decode
 * `rstatus`. `trace` (stops/continues) is accepted for libev parity but Node reports only
 * exits. Unlike libev, any Node-backend loop may watch children (there is no SIGCHLD to
 * share). Refused on the virtual clock (UnsupportedError).
 */

import { type ChildProcess, ChildProcess as NodeChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { CHILD } from './constants.js';
import type { Loop } from './loop.js';
import { EV } from './runtime.js';
import { describe, ReadyWatcher, requireOs, type WatcherCallback } from './watcher.js';

/** What a child watcher can watch: a ChildProcess, a pid, or 0 for any child. */
export type ChildTarget = ChildProcess | number;

const SIGNALS = constants.signals as Record<string, number>;
const watchedProcs = new WeakSet<object>();

/** The waitpid-style status of an exit reported by Node. */
function statusOf(code: number | null, signal: string | null): number {
  if (signal !== null && signal !== undefined) return (SIGNALS[signal] ?? 0) & 0x7f;
  return ((code ?? 0) & 0xff) << 8;
}

/** Delivers the exit of `pid` to every matching child watcher of every loop. */
function childExited(pid: number, status: number): void {
  for (const w of EV.childWatchers as Set<Child>) {
    if (w._active !== 0 && (w.pid === pid || w.pid === 0)) {
      w.rpid = pid;
      w.rstatus = status;
      w.loop._markReady(w, CHILD);
    }
  }
}

/** Watches `proc`'s exit once (several loaded copies of @g/ev share the marker). */
function watchProc(proc: ChildProcess): void {
  const MARK = Symbol.for('@g/ev.childTracked');
  if (watchedProcs.has(proc) || (proc as any)[MARK] === true) return;
  watchedProcs.add(proc);
  (proc as any)[MARK] = true;
  proc.once('exit', (code, signal) => {
    if (typeof proc.pid === 'number') childExited(proc.pid, statusOf(code, signal));
  });
}

/**
 * Starts tracking children started through node:child_process (once per process): wraps
 * `ChildProcess.prototype.spawn` so that each new child's exit reaches pid watchers.
 */
export function trackChildren(): void {
  if (EV.childTracking) return;
  EV.childTracking = true;
  const proto = NodeChildProcess.prototype as any;
  const original = proto.spawn;
  if (typeof original !== 'function') return;
  proto.spawn = function spawn(this: ChildProcess, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (typeof this.pid === 'number') watchProc(this);
    return result;
  };
}

export class Child extends ReadyWatcher {
  /** The pid watched (0: any child). */
  readonly pid: number;
  /** libev's trace flag; Node reports exits only, so it changes nothing. */
  readonly trace: boolean;
  /** The pid of the child that exited (set before the callback). */
  rpid = 0;
  /** Its waitpid status: exit code << 8, or the signal number (set before the callback). */
  rstatus = 0;
  /** @internal The ChildProcess given, if any. */
  private readonly _proc: ChildProcess | null;

  constructor(loop: Loop, target: ChildTarget, trace = false) {
    super(loop);
    requireOs(loop, 'child', 'feed CHILD to the watcher yourself with feedEvent()');
    trackChildren();
    if (typeof target === 'number') {
      if (!Number.isInteger(target) || target < 0) {
        throw new RangeError(`child: pid must be an integer >= 0 (0 = any child), got ${target}`);
      }
      this.pid = target;
      this._proc = null;
    } else if (
      target !== null &&
      typeof target === 'object' &&
      typeof (target as any).once === 'function' &&
      'exitCode' in target
    ) {
      const pid = target.pid;
      if (typeof pid !== 'number') {
        throw new TypeError('child: the ChildProcess has no pid (it failed to start)');
      }
      this.pid = pid;
      this._proc = target;
      watchProc(target);
    } else {
      throw new TypeError(`child: expected a ChildProcess or a pid (got ${describe(target)})`);
    }
    this.trace = Boolean(trace);
  }

  get kind(): string {
    return 'child';
  }

  get defaultEvent(): number {
    return CHILD;
  }

  /** The exit code from `rstatus`, or null when the child was killed by a signal. */
  get exitCode(): number | null {
    return (this.rstatus & 0x7f) === 0 ? (this.rstatus >> 8) & 0xff : null;
  }

  /** The signal name from `rstatus` ('SIGTERM'), or null when the child exited. */
  get signalCode(): string | null {
    const sig = this.rstatus & 0x7f;
    if (sig === 0) return null;
    for (const name of Object.keys(SIGNALS)) if (SIGNALS[name] === sig) return name;
    return `SIG${sig}`;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    const loop = this.loop;
    (EV.childWatchers as Set<Child>).add(this);
    loop._os.add(this);
    this._activate(1);
    const proc = this._proc;
    if (proc !== null && (proc.exitCode !== null || proc.signalCode !== null)) {
      this.rpid = this.pid;
      this.rstatus = statusOf(proc.exitCode, proc.signalCode);
      loop._markReady(this, CHILD);
    }
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    (EV.childWatchers as Set<Child>).delete(this);
    this.loop._os.delete(this);
    this._deactivate();
  }
}
