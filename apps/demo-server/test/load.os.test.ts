// The load script, small: it must finish by itself, lose nothing, and report figures.
// (The full run is `pnpm --filter demo-server bench`; figures in BENCHMARKS.md.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { APP } from './helpers.js';

test('bench/load.mjs: 40 clients in 4 rooms, 1 and 2 workers, nothing lost, exit 0', () => {
  const args = ['--clients', '40', '--rooms', '4', '--messages', '20', '--repeats', '1'];
  const r = spawnSync(
    process.execPath,
    [join(APP, 'bench', 'load.mjs'), ...args, '--workers', '1,2', '--time-limit', '60', '--json'],
    { cwd: APP, encoding: 'utf8', timeout: 240_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const results = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(results.map((x: { workers: number }) => x.workers)).toEqual([1, 2]);
  for (const x of results) {
    expect(x.messages).toBe(800);
    expect(x.deliveries).toBe(8000); // each message to the 10 members of its room
    expect(x.lost).toBe(0);
    expect(x.exitCode).toBe(0);
    expect(x.messagesPerSec).toBeGreaterThan(0);
    expect(x.p99).toBeGreaterThanOrEqual(x.p50);
  }
});
