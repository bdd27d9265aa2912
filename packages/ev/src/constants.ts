/**
 * libev's constants, with libev's values.
 *
 * Event bits are OR-ed into the `revents` argument of a watcher callback; `run` flags and
 * `break` modes are the values of `EVRUN_*` and `EVBREAK_*`.
 */

/** `run(NOWAIT)`: one iteration that never waits; synchronous, returns a boolean. */
export const NOWAIT = 1 as const;
/** `run(ONCE)`: one iteration that waits until at least one event arrived. */
export const ONCE = 2 as const;

/** `break(BREAK_CANCEL)`: undo an earlier `break` that has not taken effect yet. */
export const BREAK_CANCEL = 0 as const;
/** `break(BREAK_ONE)`: the innermost `run` returns once it has invoked what is pending. */
export const BREAK_ONE = 1 as const;
/** `break(BREAK_ALL)`: every nested `run` returns. */
export const BREAK_ALL = 2 as const;

/** The `run` flags by name, for code that prefers an object: `RUN.NOWAIT`. */
export const RUN = Object.freeze({ DEFAULT: 0, NOWAIT, ONCE } as const);
/** The `break` modes by name: `BREAK.ONE`, `BREAK.ALL`, `BREAK.CANCEL`. */
export const BREAK = Object.freeze({
  CANCEL: BREAK_CANCEL,
  ONE: BREAK_ONE,
  ALL: BREAK_ALL,
} as const);

/** No event (libev's EV_NONE). */
export const NONE = 0x00;
/** An io watcher's stream has data or reached its end. */
export const READ = 0x01;
/** An io watcher's stream accepts writes. */
export const WRITE = 0x02;
/** A timer expired. */
export const TIMER = 0x100;
/** A periodic reached its time. */
export const PERIODIC = 0x200;
/** A signal arrived. */
export const SIGNAL = 0x400;
/** A child process changed state (exited). */
export const CHILD = 0x800;
/** A path's attributes changed. */
export const STAT = 0x1000;
/** An idle watcher runs because nothing else is pending. */
export const IDLE = 0x2000;
/** A prepare watcher runs before the loop waits. */
export const PREPARE = 0x4000;
/** A check watcher runs after the loop waited. */
export const CHECK = 0x8000;
/** An embedded loop needs attention. */
export const EMBED = 0x10000;
/** The loop was told that the process forked (`loop.fork()`). */
export const FORK = 0x20000;
/** The loop is being destroyed. */
export const CLEANUP = 0x40000;
/** An async watcher was sent to. */
export const ASYNC = 0x80000;
/** Never sent by the loop: free for users' own events (`feedEvent(w, CUSTOM)`). */
export const CUSTOM = 0x1000000;
/** Something went wrong with the watcher (it was stopped, or the stream failed). */
export const ERROR = 0x80000000 | 0;

/** Lowest watcher priority. */
export const MINPRI = -2 as const;
/** Highest watcher priority. */
export const MAXPRI = 2 as const;

/** Number of priorities (MAXPRI - MINPRI + 1). */
export const NUMPRI = 5;

/**
 * libev's `MAX_BLOCKTIME`: the Node backend never arms its timer further ahead than this,
 * so wall-clock jumps (which move periodics) are noticed within a minute.
 */
export const MAX_BLOCKTIME = 59.743;

/** libev's `MIN_TIMEJUMP`: a wall-clock change this large (seconds) reschedules periodics. */
export const MIN_TIMEJUMP = 1;

/** libev's `MIN_INTERVAL` for periodics (seconds). */
export const MIN_INTERVAL = 0.0001220703125;

/** The name of each event bit, for messages. */
export function eventNames(revents: number): string {
  const names: string[] = [];
  const table: [number, string][] = [
    [READ, 'READ'],
    [WRITE, 'WRITE'],
    [TIMER, 'TIMER'],
    [PERIODIC, 'PERIODIC'],
    [SIGNAL, 'SIGNAL'],
    [CHILD, 'CHILD'],
    [STAT, 'STAT'],
    [IDLE, 'IDLE'],
    [PREPARE, 'PREPARE'],
    [CHECK, 'CHECK'],
    [EMBED, 'EMBED'],
    [FORK, 'FORK'],
    [CLEANUP, 'CLEANUP'],
    [ASYNC, 'ASYNC'],
    [CUSTOM, 'CUSTOM'],
    [ERROR, 'ERROR'],
  ];
  for (const [bit, name] of table) if (revents & bit) names.push(name);
  return names.length === 0 ? 'NONE' : names.join('|');
}
