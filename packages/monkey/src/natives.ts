/**
 * Node's own timer and clock functions, for @g/monkey's own machinery.
 *
 * The patches replace `setTimeout`, `setImmediate`, `Date.now`, `performance.now`,
 * `process.hrtime` and `process.on`. What @g/monkey itself needs from Node (a delivery's
 * `setImmediate`, the clock patch's starting readings, `clearTimeout` of one of Node's own
 * timers) it takes from `NATIVE`, which is @g/ev's `natives`: captured once, when the first
 * copy of @g/ev loaded (@g/monkey imports @g/ev, so that is before any patch), shared by
 * every copy and frozen. Calling them costs what calling Node's costs.
 *
 * @g/ev's loop (its wait, time update, wall-clock reads, signal watchers' process
 * listeners) and @g/hub's hub (its yield to Node, time slice and blocking monitor) use the
 * same captured functions, so the patched globals never reach their machinery: a patched
 * function has no "inside the hub's machinery" case and always acts as the patch.
 */
import { type Natives, natives } from '@g/ev';

export type { Natives };

/** Node's functions (see the module comment). */
export const NATIVE: Natives = natives;
