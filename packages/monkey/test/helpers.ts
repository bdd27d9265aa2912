import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG = dirname(dirname(fileURLToPath(import.meta.url)));

/** Path of a fixture script. */
export function fixture(name: string): string {
  return join(PKG, 'test', 'fixtures', name);
}

export interface NodeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The stdout lines that are JSON objects, parsed. */
  json: any[];
}

export interface NodeOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (to send it a signal, say). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Runs `node ...args` in a fresh process (cwd: the package) and collects its output. */
export function runNode(args: string[], options: NodeOptions = {}): Promise<NodeResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  // vitest's own settings must not leak into the child.
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? PKG,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const json: any[] = [];
      for (const line of stdout.split('\n')) {
        if (line.startsWith('{')) {
          try {
            json.push(JSON.parse(line));
          } catch {
            // not JSON
          }
        }
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
}

/** Runs a fixture and returns its result; fails with its output when it did not exit 0. */
export async function runFixture(
  name: string,
  args: string[] = [],
  options: NodeOptions = {},
): Promise<NodeResult> {
  const r = await runNode([fixture(name), ...args], options);
  if (r.code !== 0) {
    throw new Error(
      `fixture ${name} exited with ${r.code ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r;
}

/** The one JSON line of a fixture whose `what` field is `what`. */
export function line(r: NodeResult, what: string): any {
  const found = r.json.filter((j) => j.what === what);
  if (found.length !== 1) {
    throw new Error(`expected one "${what}" line, got ${found.length}\n${r.stdout}\n${r.stderr}`);
  }
  return found[0];
}
