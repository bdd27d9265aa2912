/**
 * Check watchers (libev's ev_check): run at the end of every iteration, right after the
 * poll (after the loop waited).
 *
 * Rules (libev's): check watchers are queued after timers, periodics and idle watchers, so
 * within one priority they are invoked first (LIFO queue). Use priority MAXPRI to run before
 * everything polled (libev's advice for coroutine integration). Cost: O(number of check
 * watchers) per iteration.
 */

import { CHECK } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { Watcher, type WatcherCallback } from './watcher.js';

export class Check extends Watcher {
  constructor(loop: Loop) {
    super(loop);
  }

  get kind(): string {
    return 'check';
  }

  get defaultEvent(): number {
    return CHECK;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    listStart(this.loop._checks, this);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._checks, this);
  }
}
