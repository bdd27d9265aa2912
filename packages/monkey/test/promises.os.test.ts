// The promises patch (runtime, in fresh Node processes) and its TypeScript declaration.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { line, PKG, runFixture, runNode } from './helpers.js';

const tsc = createRequire(join(PKG, 'package.json')).resolve('typescript/bin/tsc');

describe('promises patch', () => {
  for (const how of ['import', 'patchAll']) {
    it(`makes yield* work on any promise inside a greenlet (applied by ${how === 'import' ? "import '@g/monkey/promises'" : 'patchAll({ promises: true })'})`, async () => {
      const p = line(await runFixture('promises.mjs', [how]), 'promises');
      expect(p.inside).toEqual({
        a: 1,
        rejected: 'nope',
        v: 'later',
        order: ['other', 'waited'],
        otherDead: true,
        stuckDead: true,
      });
      // Outside greenlets (for...of, spread) it says to await instead.
      expect(p.outside).toEqual([
        '`yield* promise` works inside a greenlet body (the promises ',
        '`yield* promise` works inside a greenlet body (the promises ',
      ]);
      expect(p.hidden).toBe(true);
      expect(p.restored).toBe(true);
    });
  }

  it('lets a virtual clock move while waiting on a promise that a patched timer settles', async () => {
    const p = line(await runFixture('promises.mjs', ['patchAll']), 'promises');
    expect(p.virtual).toEqual(['v', 3600]);
  });

  it('types yield* promise as the value type with the declaration of @g/monkey/promises, and not without it', async () => {
    const withDecl = await runNode([tsc, '-p', join(PKG, 'test/types/tsconfig.json')], {
      timeoutMs: 120_000,
    });
    expect(withDecl.stdout + withDecl.stderr, 'tsc output').toBe('');
    expect(withDecl.code, 'tsc exit code').toBe(0);
    const without = await runNode([tsc, '-p', join(PKG, 'test/types/negative/tsconfig.json')], {
      timeoutMs: 120_000,
    });
    expect(without.code).not.toBe(0);
    expect(without.stdout).toContain('error TS2488');
  });
});
