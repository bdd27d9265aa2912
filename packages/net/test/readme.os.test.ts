// The README's runnable client example runs (against the built dist/) and prints what it says.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

test('the README client example prints "hello, echo"', async () => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks[0]).toContain("new StreamServer(['127.0.0.1', 16000]");
  const file = join(here, `readme-example-${process.pid}.mjs`);
  writeFileSync(file, blocks[1]!);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [file], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out).toBe('hello, echo\n');
  } finally {
    rmSync(file, { force: true });
  }
}, 40_000);
