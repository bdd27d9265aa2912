/** Child-process helpers of the *.os.test.ts files. */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inject } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** file:// URL of the bundle of src/ built by global-setup.ts. */
export function bundleUrl(): string {
  return pathToFileURL(inject('hubBundle')).href;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall seconds from spawn to exit. */
  elapsed: number;
}

/** Runs `node [nodeArgs] fixtures/<name> <bundleUrl> ...args` to its end (SIGKILL after timeoutMs). */
export function runFixture(
  name: string,
  args: string[] = [],
  options: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ChildResult> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(here, 'fixtures', name), bundleUrl(), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsed: (performance.now() - t0) / 1000 });
    });
  });
}
