/**
 * Idle watchers (libev's ev_idle): run when the loop has nothing better to do.
 *
 * Rules (libev's):
 * - While any idle watcher is active the loop never waits (it polls without blocking), so
 *   even a lowest-priority idle watcher keeps the loop spinning.
 * - In each iteration, idle watchers are queued only at the highest priority that has active
 *   idle watchers, and only if nothing of that or a higher priority is pending (prepare,
 *   check and other idle watchers do not count). So a busy higher priority starves lower
 *   idle watchers, and idle watchers of one priority starve lower ones.
 * - Cost: O(1) start/stop; O(number of idle watchers of one priority) per iteration.
 */

import { IDLE } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { Watcher, type WatcherCallback } from './watcher.js';

export class Idle extends Watcher {
  constructor(loop: Loop) {
    super(loop);
  }

  get kind(): string {
    return 'idle';
  }

  get defaultEvent(): number {
    return IDLE;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    const loop = this.loop;
    listStart(loop._idles[this._qi], this);
    loop._idleAll++;
    loop._changed();
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    const loop = this.loop;
    listStop(loop._idles[this._qi], this);
    loop._idleAll--;
  }
}
