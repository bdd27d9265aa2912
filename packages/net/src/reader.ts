/**
 * The read side of a socket or of an HTTP request body: a buffer of received chunks fed by
 * a Node stream in flowing mode, and the blocking reads over it.
 *
 * ## Rules
 *
 * - Data is received as Node delivers it ('data' events) into a buffer. Above the
 *   high-water mark (`highWaterMark`, default 64 KiB) the stream is paused, so the peer is
 *   slowed down by TCP flow control; it is resumed once reads bring the buffer under it.
 * - `recv(max)` returns at once with up to `max` bytes when something is buffered (no
 *   switch), an empty Buffer at the end of the stream, else waits for data.
 * - `readExactly(n)` waits for `n` bytes; the end of the stream first raises IncompleteRead.
 * - `readline(limit)` returns one line with its `\n`, or what is left at the end of the
 *   stream, or `limit` bytes when no `\n` came within them; an empty result means the end.
 * - `read(n?)`: file semantics: `n` bytes (fewer only at the end), or everything to the end.
 * - `lines()`: an OpIterator of the lines (AsyncIterable outside greenlets).
 * - `timeout` (seconds, or null for none) limits each wait: SocketTimeout, and the reader
 *   stays usable (what arrived later is still read).
 * - An error of the stream (a reset...) is raised by the next read that the buffer alone
 *   cannot answer: `recv` first returns what arrived before the error; `read`, `readline`
 *   and `readExactly` raise it rather than return a truncated result. Reads after
 *   `close()` raise a SocketError EBADF.
 * - One greenlet reads at a time: a second concurrent reader gets ConcurrentObjectUseError.
 */
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { asyncIteratorOf, type OpIterator, run, toHub } from '@g/hub';
import { Chunks, EMPTY } from './chunks.js';
import { IncompleteRead, SocketError, SocketTimeout } from './errors.js';
import { READY, Slot } from './wait.js';

const NL = 10;

export const DEFAULT_HWM = 64 * 1024;

export abstract class Reader {
  /** @internal received, not yet read. */
  readonly _in = new Chunks();
  /** @internal the end of the stream was received. */
  _eof = false;
  /** @internal an error to raise at the next read (after the buffered data). */
  _rerr: unknown = null;
  /** @internal the stream is paused because the buffer is above the high-water mark. */
  _rpaused = false;
  /** @internal closed by close(): reads raise EBADF. */
  _closed = false;
  /** @internal */
  readonly _rslot = new Slot();
  /** Bytes buffered above which the stream is paused. */
  highWaterMark: number = DEFAULT_HWM;
  private _timeout: number | null = null;

  /** Seconds a blocking call may wait before SocketTimeout; null: no limit. */
  get timeout(): number | null {
    return this._timeout;
  }

  set timeout(t: number | null) {
    if (t !== null && (typeof t !== 'number' || Number.isNaN(t) || t < 0)) {
      throw new RangeError(`timeout must be a number of seconds >= 0 or null, got ${String(t)}`);
    }
    this._timeout = t;
  }

  /** gevent's settimeout(). */
  settimeout(t: number | null): void {
    this.timeout = t;
  }

  /** gevent's gettimeout(). */
  gettimeout(): number | null {
    return this._timeout;
  }

  /** @internal pause/resume the source. */
  protected abstract _pauseSource(): void;
  protected abstract _resumeSource(): void;
  /** @internal for messages: 'socket 127.0.0.1:1234 -> 127.0.0.1:80'. */
  abstract _describe(): string;
  /** @internal details (address) for errors. */
  abstract _peer(): { address?: string; port?: number };

  /** @internal listener: a chunk arrived. */
  _onData(chunk: Buffer): void {
    this._in.push(chunk);
    if (this._in.length >= this.highWaterMark && !this._rpaused) {
      this._rpaused = true;
      this._pauseSource();
    }
    this._rslot.wakeSoon();
  }

  /** @internal listener: the end of the stream. */
  _onEnd(): void {
    this._eof = true;
    this._rslot.wakeSoon();
  }

  /** @internal listener: an error (kept for the next read). */
  _onReadError(err: unknown): void {
    if (this._rerr === null) this._rerr = err;
    this._rslot.wakeSoon();
  }

  /** Bytes received and not read yet. */
  get bufferedAmount(): number {
    return this._in.length;
  }

  /** Up to `max` bytes (default 65536); an empty Buffer at the end of the stream. */
  recv(max = 65536): Op<Buffer> {
    checkCount(max, 'recv(max)', 1);
    return trackOp(this._recv(max), 'recv');
  }

  /** Exactly `n` bytes; IncompleteRead if the stream ends first. */
  readExactly(n: number): Op<Buffer> {
    checkCount(n, 'readExactly(n)', 0);
    return trackOp(this._readExactly(n, 'readExactly'), 'readExactly');
  }

  /**
   * One line including its `\n` (at most `limit` bytes, default 65536); what is left at the
   * end of the stream; an empty Buffer when nothing is left.
   */
  readline(limit = 65536): Op<Buffer> {
    checkCount(limit, 'readline(limit)', 1);
    return trackOp(this._readline(limit), 'readline');
  }

  /** `n` bytes (fewer only at the end of the stream), or with no `n` everything to the end. */
  read(n?: number): Op<Buffer> {
    if (n !== undefined) checkCount(n, 'read(n)', 0);
    return trackOp(this._read(n ?? -1), 'read');
  }

  /** The lines until the end of the stream, as an OpIterator (AsyncIterable outside greenlets). */
  lines(limit = 65536): OpIterator<Buffer> {
    checkCount(limit, 'lines(limit)', 1);
    return new LineIterator(this, limit);
  }

  /** @internal */
  _checkOpen(what: string): void {
    if (this._closed) {
      throw new SocketError(`${what}: ${this._describe()} is closed`, {
        code: 'EBADF',
        ...this._peer(),
      });
    }
  }

  /** @internal a buffer was read from: resume the source under the high-water mark. */
  _consumed(): void {
    if (this._rpaused && this._in.length < this.highWaterMark) {
      this._rpaused = false;
      this._resumeSource();
    }
  }

  /** @internal raise the pending error, if any (once the buffer is empty). */
  _raise(): void {
    const err = this._rerr;
    if (err !== null) throw err;
  }

  /** @internal raises the SocketTimeout of a read wait. */
  _timedOut(what: string, t: number | null): never {
    throw new SocketTimeout(
      `${what} timed out after ${t} s (${this._describe()})`,
      t!,
      this._peer(),
    );
  }

  /** @internal */
  *_recv(max: number): Generator<unknown, Buffer, any> {
    for (;;) {
      this._checkOpen('recv()');
      if (this._in.length !== 0) {
        const b = this._in.take(max);
        if (this._rpaused) this._consumed();
        return b;
      }
      this._raise();
      if (this._eof) return EMPTY;
      const t = this._timeout;
      const g = this._rslot.enter('recv()', t, this);
      let v: unknown;
      try {
        v = yield* toHub(g);
      } finally {
        this._rslot.leave(g, t);
      }
      if (v !== READY) this._timedOut('recv()', t);
    }
  }

  /** @internal */
  *_readExactly(n: number, what: string): Generator<unknown, Buffer, any> {
    for (;;) {
      this._checkOpen(`${what}()`);
      if (this._in.length >= n) {
        const b = n === 0 ? EMPTY : this._in.takeExactly(n);
        if (this._rpaused) this._consumed();
        return b;
      }
      if (this._rerr !== null) this._raise();
      if (this._eof) {
        const partial = this._in.takeAll();
        throw new IncompleteRead(
          `${what}(${n}): the stream ended after ${partial.length} of ${n} bytes (${this._describe()})`,
          partial,
          n,
          this._peer(),
        );
      }
      // Let the buffer grow past the high-water mark for a large exact read.
      if (this._rpaused) {
        this._rpaused = false;
        this._resumeSource();
      }
      const t = this._timeout;
      const g = this._rslot.enter(`${what}()`, t, this);
      let v: unknown;
      try {
        v = yield* toHub(g);
      } finally {
        this._rslot.leave(g, t);
      }
      if (v !== READY) this._timedOut(`${what}()`, t);
    }
  }

  /** @internal */
  *_readline(limit: number): Generator<unknown, Buffer, any> {
    for (;;) {
      this._checkOpen('readline()');
      const at = this._in.indexOf(NL, limit);
      if (at >= 0) {
        const b = this._in.takeExactly(at + 1);
        if (this._rpaused) this._consumed();
        return b;
      }
      if (this._in.length >= limit) {
        const b = this._in.takeExactly(limit);
        if (this._rpaused) this._consumed();
        return b;
      }
      // An error ends the line early: raise it (what was buffered stays for recv).
      this._raise();
      if (this._eof) return this._in.takeAll();
      if (this._rpaused) {
        this._rpaused = false;
        this._resumeSource();
      }
      const t = this._timeout;
      const g = this._rslot.enter('readline()', t, this);
      let v: unknown;
      try {
        v = yield* toHub(g);
      } finally {
        this._rslot.leave(g, t);
      }
      if (v !== READY) this._timedOut('readline()', t);
    }
  }

  /** @internal */
  *_read(n: number): Generator<unknown, Buffer, any> {
    for (;;) {
      this._checkOpen('read()');
      if (n >= 0 && this._in.length >= n) {
        const b = n === 0 ? EMPTY : this._in.takeExactly(n);
        if (this._rpaused) this._consumed();
        return b;
      }
      this._raise();
      if (this._eof) return this._in.takeAll();
      if (this._rpaused) {
        this._rpaused = false;
        this._resumeSource();
      }
      const t = this._timeout;
      const g = this._rslot.enter('read()', t, this);
      let v: unknown;
      try {
        v = yield* toHub(g);
      } finally {
        this._rslot.leave(g, t);
      }
      if (v !== READY) this._timedOut('read()', t);
    }
  }
}

class LineIterator implements OpIterator<Buffer> {
  private done = false;

  constructor(
    private readonly reader: Reader,
    private readonly limit: number,
  ) {}

  next(): Op<IteratorResult<Buffer, undefined>> {
    return trackOp(this.step(), 'lines.next');
  }

  private *step(): Generator<unknown, IteratorResult<Buffer, undefined>, any> {
    if (this.done) return { done: true, value: undefined };
    const line = yield* this.reader._readline(this.limit);
    if (line.length === 0) {
      this.done = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: line };
  }

  close(): void {
    this.done = true;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return asyncIteratorOf(this, run as <R>(op: Op<R>) => Promise<R>);
  }
}

function checkCount(n: unknown, what: string, min: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(n)}`);
  }
}
