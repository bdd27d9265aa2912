/**
 * Cleanup watchers (libev's ev_cleanup): run when the loop is destroyed.
 *
 * Rules (libev's): `loop.destroy()` invokes every active cleanup watcher (through the
 * invoke-pending step) before it stops the remaining watchers. A cleanup watcher holds no
 * reference on the loop (it never keeps `run()` going; its `ref` setting changes nothing).
 * Its callback may use the loop, except to start more cleanup watchers.
 */

import { CLEANUP } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { F_NEVER_REF, Watcher, type WatcherCallback } from './watcher.js';

export class Cleanup extends Watcher {
  constructor(loop: Loop) {
    super(loop);
    this._flags |= F_NEVER_REF;
  }

  get kind(): string {
    return 'cleanup';
  }

  get defaultEvent(): number {
    return CLEANUP;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    listStart(this.loop._cleanups, this);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._cleanups, this);
  }
}
