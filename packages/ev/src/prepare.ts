/**
 * Prepare watchers (libev's ev_prepare): run at the start of every iteration, before the
 * loop polls (and possibly waits).
 *
 * Rules (libev's): all active prepare watchers are queued and invoked in a batch of their
 * own, before anything polled in that iteration. Starting an idle watcher or feeding events
 * from a prepare callback is taken into account (the loop then does not wait). Do not call
 * `run` or `fork` of the same loop from it. Prepare and check watchers bracket the poll:
 * one check invocation follows each prepare invocation (unless `break` ended the run in
 * between). Cost: O(number of prepare watchers) per iteration.
 */

import { PREPARE } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { Watcher, type WatcherCallback } from './watcher.js';

export class Prepare extends Watcher {
  constructor(loop: Loop) {
    super(loop);
  }

  get kind(): string {
    return 'prepare';
  }

  get defaultEvent(): number {
    return PREPARE;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    listStart(this.loop._prepares, this);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._prepares, this);
  }
}
