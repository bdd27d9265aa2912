/**
 * The README stays honest: its first example prints what the README says it prints, and
 * its wait-protocol example (a minimal Event) works.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { bundleUrl } from './os-helpers.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const readme = readFileSync(join(pkg, 'README.md'), 'utf8');

function blockAfter(from: number): { lang: string; body: string; end: number } {
  const m = /^```([a-z]*)\n([\s\S]*?)^```$/m.exec(readme.slice(from));
  if (!m) throw new Error('no code block');
  return { lang: m[1]!, body: m[2]!, end: from + m.index + m[0].length };
}

function runModule(source: string): { code: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(pkg, 'node_modules', '.g-hub-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, source.replaceAll("from '@g/hub'", `from '${bundleUrl()}'`));
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README', () => {
  test('the first example prints what the README says', () => {
    const code = blockAfter(readme.indexOf('```ts\n'));
    expect(code.lang).toBe('ts');
    const out = blockAfter(code.end);
    const r = runModule(code.body);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(out.body);
  });

  test('the wait-protocol example (a minimal Event) works', () => {
    const at = readme.indexOf('A minimal Event:');
    const code = blockAfter(at).body;
    const r = runModule(`${code}
import { run, spawn, sleep, joinall } from '@g/hub';
const flag = new Flag();
const out = await run(function* () {
  const a = spawn(() => flag.wait());
  const b = spawn(() => flag.wait(0.05));
  yield* sleep(0.1);
  flag.set();
  yield* joinall([a, b]);
  return [a.value, b.value, yield* flag.wait()];
});
console.log(JSON.stringify(out));
`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('[true,false,true]');
  });
});
