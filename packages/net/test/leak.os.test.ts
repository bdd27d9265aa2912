// Leak test: 10,000 connections to a StreamServer and 10,000 to an HttpServer (a fifth cut
// in the middle of a request or a response); afterwards the active handles are the
// baseline's, no handler greenlet or connection is left, and the heap is back near its
// baseline (a leaked socket or greenlet would cost >= 1 KB each: 20,000 of them >= 20 MB).
// Runs test/fixtures/leak.mjs (against the built dist/) in a child with --expose-gc.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

test('10,000 connections opened and closed leave handles and heap at their baseline', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', join(here, 'fixtures/leak.mjs'), '10000'],
      { timeout: 170_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  expect(r.connections).toBe(20_000);
  expect(r.handlersLeft).toBe(0);
  expect(r.connectionsLeft).toBe(0);
  expect(r.handlesAfter).toEqual(r.handlesBefore);
  expect(r.heapGrowth).toBeLessThan(2 * 1024 * 1024);
}, 180_000);
