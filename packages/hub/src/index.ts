export { GreenletExit, getcurrent, isGreenletExit, type Op } from '@g/greenlet';
export { lookup, lookupAll, resolve } from './dns.js';
export { BlockingSwitchOutError, InvalidSwitchError, isLoopExit, LoopExit } from './errors.js';
export { type GetOptions, Greenlet, type KillOptions, type ResultOf } from './greenlet.js';
export { Hub, type HubLoop, type HubOptions } from './hub.js';
export { HubGreenlet } from './hub-greenlet.js';
export { iwait, type WaitOptions, wait } from './iwait.js';
export { type JoinallOptions, joinall, type KillallOptions, killall } from './joinall.js';
export { Local } from './local.js';
export { type BlockingEvent, type MonitorOptions, startMonitor } from './monitor.js';
export { type OnceOptions, once } from './once.js';
export { asyncIteratorOf, type OpIterator } from './op-iterator.js';
export { isWaitable, LINK_TARGET, type LinkTarget, type Waitable } from './protocols.js';
export { type CreateHubOptions, createHub, defaultHub, getHub, hubOf } from './registry.js';
export { run, toPromise } from './run.js';
export { idle, sleep } from './sleep.js';
export { type RawGreenlet, spawn, spawnLater, spawnRaw } from './spawn.js';
export { type ThreadpoolOptions, threadpool } from './threadpool.js';
export { isTimeout, Timeout } from './timeout.js';
export { until } from './until.js';
export { armWaitTimer, disarmWaitTimer, TIMED_OUT } from './wait-timer.js';
export {
  beginWait,
  current as currentHubGreenlet,
  forceEnd,
  isWaiting,
  requestThrow,
  toHub,
  wake,
  wakeThrow,
  withdrawThrow,
} from './waiting.js';
export { type WithTimeoutOptions, withTimeout } from './with-timeout.js';
