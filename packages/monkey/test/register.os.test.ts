// The preload entry: node --import @g/monkey/register (and --require), settings from the
// environment, resolution from a consumer's node_modules.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, line, PKG, runNode } from './helpers.js';

async function preload(
  flag: '--import' | '--require',
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd = PKG,
) {
  const r = await runNode([flag, '@g/monkey/register', script, ...args], {
    cwd,
    env: { G_MONKEY: undefined, G_MONKEY_BLOCKING: undefined, G_CLOCK: undefined, ...env },
  });
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('preload entry', () => {
  it('runs a plain Node program on a virtual clock (G_CLOCK=virtual): 25 hours of timers at once', async () => {
    const t0 = performance.now();
    const r = await preload('--import', fixture('app-plain.mjs'), ['3600000'], {
      G_CLOCK: 'virtual',
    });
    const realSeconds = (performance.now() - t0) / 1000;
    // sleep 1 unit, an interval of 23 units, p-retry back-off 0.5 + 1 unit: 25.5 units.
    expect(line(r, 'app')).toEqual({
      what: 'app',
      units: 25.5,
      attempts: 3,
      patched: ['blocking', 'clock', 'timers'],
    });
    expect(realSeconds).toBeLessThan(30);
    expect(r.stderr).toBe('');
  });

  it('runs the same program on real time by default (timers, signals, blocking patched)', async () => {
    const r = await preload('--import', fixture('app-plain.mjs'), ['20']);
    const app = line(r, 'app');
    expect(app.patched).toEqual(['blocking', 'signals', 'timers']);
    expect(app.units).toBeGreaterThanOrEqual(25.5);
    expect(r.stderr).toBe('');
  });

  it('makes the virtual hub the default hub of @g/hub, and reports blocking calls (G_MONKEY_BLOCKING)', async () => {
    const r = await preload('--import', fixture('app-greenlets.mjs'), [], { G_CLOCK: 'virtual' });
    expect(line(r, 'greenlets')).toEqual({ what: 'greenlets', backend: 'virtual', seconds: 7200 });
    expect(r.stderr).toContain('BlockingCallWarning: fs.statSync() blocks the hub');
    const thrown = await runNode(['--import', '@g/monkey/register', fixture('app-greenlets.mjs')], {
      cwd: PKG,
      env: { G_CLOCK: 'virtual', G_MONKEY_BLOCKING: 'throw', G_MONKEY: undefined },
    });
    expect(thrown.code).not.toBe(0);
    expect(thrown.stderr).toContain('BlockingCallError');
  });

  it('G_MONKEY selects the patches; none patches nothing', async () => {
    const none = await preload('--import', fixture('app-plain.mjs'), ['20'], { G_MONKEY: 'none' });
    expect(line(none, 'app').patched).toEqual([]);
    const some = await preload('--import', fixture('app-plain.mjs'), ['20'], {
      G_MONKEY: 'timers,promises',
    });
    expect(line(some, 'app').patched).toEqual(['promises', 'timers']);
  });

  it('refuses an unknown G_MONKEY value before the program starts', async () => {
    const r = await runNode(['--import', '@g/monkey/register', fixture('app-plain.mjs')], {
      cwd: PKG,
      env: { G_MONKEY: 'timers,sockets' },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('G_MONKEY: unknown patch "sockets"');
    expect(r.json).toEqual([]);
  });

  it('works with --require for a CommonJS program', async () => {
    const r = await preload('--require', fixture('app-plain.cjs'), ['3600000'], {
      G_CLOCK: 'virtual',
    });
    expect(line(r, 'app-cjs')).toEqual({
      what: 'app-cjs',
      units: 1,
      patched: ['blocking', 'clock', 'timers'],
    });
  });

  describe("from a consumer's node_modules", () => {
    const dir = mkdtempSync(join(tmpdir(), 'g-monkey-consumer-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'node_modules', '@g'), { recursive: true });
    symlinkSync(PKG, join(dir, 'node_modules', '@g', 'monkey'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true }\n');
    const app =
      'const t0 = Date.now();\n' +
      'setTimeout(() => console.log(JSON.stringify({ what: "consumer", hours: (Date.now() - t0) / 3600000 })), 3600000);\n';
    writeFileSync(join(dir, 'app.mjs'), app);
    writeFileSync(join(dir, 'app.cjs'), app);

    it('resolves node --import @g/monkey/register and --require from there', async () => {
      const esm = await preload('--import', join(dir, 'app.mjs'), [], { G_CLOCK: 'virtual' }, dir);
      expect(line(esm, 'consumer')).toEqual({ what: 'consumer', hours: 1 });
      const cjs = await preload('--require', join(dir, 'app.cjs'), [], { G_CLOCK: 'virtual' }, dir);
      expect(line(cjs, 'consumer')).toEqual({ what: 'consumer', hours: 1 });
    });
  });
});
