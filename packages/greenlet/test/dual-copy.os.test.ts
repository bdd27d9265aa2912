// The ESM and CJS builds loaded in one process share one runtime (DECISIONS: one copy of the
// runtime): builds the package with its own tsup config into a temporary folder, then runs
// child Node processes that load dist/index.js and dist/index.cjs side by side.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let out = '';

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'g-greenlet-dual-'));
  // The built index.js is ESM: it needs a package.json saying so next to it.
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  execFileSync('npx', ['tsup', '--out-dir', out, '--no-dts'], { cwd: pkgDir, stdio: 'pipe' });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

function node(script: string): any {
  const stdout = execFileSync(process.execPath, [join(fixtures, script), out], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('two copies of the runtime in one process (ESM + CJS builds)', () => {
  it('share the main greenlet, the current greenlet, switching, tracing and errors', () => {
    const r = node('dual-copy.mjs');
    expect(r.twoCopies).toBe(true);
    expect(r.sameCurrent).toBe(true);
    expect(r.sameMain).toBe(true);
    expect(r.mainIsGreenletOfBoth).toBe(true);
    // ESM greenlet a and CJS greenlet b switch to each other; b's result reaches main.
    expect(r.crossResult).toBe(20);
    expect(r.crossLog).toEqual([
      ['b started with', 1, true, true],
      ['a got', 2],
    ]);
    expect(r.switchCountSeenByBoth).toEqual([5, 5]);
    expect(r.traceFromOtherCopy).toEqual(['switch', 'switch', 'switch', 'switch', 'switch']);
    expect(r.gettraceShared).toBe(true);
    expect(r.exitBrand).toBe(true);
    expect(r.exitBrandBack).toBe(true);
    expect(r.killedAcrossCopies).toBe(true);
    expect(r.errorBrand).toBe(true);
    expect(r.errorMessage).toMatch(/otherCopyOp\(\) made an Op that was never run/);
    expect(r.runtime).toEqual({ layout: 1, current: true, running: false });
  });

  it('refuses to load next to a copy with another runtime layout, naming both', () => {
    const r = node('layout-mismatch.mjs');
    expect(r.loaded).toBe(false);
    expect(r.message).toMatch(/two incompatible copies are loaded in this process/);
    expect(r.message).toMatch(/runtime layout 999 and 1/);
    expect(r.message).toMatch(/npm ls @g\/greenlet/);
  });
});
