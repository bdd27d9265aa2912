import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { bundleUrl, fixture } from './os-helpers.js';

// DECISIONS "One copy of the runtime": the ESM and CJS builds loaded in one process.
describe('ESM and CJS builds in one process', () => {
  it('share the default loop and the signal registry; errors are recognised across copies', () => {
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        [fixture('two-copies.mjs'), bundleUrl(), inject('evBundleCjs')],
        {
          encoding: 'utf8',
        },
      ),
    );
    expect(out.distinctClasses).toBe(true);
    expect(out.sameDefaultLoop).toBe(true);
    expect(out.refused).toBe(true);
    expect(out.message).toMatch(/held by loop "esm-loop"/);
    expect(out.isLoop).toBe(true);
    expect(out.crossFired).toBe(1);
    expect(out.runtimeLayout).toBe(1);
    expect(out.extKeys).toContain('@g/ev');
  });
});
