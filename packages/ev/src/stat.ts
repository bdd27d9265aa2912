/**
 * Stat watchers (libev's ev_stat): changes of a path's attributes.
 *
 * Rules (libev's):
 * - `start()` reads the path's attributes at once (synchronously, like libev's lstat), so
 *   only later changes are reported.
 * - The path is then polled every `interval` seconds (0 = libev's default, 5.0074891 s;
 *   non-zero values below 0.1074891 s are raised to it) with an asynchronous lstat. The
 *   polling timer is an internal timer of the loop (no extra Node timer; it holds no
 *   reference of its own: the stat watcher does).
 * - When any of dev, ino, mode, nlink, uid, gid, rdev, size, atime, mtime, ctime differs
 *   from the last reading, `prev` becomes the old reading, `attr` the new one, and the
 *   watcher is fed STAT. A path that does not exist reads as all zeros (`nlink` 0); an
 *   existing one always has `nlink` >= 1. Times are seconds with fractions (Node gives
 *   sub-second precision, so rapid changes are less often hidden than with libev's whole
 *   seconds).
 * - `stat()` refreshes `attr` now, synchronously (libev's ev_stat_stat).
 *
 * Refused on the virtual clock (UnsupportedError).
 */

import { lstat, lstatSync, type Stats } from 'node:fs';
import { STAT } from './constants.js';
import { WatcherStateError } from './errors.js';
import type { Loop } from './loop.js';
import { Timer } from './timer.js';
import {
  checkTime,
  describe,
  F_INTERNAL,
  PRI_SHIFT,
  ReadyWatcher,
  requireOs,
  type WatcherCallback,
} from './watcher.js';

/** libev's DEF_STAT_INTERVAL (seconds). */
export const DEFAULT_STAT_INTERVAL = 5.0074891;
/** libev's MIN_STAT_INTERVAL (seconds). */
export const MIN_STAT_INTERVAL = 0.1074891;

/** A path's attributes as a stat watcher compares them (libev's ev_statdata fields). */
export interface StatAttr {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  /** 0 when the path does not exist. */
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly atime: number;
  readonly mtime: number;
  readonly ctime: number;
}

const MISSING: StatAttr = Object.freeze({
  dev: 0,
  ino: 0,
  mode: 0,
  nlink: 0,
  uid: 0,
  gid: 0,
  rdev: 0,
  size: 0,
  atime: 0,
  mtime: 0,
  ctime: 0,
});

function toAttr(st: Stats | undefined | null): StatAttr {
  if (st === undefined || st === null) return MISSING;
  return Object.freeze({
    dev: st.dev,
    ino: st.ino,
    mode: st.mode,
    nlink: st.nlink > 0 ? st.nlink : 1,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    size: st.size,
    atime: st.atimeMs / 1000,
    mtime: st.mtimeMs / 1000,
    ctime: st.ctimeMs / 1000,
  });
}

function differs(a: StatAttr, b: StatAttr): boolean {
  return (
    a.dev !== b.dev ||
    a.ino !== b.ino ||
    a.mode !== b.mode ||
    a.nlink !== b.nlink ||
    a.uid !== b.uid ||
    a.gid !== b.gid ||
    a.rdev !== b.rdev ||
    a.size !== b.size ||
    a.atime !== b.atime ||
    a.mtime !== b.mtime ||
    a.ctime !== b.ctime
  );
}

function readSync(path: string): StatAttr {
  try {
    return toAttr(lstatSync(path));
  } catch {
    return MISSING;
  }
}

export class Stat extends ReadyWatcher {
  /** The watched path. */
  readonly path: string;
  /** The latest reading. */
  attr: StatAttr = MISSING;
  /** The reading before the latest change. */
  prev: StatAttr = MISSING;
  /** @internal */
  private _interval: number;
  /** @internal The polling timer. */
  private readonly _timer: Timer;
  /** @internal An lstat is in flight. */
  private _busy = false;
  /** @internal Bumped at each start/stop, to drop results of an older run. */
  private _gen = 0;

  constructor(loop: Loop, path: string, interval = 0) {
    super(loop);
    requireOs(loop, 'stat', 'feed STAT to the watcher yourself with feedEvent()');
    if (typeof path !== 'string' || path.length === 0) {
      throw new TypeError(`stat: path must be a non-empty string (got ${describe(path)})`);
    }
    this.path = path;
    this._interval = normalizeInterval(checkTime(interval, 'stat: interval', false));
    const timer = new Timer(loop, 0, this._interval);
    timer._flags |= F_INTERNAL;
    timer.ref = false;
    timer.callback = () => this._poll();
    this._timer = timer;
  }

  get kind(): string {
    return 'stat';
  }

  get defaultEvent(): number {
    return STAT;
  }

  /** The polling interval in effect (seconds). */
  get interval(): number {
    return this._interval;
  }

  /** libev's ev_stat_set: a new interval (path is fixed); only while inactive. */
  set(interval: number): void {
    if (this._active !== 0) {
      throw new WatcherStateError('stat.set(): the watcher is active; stop() it first');
    }
    this._interval = normalizeInterval(checkTime(interval, 'stat: interval', false));
  }

  /** Reads the path's attributes into `attr` now (synchronous; libev's ev_stat_stat). */
  stat(): StatAttr {
    this.attr = readSync(this.path);
    return this.attr;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    this.attr = readSync(this.path);
    this._gen++;
    const timer = this._timer;
    timer._flags = (timer._flags & ~(7 << PRI_SHIFT)) | (this._flags & (7 << PRI_SHIFT));
    timer.set(this._interval, this._interval);
    timer.start();
    this.loop._os.add(this);
    this._activate(1);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    this._gen++;
    this._timer.stop();
    this.loop._os.delete(this);
    this._deactivate();
  }

  /** @internal Timer tick: one asynchronous lstat at a time. */
  private _poll(): void {
    if (this._busy || this._active === 0) return;
    this._busy = true;
    const gen = this._gen;
    lstat(this.path, (err, st) => {
      this._busy = false;
      if (gen !== this._gen || this._active === 0) return;
      const attr = err ? MISSING : toAttr(st);
      if (differs(attr, this.attr)) {
        this.prev = this.attr;
        this.attr = attr;
        this.loop._markReady(this, STAT);
      }
    });
  }
}

function normalizeInterval(interval: number): number {
  if (interval === 0) return DEFAULT_STAT_INTERVAL;
  return Math.max(interval, MIN_STAT_INTERVAL);
}
