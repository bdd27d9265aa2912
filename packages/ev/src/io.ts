/**
 * Io watchers (libev's ev_io): readiness of a Node stream, socket or server.
 *
 * JavaScript has no readiness API for file descriptors, so readiness is defined on Node's
 * objects, level-triggered like libev (the watcher fires at every iteration while the
 * condition holds; stop it, or consume, to make it quiet):
 *
 * - **READ** on a readable stream (net.Socket, a child's stdout pipe, any stream.Readable):
 *   data is buffered, or the end of the stream (or an error, or destruction) was reached.
 *   Nothing is consumed: the watcher only looks; the callback reads (`stream.read()`).
 *   Starting a READ watcher adds a 'readable' listener, which puts the stream in paused mode
 *   and makes Node buffer up to its highWaterMark (as a kernel buffer would).
 * - **WRITE** on a writable stream: writable (connected, not ended) and its buffer is under
 *   its writableHighWaterMark; also when it was destroyed or failed (the write then reports
 *   the error, as a write on a broken fd would).
 * - **READ** on a net.Server: a connection is waiting to be accepted; `io.accept()` takes
 *   it (a net.Socket, or null). While a READ watcher is active the server's connections are
 *   queued for accept(); do not also consume the server's 'connection' events yourself.
 * - **Raw file descriptors** (numbers: a pipe, FIFO, socket, tty, eventfd... that Node does
 *   not itself watch): READ = data, end of file or an error pending; WRITE = room to write
 *   or an error; through a native helper over libuv's uv_poll, shipped prebuilt for
 *   linux-x64 (fd.ts has its rules: one poll handle per fd, referenced while a referenced
 *   watcher needs it, closed with the last watcher; the fd becomes non-blocking; an fd
 *   closed under an active watcher stops it with ERROR | READ | WRITE). Where the helper
 *   cannot load, `loop.io(fd, ...)` throws UnsupportedError naming the platform and the way
 *   out: wrap the fd, `new net.Socket({ fd })`, and watch that. `rawFdSupport()` tells
 *   which case applies. Starting a watcher on an fd Node already watches (EEXIST), or on a
 *   regular file (EPERM), throws an EvError and leaves the watcher inactive.
 *
 * Listeners installed on the stream only mark the watcher ready and schedule one wake-up;
 * the poll step re-checks the condition and feeds the watcher. Any number of watchers
 * (in any number of loops) may watch one stream; they share one set of listeners, removed
 * when the last watcher stops. Refused on the virtual clock (UnsupportedError).
 */

import { errorMonitor } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ERROR, READ, WRITE } from './constants.js';
import { WatcherStateError } from './errors.js';
import { fdAttach, fdDetach, fdReadiness, fdUpdate, requireHelper } from './fd.js';
import type { Loop } from './loop.js';
import { describe, ReadyWatcher, requireOs, type WatcherCallback } from './watcher.js';

/** What an io watcher can watch. */
export type IoTarget = Readable | Writable | Server | number;

/** Listeners and state shared by every watcher of one stream or server. */
interface Source {
  readonly target: any;
  readonly server: boolean;
  readonly watchers: Set<Io>;
  /** Active watchers that want READ / WRITE (listeners are installed while > 0). */
  readers: number;
  writers: number;
  /** The end of the stream was seen (a 'readable' with nothing buffered, or 'end'). */
  eof: boolean;
  /** Server: accepted connections not yet taken by accept(). */
  readonly accepted: Socket[];
  readonly onRead: () => void;
  readonly onWrite: () => void;
  readonly onAny: () => void;
  readonly onConnection: (socket: Socket) => void;
}

const sources = new WeakMap<object, Source>();

function isReadable(s: any): boolean {
  return typeof s.read === 'function' && typeof s.on === 'function';
}

function isWritable(s: any): boolean {
  return typeof s.write === 'function' && typeof s.on === 'function';
}

function isServer(s: any): boolean {
  return (
    typeof s.listen === 'function' &&
    typeof s.address === 'function' &&
    typeof s.read !== 'function'
  );
}

function sourceOf(target: any): Source {
  let src = sources.get(target);
  if (src !== undefined) return src;
  const notify = (bits: number): void => {
    for (const w of src!.watchers) {
      if (w._active !== 0 && (w._events & bits) !== 0) w.loop._markReady(w, bits);
    }
  };
  src = {
    target,
    server: isServer(target),
    watchers: new Set(),
    readers: 0,
    writers: 0,
    eof: false,
    accepted: [],
    onRead: () => {
      if (!target.destroyed && target.readableLength === 0) src!.eof = true;
      notify(READ);
    },
    onWrite: () => notify(WRITE),
    onAny: () => notify(READ | WRITE),
    onConnection: (socket: Socket) => {
      src!.accepted.push(socket);
      notify(READ);
    },
  };
  sources.set(target, src);
  return src;
}

/**
 * The readiness of a source now (READ | WRITE bits), without consuming anything.
 * @internal
 */
export function readiness(src: Source): number {
  const s = src.target;
  if (src.server) return src.accepted.length !== 0 ? READ : 0;
  let bits = 0;
  const broken = s.destroyed === true || (s.errored !== null && s.errored !== undefined);
  if (isReadable(s)) {
    const state = s._readableState;
    if (
      broken ||
      s.readableLength > 0 ||
      s.readableEnded === true ||
      src.eof ||
      (state !== undefined && state.ended === true)
    ) {
      bits |= READ;
    }
  }
  if (isWritable(s)) {
    if (broken) bits |= WRITE;
    else if (
      s.writable !== false &&
      s.connecting !== true &&
      s.pending !== true &&
      s.writableLength < s.writableHighWaterMark
    ) {
      bits |= WRITE;
    }
  }
  return bits;
}

function attach(src: Source, events: number): void {
  const s = src.target;
  if (events & READ) {
    if (src.readers++ === 0) {
      if (src.server) s.on('connection', src.onConnection);
      else {
        s.on('readable', src.onRead);
        s.on('end', src.onRead);
      }
    }
  }
  if (events & WRITE) {
    if (src.writers++ === 0) {
      s.on('drain', src.onWrite);
      s.on('connect', src.onWrite);
      s.on('ready', src.onWrite);
    }
  }
  if (src.readers + src.writers === 1) {
    s.on('close', src.onAny);
    s.on(errorMonitor, src.onAny);
  }
}

function detach(src: Source, events: number): void {
  const s = src.target;
  if (events & READ) {
    if (--src.readers === 0) {
      if (src.server) s.removeListener('connection', src.onConnection);
      else {
        s.removeListener('readable', src.onRead);
        s.removeListener('end', src.onRead);
      }
    }
  }
  if (events & WRITE) {
    if (--src.writers === 0) {
      s.removeListener('drain', src.onWrite);
      s.removeListener('connect', src.onWrite);
      s.removeListener('ready', src.onWrite);
    }
  }
  if (src.readers + src.writers === 0) {
    s.removeListener('close', src.onAny);
    s.removeListener(errorMonitor, src.onAny);
  }
}

function checkEvents(events: unknown): number {
  if (!Number.isInteger(events) || ((events as number) & ~(READ | WRITE)) !== 0) {
    throw new RangeError(
      `io: events must be READ, WRITE or READ | WRITE (got ${describe(events)})`,
    );
  }
  return events as number;
}

function checkTarget(target: unknown, events: number): void {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0 || target > 0x7fffffff) {
      throw new RangeError(`io: a file descriptor is an integer >= 0 (got ${describe(target)})`);
    }
    requireHelper(target);
    return;
  }
  if (target === null || typeof target !== 'object') {
    throw new TypeError(
      `io: the target must be a Node stream, socket or server (got ${describe(target)})`,
    );
  }
  if (isServer(target)) {
    if (events & WRITE) {
      throw new RangeError('io: a server only has READ readiness (a connection to accept)');
    }
    return;
  }
  if ((events & READ) !== 0 && !isReadable(target)) {
    throw new TypeError(`io: READ needs a readable stream (got ${describe(target)})`);
  }
  if ((events & WRITE) !== 0 && !isWritable(target)) {
    throw new TypeError(`io: WRITE needs a writable stream (got ${describe(target)})`);
  }
  if (!isReadable(target) && !isWritable(target)) {
    throw new TypeError(`io: ${describe(target)} is not a stream, socket or server`);
  }
}

export class Io extends ReadyWatcher {
  /** @internal */
  _target: any;
  /** @internal READ | WRITE bits wanted. */
  _events: number;
  /** @internal */
  private _src: Source | null = null;

  constructor(loop: Loop, target: IoTarget, events: number) {
    super(loop);
    requireOs(loop, 'io', 'feed events to the watchers yourself with feedEvent()');
    const ev = checkEvents(events);
    checkTarget(target, ev);
    this._target = target;
    this._events = ev;
  }

  get kind(): string {
    return 'io';
  }

  get defaultEvent(): number {
    return this._events || READ;
  }

  /** The watched stream, socket or server. */
  get target(): IoTarget {
    return this._target;
  }

  /** The events watched (READ, WRITE, or both). */
  get events(): number {
    return this._events;
  }

  /** The file descriptor: the raw fd watched, or the one under the target when Node exposes it (else null). */
  get fd(): number | null {
    if (typeof this._target === 'number') return this._target;
    const fd = this._target?._handle?.fd;
    return typeof fd === 'number' && fd >= 0 ? fd : null;
  }

  /** libev's ev_io_set: a new target and events; only while inactive. */
  set(target: IoTarget, events: number): void {
    this._inactive('set');
    const ev = checkEvents(events);
    checkTarget(target, ev);
    this._target = target;
    this._events = ev;
  }

  /** libev's ev_io_modify: new events for the same target; only while inactive. */
  modify(events: number): void {
    this._inactive('modify');
    const ev = checkEvents(events);
    checkTarget(this._target, ev);
    this._events = ev;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    if (!this._startable()) this._cannotStart();
    const loop = this.loop;
    if (typeof this._target === 'number') {
      const fd = this._target;
      fdAttach(this, fd); // may throw: nothing changed then
      loop._os.add(this);
      this._activate(1);
      const bits = fdReadiness(fd, this._events);
      if (bits !== 0) loop._markReady(this, bits);
      return;
    }
    const src = sourceOf(this._target);
    this._src = src;
    src.watchers.add(this);
    attach(src, this._events);
    loop._os.add(this);
    this._activate(1);
    // Level-triggered: already ready counts.
    const bits = readiness(src) & this._events;
    if (bits !== 0) loop._markReady(this, bits);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    if (typeof this._target === 'number') {
      fdDetach(this, this._target);
      this.loop._os.delete(this);
      this._deactivate();
      return;
    }
    const src = this._src!;
    src.watchers.delete(this);
    detach(src, this._events);
    this._src = null;
    this.loop._os.delete(this);
    this._deactivate();
  }

  /**
   * Server targets: takes the next accepted connection (a net.Socket), or null when none is
   * waiting. Call it when READ fires.
   */
  accept(): Socket | null {
    const src = sources.get(this._target);
    if (src === undefined || !src.server) {
      if (!isServer(this._target)) {
        throw new TypeError('io.accept(): the watched target is not a server');
      }
      return null;
    }
    return src.accepted.shift() ?? null;
  }

  /** @internal Poll: re-check the level condition; feed and stay ready while it holds. */
  override _onReady(_bits: number): void {
    if (typeof this._target === 'number') {
      const bits = fdReadiness(this._target, this._events);
      if (bits === ERROR) {
        // libev's fd_kill: the fd is gone; stop, and tell the callback.
        this.stop();
        this.loop._feed(this, ERROR | READ | WRITE);
      } else if (bits !== 0) {
        this.loop._feed(this, bits);
        this.loop._markReady(this, bits);
      }
      return;
    }
    const src = this._src;
    if (src === null) return;
    const bits = readiness(src) & this._events;
    if (bits !== 0) {
      this.loop._feed(this, bits);
      this.loop._markReady(this, bits);
    }
  }

  /** @internal The poll handle of a raw fd is referenced only while a referenced watcher needs it. */
  override _refToggled(): void {
    if (typeof this._target === 'number') fdUpdate(this._target);
  }

  private _inactive(what: string): void {
    if (this._active !== 0) {
      throw new WatcherStateError(`io.${what}(): the watcher is active; stop() it first`);
    }
  }
}
