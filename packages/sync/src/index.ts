export { AsyncResult, type AsyncResultGetOptions } from './async-result.js';
export { Channel } from './channel.js';
export { DummySemaphore } from './dummy-semaphore.js';
export { Empty, Full, PoolFull, ShutDown } from './errors.js';
export { Event } from './event.js';
export {
  Group,
  type GroupAddOptions,
  type GroupJoinOptions,
  type GroupKillOptions,
  type ScopeOptions,
} from './group.js';
export type { IMapOptions, MapSource } from './imap.js';
export { JoinableQueue } from './joinable-queue.js';
export { LifoQueue } from './lifo-queue.js';
export { Lock } from './lock.js';
export { Pool } from './pool.js';
export { PriorityQueue } from './priority-queue.js';
export { Queue, type QueueOptions } from './queue.js';
export { StopIteration } from './queue-iterator.js';
export { RLock } from './rlock.js';
export {
  type AcquireOptions,
  BoundedSemaphore,
  type HoldOptions,
  Semaphore,
} from './semaphore.js';
export { SimpleQueue } from './simple-queue.js';
