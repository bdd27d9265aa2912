export { Async, type AsyncRemote, AsyncSender } from './async.js';
export { Check } from './check.js';
export { Child, type ChildTarget } from './child.js';
export { Cleanup } from './cleanup.js';
export {
  ASYNC,
  BREAK,
  BREAK_ALL,
  BREAK_CANCEL,
  BREAK_ONE,
  CHECK,
  CHILD,
  CLEANUP,
  CUSTOM,
  EMBED,
  ERROR,
  eventNames,
  FORK,
  IDLE,
  MAX_BLOCKTIME,
  MAXPRI,
  MINPRI,
  NONE,
  NOWAIT,
  ONCE,
  PERIODIC,
  PREPARE,
  READ,
  RUN,
  SIGNAL,
  STAT,
  TIMER,
  WRITE,
} from './constants.js';
export { Embed } from './embed.js';
export {
  EvError,
  isEvError,
  LoopBusyError,
  LoopDestroyedError,
  SignalInUseError,
  UnsupportedError,
  WatcherStateError,
} from './errors.js';
export { type RawFdSupport, rawFdSupport } from './fd.js';
export { Fork } from './fork.js';
export { Idle } from './idle.js';
export { Io, type IoTarget } from './io.js';
export { type BackendName, defaultLoop, isLoop, Loop, type LoopOptions } from './loop.js';
export { type Natives, natives } from './natives.js';
export { Periodic, type RescheduleCallback } from './periodic.js';
export { Prepare } from './prepare.js';
export { Signal } from './signal.js';
export { DEFAULT_STAT_INTERVAL, MIN_STAT_INTERVAL, Stat, type StatAttr } from './stat.js';
export { Timer } from './timer.js';
export { Watcher, type WatcherCallback } from './watcher.js';
