import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inject } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** file:// URL of the bundle of src/ built by global-setup.ts. */
export function bundleUrl(): string {
  return pathToFileURL(inject('evBundle')).href;
}

/** Path of a fixture script. */
export function fixture(name: string): string {
  return join(here, 'fixtures', name);
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall seconds from spawn to exit. */
  elapsed: number;
}

/** Starts a fixture (`node fixture bundleUrl ...args`). */
export function startFixture(name: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [fixture(name), bundleUrl(), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves when the child exits (kills it after `timeoutMs`). */
export function finished(child: ChildProcess, timeoutMs = 20_000): Promise<ChildResult> {
  const t0 = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsed: (performance.now() - t0) / 1000 });
    });
  });
}

/** Runs a fixture to its end. */
export function runFixture(
  name: string,
  args: string[] = [],
  timeoutMs = 20_000,
): Promise<ChildResult> {
  return finished(startFixture(name, args), timeoutMs);
}

/** Resolves with the first stdout line that satisfies `match`. */
export function lineFrom(child: ChildProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        if (match(line)) {
          child.stdout?.off('data', onData);
          resolve(line);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', () =>
      reject(new Error(`child exited before printing the expected line; partial: ${buf}`)),
    );
  });
}

/** Blocks this thread for `ms` milliseconds (no event loop turn). */
export function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Number of armed Node timers (Timeout resources) in this process. */
export function armedTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
