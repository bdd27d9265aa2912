/**
 * Async watchers (libev's ev_async): a wake-up that any code, or another thread, can send.
 *
 * Rules (libev's):
 * - `send()` sets the watcher's "sent" flag and wakes the loop; the loop's next poll clears
 *   the flag and feeds ASYNC. Sends coalesce: many sends before the loop notices give one
 *   callback ("level-triggered"); nothing is queued: bring your own queue for data.
 * - `pending` is true from a `send()` until the callback has been invoked (libev's
 *   ev_async_pending plus the queued state).
 * - Starting an async watcher clears its flag (libev); sends to an inactive watcher set the
 *   flag and are noticed once it is started and polled.
 *
 * From a Worker thread: `remote()` makes an `AsyncRemote` (a SharedArrayBuffer flag and a
 * MessagePort); transfer it to the worker (`new Worker(file, { workerData: r,
 * transferList: [r.port] })`) and call `new AsyncSender(r).send()` there. The flag is shared
 * memory (Atomics), so concurrent sends coalesce; only a send that flips the flag from 0 to 1
 * posts a message, so a burst costs one message per loop iteration at most. Nothing polls:
 * the message wakes the loop. The loop's ports are unref'd: they never keep the process
 * alive by themselves (an active watcher does, through the loop).
 */

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ASYNC } from './constants.js';
import { listStart, listStop } from './list.js';
import type { Loop } from './loop.js';
import { describe, ReadyWatcher, type WatcherCallback } from './watcher.js';

/** What a Worker needs to send to an async watcher; transfer `port` with it. */
export interface AsyncRemote {
  /** 4 bytes of shared memory: the "sent" flag. */
  readonly buffer: SharedArrayBuffer;
  /** The worker's end of the wake-up channel. */
  readonly port: MessagePort;
}

export class Async extends ReadyWatcher {
  /** @internal The sent flag (index 0), shared with senders in other threads. */
  _flag: Int32Array;
  /** @internal The loop's ends of the channels made by remote(). */
  private _ports: MessagePort[] = [];

  constructor(loop: Loop) {
    super(loop);
    this._flag = new Int32Array(new SharedArrayBuffer(4));
  }

  get kind(): string {
    return 'async';
  }

  get defaultEvent(): number {
    return ASYNC;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    Atomics.store(this._flag, 0, 0);
    listStart(this.loop._asyncs, this);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    listStop(this.loop._asyncs, this);
  }

  /**
   * Wakes the loop and makes it invoke this watcher (libev's ev_async_send). Safe from any
   * code, including other watchers' callbacks and Node listeners; it never invokes anything
   * itself. Sends before the loop notices coalesce into one callback.
   */
  send(): void {
    if (Atomics.exchange(this._flag, 0, 1) === 0) this.loop._markReady(this, ASYNC);
  }

  /** True from `send()` until the callback has been invoked. */
  override get pending(): boolean {
    return this._pending !== 0 || Atomics.load(this._flag, 0) !== 0;
  }

  /**
   * A handle for another thread: transfer it to a Worker and call `new AsyncSender(remote)
   * .send()` there. Each call makes a new channel (one per worker); `close()` closes them.
   */
  remote(): AsyncRemote {
    const channel = new MessageChannel();
    const mine = channel.port1;
    mine.on('message', () => this.loop._markReady(this, ASYNC));
    mine.unref();
    this._ports.push(mine);
    return { buffer: this._flag.buffer as SharedArrayBuffer, port: channel.port2 };
  }

  /** @internal Poll step: take the flag; feed ASYNC if it was set. */
  _collect(): void {
    if (Atomics.load(this._flag, 0) !== 0 && Atomics.exchange(this._flag, 0, 0) !== 0) {
      this.loop._feed(this, ASYNC);
    }
  }

  /** @internal A send was not yet collected. */
  _sent(): boolean {
    return Atomics.load(this._flag, 0) !== 0;
  }

  /** @internal The flag is collected for every active async at each poll. */
  override _onReady(_bits: number): void {}

  /** @internal */
  override _release(): void {
    for (const port of this._ports) port.close();
    this._ports.length = 0;
  }
}

/**
 * The sending side of an async watcher, for use in another thread (or the same one):
 * `new AsyncSender(remote).send()`. Construct it from the `AsyncRemote` the watcher's
 * `remote()` returned, after transferring it.
 */
export class AsyncSender {
  private readonly flag: Int32Array;
  private readonly port: MessagePort;

  constructor(remote: AsyncRemote) {
    if (
      remote === null ||
      typeof remote !== 'object' ||
      !(remote.buffer instanceof SharedArrayBuffer) ||
      remote.buffer.byteLength < 4 ||
      typeof remote.port?.postMessage !== 'function'
    ) {
      throw new TypeError(
        `AsyncSender needs the object returned by asyncWatcher.remote() (transferred with its ` +
          `port), got ${describe(remote)}`,
      );
    }
    this.flag = new Int32Array(remote.buffer, 0, 1);
    this.port = remote.port;
  }

  /**
   * Sets the shared flag; only the send that sets it from 0 to 1 posts a wake-up message,
   * so a burst of sends costs one message until the loop has noticed.
   */
  send(): void {
    if (Atomics.exchange(this.flag, 0, 1) === 0) this.port.postMessage(0);
  }

  /** True while a send has not been noticed by the loop yet. */
  get pending(): boolean {
    return Atomics.load(this.flag, 0) !== 0;
  }

  /** Closes this side's port (further sends only set the flag). */
  close(): void {
    this.port.close();
  }
}
