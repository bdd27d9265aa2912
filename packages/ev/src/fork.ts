/**
 * Fork watchers (libev's ev_fork): run at the start of the next iteration after
 * `loop.fork()`.
 *
 * Rules: Node has no fork(2) (child_process.fork starts a new process with its own loops),
 * so the only way to make fork watchers fire is `loop.fork()` (libev's ev_loop_fork), which
 * also works on the virtual clock. They run before prepare watchers, in a batch of their own.
 */

import { FORK } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { Watcher, type WatcherCallback } from './watcher.js';

export class Fork extends Watcher {
  constructor(loop: Loop) {
    super(loop);
  }

  get kind(): string {
    return 'fork';
  }

  get defaultEvent(): number {
    return FORK;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    listStart(this.loop._forks, this);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._forks, this);
  }
}
