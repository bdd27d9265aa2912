// node:cluster: an unchanged HttpServer in two worker processes sharing one port. Both
// workers serve, and stop() drains both (requests in progress finish, then the port closes).
// Runs the fixture against the built dist/ (`npx tsup` in packages/net first).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as http from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { closedPort, plainConnect } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
let child: ChildProcessWithoutNullStreams | null = null;

afterEach(() => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

test('two cluster workers serve one port; stop() drains both', async () => {
  child = spawn(process.execPath, [join(here, 'fixtures/cluster-server.mjs')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const next = () =>
    new Promise<any>((resolve, reject) => {
      const onLine = (l: string) => {
        lines.off('line', onLine);
        resolve(JSON.parse(l));
      };
      lines.on('line', onLine);
      child!.once('exit', (code) => reject(new Error(`fixture exited ${code}: ${stderr}`)));
    });
  const ready = await next();
  expect(ready.ports).toHaveLength(1);
  expect(ready.pids).toHaveLength(2);
  const port: number = ready.port;

  // Both workers serve (the primary hands connections out round-robin).
  const bodies = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
  const pids = new Set(bodies.map((b) => b.body));
  expect(pids).toEqual(new Set(ready.pids.map((p: number) => `pid ${p}`)));

  // Slow requests on both workers, then stop: they finish, and then the port is closed.
  const slow = Array.from({ length: 4 }, () => get(port, '/?slow=0.6'));
  await new Promise((r) => setTimeout(r, 200));
  const done = next();
  child.stdin.write('stop\n');
  const results = await Promise.all(slow);
  expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  expect(new Set(results.map((r) => r.body)).size).toBe(2);
  const { drained } = await done;
  expect(drained).toHaveLength(2);
  for (const d of drained) expect(d.handled).toBeGreaterThanOrEqual(2);
  await new Promise<void>((r) => (child!.exitCode !== null ? r() : child!.once('exit', () => r())));
  expect(child.exitCode).toBe(0);
  await expect(plainConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(await closedPort()).toBeGreaterThan(0);
}, 30_000);
