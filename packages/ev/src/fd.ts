/**
 * Raw file descriptors for io watchers: readiness through a small native helper over
 * libuv's uv_poll (native/ev_fd.c), in the thread's own Node event loop.
 *
 * Rules:
 * - The helper ships prebuilt inside the package for linux-x64 (prebuilds/linux-x64/
 *   ev_fd.node, Node-API 8: Node 20, 22, 24 and later) and is loaded on first use of a raw
 *   fd, optionally: no install script builds or fetches it. The environment variable
 *   G_EV_FD_HELPER, when set, names another ev_fd.node to load instead (for example one
 *   built with `node scripts/build-native.mjs --out <file>` on another platform).
 * - Where it cannot load (another platform, musl, a failed load), `loop.io(fd, ...)` throws
 *   UnsupportedError naming the platform, the reason, and what to do instead
 *   (`new net.Socket({ fd })`). Streams, sockets and servers never need the helper.
 * - One uv_poll handle per fd in the process, shared by every io watcher on that fd (of any
 *   loop, of any loaded copy of @g/ev): it polls the union of their events, is referenced
 *   (keeps the process alive) only while one of them holds a reference, and is closed when
 *   the last one stops. libuv refuses an fd that Node already watches (EEXIST: a
 *   net.Socket or pipe made on it) and fds that cannot be polled (EPERM: regular files), and
 *   puts the fd in non-blocking mode.
 * - Level-triggered, as libev: the poll step re-checks the fd with poll(2) (a zero timeout),
 *   feeds the watcher while the condition holds (READ: data, end of file or an error
 *   pending; WRITE: room to write, or an error) and keeps the loop iterating meanwhile.
 * - An fd that is no longer open (POLLNVAL) is handled as libev's fd_kill: the watcher is
 *   stopped and its callback receives ERROR | READ | WRITE. Stop watchers before closing
 *   their fd: a closed fd number may be reused by the next open.
 */

import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR, READ, WRITE } from './constants.js';
import { EvError, UnsupportedError } from './errors.js';
import type { Io } from './io.js';
import { EV } from './runtime.js';

/** What the native helper exports (native/ev_fd.c). */
interface Helper {
  readonly version: number;
  open(fd: number, callback: (status: number, events: number) => void): object;
  start(handle: object, events: number): void;
  ref(handle: object, on: boolean): void;
  close(handle: object): void;
  check(fd: number): number;
}

// The module's own file in the CJS build (the ESM build reads import.meta.url instead).
declare const __filename: string | undefined;

/** The helper interface version this code speaks. */
const HELPER_VERSION = 1;

// Bits of Helper#check.
const C_IN = 1;
const C_OUT = 2;
const C_ERR = 4;
const C_HUP = 8;
const C_NVAL = 16;

/** Where the helper comes from, and whether it loaded. */
export interface RawFdSupport {
  /** True when raw fds can be watched in this process. */
  readonly available: boolean;
  /** The ev_fd.node file tried (G_EV_FD_HELPER, else the prebuild for this platform). */
  readonly path: string;
  /** `${process.platform}-${process.arch}`. */
  readonly platform: string;
  /** Why it is not available (null when it is). */
  readonly reason: string | null;
}

let support: RawFdSupport | null = null;
let helper: Helper | null = null;

function load(): RawFdSupport {
  if (support !== null) return support;
  const platform = `${process.platform}-${process.arch}`;
  const override = process.env.G_EV_FD_HELPER;
  // This file is dist/index.(c)js (or src/fd.ts): the prebuilds folder is next to dist/.
  // The CJS build defines import.meta.url as undefined and has its own __filename (a global
  // __filename, as `node -e` and eval'd Workers set, must not be trusted in ESM).
  const url: string | undefined = import.meta.url;
  const here = typeof url === 'string' ? fileURLToPath(url) : (__filename as string);
  const path = override
    ? resolve(override)
    : join(dirname(here), '..', 'prebuilds', platform, 'ev_fd.node');
  let reason: string | null = null;
  try {
    const h = createRequire(here)(path) as Helper;
    if (h === null || typeof h !== 'object' || h.version !== HELPER_VERSION) {
      reason = `${path} is not version ${HELPER_VERSION} of the helper (got ${String(h?.version)})`;
    } else helper = h;
  } catch (err) {
    const code = (err as { code?: string }).code;
    reason =
      code === 'MODULE_NOT_FOUND' || code === 'ENOENT'
        ? `no prebuilt helper for ${platform} (${path} does not exist)`
        : `loading ${path} failed: ${(err as Error).message?.split('\n')[0]}`;
  }
  support = Object.freeze({ available: helper !== null, path, platform, reason });
  return support;
}

/**
 * Whether io watchers can watch raw file descriptors in this process, and which helper
 * file is used (loads it on the first call; never throws).
 */
export function rawFdSupport(): RawFdSupport {
  return load();
}

/** The helper, or UnsupportedError saying what to do for `fd` instead. */
export function requireHelper(fd: number): Helper {
  const s = load();
  if (helper !== null) return helper;
  throw new UnsupportedError(
    `io: raw file descriptor ${fd} needs @g/ev's native helper, which cannot be used on ` +
      `${s.platform}: ${s.reason}. Wrap the fd in a stream instead, e.g. ` +
      `new net.Socket({ fd: ${fd} }) for a socket or pipe, and watch that; or build the ` +
      `helper for this platform (node scripts/build-native.mjs in the @g/ev package, or ` +
      `point G_EV_FD_HELPER at a built ev_fd.node)`,
  );
}

/** The uv_poll handle of one fd and the io watchers that share it. */
interface FdSource {
  readonly fd: number;
  /** The helper that opened the handle (copies of @g/ev may have loaded different files). */
  readonly helper: Helper;
  readonly handle: object;
  readonly watchers: Set<Io>;
  /** Events polled now (READ | WRITE). */
  mask: number;
  /** Whether the handle is referenced now. */
  refed: boolean;
}

/** Process-wide: fd -> its source (shared by every loaded copy of @g/ev). */
function registry(): Map<number, FdSource> {
  EV.fdSources ??= new Map<number, FdSource>();
  return EV.fdSources as Map<number, FdSource>;
}

/** Adds an active io watcher of `fd`; may throw (EEXIST, EPERM, EBADF) and change nothing. */
export function fdAttach(w: Io, fd: number): void {
  const h = requireHelper(fd);
  const map = registry();
  let src = map.get(fd);
  if (src === undefined) {
    let handle: object;
    try {
      handle = h.open(fd, (status, events) => onPoll(src!, status, events));
    } catch (err) {
      throw openError(fd, err);
    }
    src = { fd, helper: h, handle, watchers: new Set(), mask: 0, refed: true };
    map.set(fd, src);
  }
  src.watchers.add(w);
  try {
    fdUpdate(fd);
  } catch (err) {
    fdDetach(w, fd);
    throw err;
  }
}

/** Removes an io watcher of `fd`; closes the handle after the last one. */
export function fdDetach(w: Io, fd: number): void {
  const map = registry();
  const src = map.get(fd);
  if (src === undefined || !src.watchers.delete(w)) return;
  if (src.watchers.size === 0) {
    map.delete(fd);
    src.helper.close(src.handle);
  } else fdUpdate(fd);
}

/** Re-derives the polled events and the reference of `fd`'s handle from its watchers. */
export function fdUpdate(fd: number): void {
  const src = registry().get(fd);
  if (src === undefined) return;
  let mask = 0;
  let refs = false;
  for (const w of src.watchers) {
    mask |= w._events;
    if (w._holdsRef()) refs = true;
  }
  if (mask !== src.mask) {
    src.helper.start(src.handle, mask);
    src.mask = mask;
  }
  if (refs !== src.refed) {
    src.helper.ref(src.handle, refs);
    src.refed = refs;
  }
}

/** libuv saw `events` (or error `status`) on the fd: mark the interested watchers ready. */
function onPoll(src: FdSource, status: number, events: number): void {
  for (const w of src.watchers) {
    const bits = status < 0 ? w._events : events & w._events;
    if (bits !== 0 && w._active !== 0) w.loop._markReady(w, bits);
  }
}

/**
 * The readiness of `fd` now, for `events`: READ / WRITE bits, or ERROR when the fd is not
 * open (poll(2) with a zero timeout, nothing consumed).
 */
export function fdReadiness(fd: number, events: number): number {
  const src = registry().get(fd);
  const r = (src === undefined ? helper! : src.helper).check(fd);
  if ((r & C_NVAL) !== 0) return ERROR;
  let bits = 0;
  if ((r & (C_IN | C_HUP | C_ERR)) !== 0) bits |= READ;
  if ((r & (C_OUT | C_HUP | C_ERR)) !== 0) bits |= WRITE;
  return bits & events;
}

function openError(fd: number, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const why = (err as Error).message ?? String(err);
  let hint = '';
  if (code === 'EEXIST') {
    hint =
      ': Node (or another copy of the helper) already watches this fd (a net.Socket, pipe or ' +
      'stream made on it); watch that object instead';
  } else if (code === 'EPERM') {
    hint = ': this kind of fd cannot be polled (a regular file is always ready: just read it)';
  } else if (code === 'EBADF') hint = ': the fd is not open';
  const e = new EvError(`io: cannot watch file descriptor ${fd} (${why})${hint}`);
  (e as { code?: string }).code = code;
  return e;
}
