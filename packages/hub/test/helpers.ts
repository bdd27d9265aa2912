/**
 * Test helpers: a hub on the virtual clock whose error reports are captured, destroyed
 * after each test.
 */
import { afterEach } from 'vitest';
import { createHub, type Hub } from '../src/index.js';

const made: Hub[] = [];

afterEach(() => {
  for (const h of made.splice(0)) h.destroy();
});

export interface TestHub {
  hub: Hub;
  /** The reports handleError printed (one string each). */
  reports: string[];
  /** Runs `fn` in a greenlet of the hub; resolves with its result. */
  run<R>(fn: () => R): Promise<any>;
}

/** A virtual-clock hub; reports go to `reports` instead of stderr. */
export function vhub(options: { killGrace?: number; spawnStacks?: boolean } = {}): TestHub {
  const hub = createHub({ backend: 'virtual', ...options });
  made.push(hub);
  const reports: string[] = [];
  hub.exceptionStream = { write: (s: string) => reports.push(s) };
  return { hub, reports, run: (fn) => hub.run(fn as any) };
}

export class ExpectedError extends Error {
  constructor(message = 'expected') {
    super(message);
    this.name = 'ExpectedError';
  }
}
