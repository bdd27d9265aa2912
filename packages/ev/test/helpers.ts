import { type BackendName, Loop } from '../src/index.js';

/** Both backends, for rules that hold on each (run with describe.each). */
export const BACKENDS: BackendName[] = ['virtual', 'node'];

/** A virtual-clock loop with a fixed wall clock (periodics reproducible). */
export function vloop(startTime = 1_000_000): Loop {
  return new Loop({ backend: 'virtual', startTime });
}

/** A loop of the given backend (virtual: fixed wall clock). */
export function makeLoop(backend: BackendName): Loop {
  return backend === 'virtual' ? vloop() : new Loop({ backend: 'node' });
}

/** Resolves after one macrotask turn. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Records callback invocations as strings. */
export function recorder(): { log: string[]; cb: (name: string) => () => void } {
  const log: string[] = [];
  return { log, cb: (name: string) => () => void log.push(name) };
}
