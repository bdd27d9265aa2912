/**
 * Embed watchers (libev's ev_embed): one loop driven from inside another.
 *
 * Rules:
 * - While active, each poll of the embedding loop checks whether the embedded loop (`other`)
 *   may have work (pending watchers, backend events, a due timer or periodic); if so the
 *   embed watcher is fed EMBED. Its callback should call `sweep()` (= `other.run(NOWAIT)`);
 *   it is invoked again at every iteration until the sweep happened (libev). Started without
 *   a callback, the watcher sweeps by itself (`Embed.autoSweep`).
 * - The embedding loop's waits include the embedded loop: its backend events wake the
 *   embedding loop, and its earliest deadline bounds the wait. (libev only embeds io
 *   watchers; here timers and every other kind of the embedded loop work as well.)
 * - `loop.fork()` on the embedding loop is passed on to the embedded loop.
 * - Both loops must have the same backend; a loop can be embedded in one loop at a time and
 *   not in itself (TypeError / WatcherStateError). On the virtual clock, time moves in the
 *   embedded loop by the same amount as in the embedding one.
 * - There is no OS side: the embed watcher works on both backends.
 */

import { EMBED, NOWAIT } from './constants.js';
import { WatcherStateError } from './errors.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { describe, LOOP_BRAND, Watcher, type WatcherCallback } from './watcher.js';

export class Embed extends Watcher {
  /** The embedded loop. */
  readonly other: Loop;

  constructor(loop: Loop, other: Loop) {
    super(loop);
    if (other === null || typeof other !== 'object' || (other as any)[LOOP_BRAND] !== true) {
      throw new TypeError(`embed: the loop to embed must be a Loop (got ${describe(other)})`);
    }
    if (other === loop) throw new TypeError('embed: a loop cannot embed itself');
    if (other.backend !== loop.backend) {
      throw new TypeError(
        `embed: cannot embed a '${other.backend}' loop in a '${loop.backend}' loop; both ` +
          `must use the same backend`,
      );
    }
    this.other = other;
  }

  get kind(): string {
    return 'embed';
  }

  get defaultEvent(): number {
    return EMBED;
  }

  /** The callback used when none is given: sweeps the embedded loop. */
  static autoSweep(w: Embed): void {
    w.sweep();
  }

  /** Starts watching; without any callback the embedded loop is swept automatically. */
  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (this.callback === null) this.callback = Embed.autoSweep as WatcherCallback<this>;
    if (!this._startable()) this._cannotStart();
    const other = this.other;
    other._usable('embed');
    if (other._embeddedBy !== null && other._embeddedBy !== this) {
      throw new WatcherStateError(
        `embed: loop "${other.name}" is already embedded in loop "${other._embeddedBy.loop.name}"; ` +
          `stop that embed watcher first`,
      );
    }
    let outer: Loop | null = this.loop;
    while (outer !== null) {
      if (outer === other)
        throw new WatcherStateError('embed: embedding would make a cycle of loops');
      outer = outer._embeddedBy?.loop ?? null;
    }
    other._embeddedBy = this;
    listStart(this.loop._embeds, this);
    this.loop._changed();
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._embeds, this);
    if (this.other._embeddedBy === this) this.other._embeddedBy = null;
  }

  /** Runs the embedded loop once without waiting (libev's ev_embed_sweep). */
  sweep(): void {
    if (!this.other._destroyed) this.other.run(NOWAIT);
  }
}
