import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { natives } from '../src/index.js';
import { bundleUrl, fixture } from './os-helpers.js';

// The loop keeps Node's own timers, clocks and process listeners (natives.ts): patched
// globals (@g/monkey) must never reach its machinery.
describe('natives: Node functions captured when @g/ev loads', () => {
  it('timers, a signal, async, wake() and run() work after every global is replaced by a throwing stub', () => {
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        [fixture('patched-globals.mjs'), bundleUrl(), inject('evBundleCjs')],
        { encoding: 'utf8', timeout: 20_000 },
      ),
    );
    expect(out.calls).toEqual([]);
    expect(out.sharedNatives).toBe(true); // a copy loaded after the patch shares them
    expect(out.nodeFunctions).toBe(true);
    expect(out.frozen).toBe(true);
    expect(out.run).toBe(false);
    expect(out.ticks).toBe(3);
    expect(out.signals).toBe(1);
    expect(out.asyncs).toBe(1);
    expect(out.advanced).toBe(true);
    expect(out.woke).toBe(1);
    expect(out.time).toBe(true);
  });

  it('are the functions Node had, read only', () => {
    expect(natives.setTimeout).toBe(globalThis.setTimeout);
    expect(natives.setImmediate).toBe(globalThis.setImmediate);
    expect(natives.clearImmediate).toBe(globalThis.clearImmediate);
    expect(natives.dateNow).toBe(Date.now);
    expect(natives.hrtime).toBe(process.hrtime);
    expect(Math.abs(natives.perfNow() - performance.now())).toBeLessThan(60_000);
    expect(Object.isFrozen(natives)).toBe(true);
    expect(() => {
      (natives as any).setTimeout = () => {};
    }).toThrow(TypeError);
  });
});
