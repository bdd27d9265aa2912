// patchAll / unpatchAll / the late-patching warning, in fresh Node processes.
// gevent test__monkey: test_patch_events, test_patch_twice_warnings_events, test_saved;
// test__monkey_ssl_warning2/3 (the late warning).
import { beforeAll, describe, expect, it } from 'vitest';
import { line, runFixture } from './helpers.js';

describe('patchAll', () => {
  let p: any;
  beforeAll(async () => {
    p = line(await runFixture('patch-all.mjs'), 'patch-all');
  });

  it('sends the events in order, with the settings and the extra options for plugins', () => {
    const settings = { clock: true, timers: true, signals: true, blocking: 'warn', promises: true };
    const extra = { patchTarget: true };
    expect(p.first).toBe(true);
    // On a virtual hub the signals patch does not apply: no module events for it.
    expect(p.firstEvents).toEqual([
      { type: 'willPatchAll', settings, extra },
      'willPatchModule:clock',
      'didPatchModule:clock',
      'willPatchModule:timers',
      'didPatchModule:timers',
      'willPatchModule:blocking',
      'didPatchModule:blocking',
      'willPatchModule:promises',
      'didPatchModule:promises',
      { type: 'didPatchBuiltinModules', settings, extra },
      { type: 'didPatchAll', settings, extra },
    ]);
    expect(p.firstWarnings).toEqual([]);
  });

  it('lets a plugin patch a third-party module from didPatchBuiltinModules, and unpatchAll undoes it', () => {
    expect(p.pluginPatched).toBe('cooperative connect');
    expect(p.pluginRestored).toBe(true);
  });

  it('shares its registry between the ESM and CommonJS builds in one process', () => {
    expect(p.cjsSharesRegistry).toBe(true);
  });

  it('is idempotent: the same call again changes nothing, sends no event and does not warn', () => {
    expect(p.again).toBe(true);
    expect(p.againEvents).toEqual([]);
    expect(p.againWarnings).toEqual([]);
  });

  it('patches the union when called again with other settings, with one warning', () => {
    expect(p.more).toBe(true);
    expect(p.moreEvents.map((e: any) => e.type)).toEqual([
      'willPatchAll',
      'didPatchBuiltinModules',
      'didPatchAll',
    ]);
    expect(p.moreEvents[0].settings).toEqual({ blocking: 'throw' });
    expect(p.moreWarnings).toHaveLength(1);
    expect(p.moreWarnings[0]).toContain('the union of all the calls is patched');
  });

  it('refuses to move the patches to another hub without unpatchAll', () => {
    expect(p.conflict).toMatch(/already run on <Hub #\d+ virtual>.*unpatchAll\(\) first/);
  });

  it('unpatchAll restores every saved original, by identity, ESM named imports included', () => {
    expect(p.entries).toBeGreaterThan(50);
    expect(p.same).toBe(p.entries);
    expect(p.different).toEqual([]);
    expect(p.esmRestored).toBe(true);
    expect(p.nothingPatched).toBe(true);
  });

  it('a DoNotPatch from willPatchAll cancels everything; from willPatchModule it skips one patch', () => {
    expect(p.vetoAll).toBe(false);
    expect(p.vetoAllPatched).toBe(false);
    expect(p.vetoTimers).toBe(true);
    expect(p.afterVeto).toEqual({ timers: false, fs: true });
  });

  it('says to unpatch first when the hub the patches run on was destroyed', () => {
    expect(p.destroyed).toMatch(/was destroyed while Node's timers were patched.*unpatchAll\(\)/);
    expect(p.nativeAfterDestroy).toBe(true);
  });
});

describe('late patching', () => {
  it('warns when loaded modules captured the originals, and names them', async () => {
    const r = line(await runFixture('late.cjs', ['late']), 'late');
    expect(r.libHasPatched).toBe(false);
    const messages = r.warnings
      .filter((w: any) => w.name === 'MonkeyPatchWarning')
      .map((w: any) => w.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('the timers patch came after modules had captured the originals');
    expect(messages[0]).toMatch(/late-lib\.cjs holds globalThis\.setTimeout as exports\.delay/);
    expect(messages[1]).toMatch(/late-lib\.cjs holds fs\.readFileSync as exports\.readFileSync/);
    expect(messages[0]).toContain('node --import @g/monkey/register');
  });

  it('does not warn when patching comes first', async () => {
    const r = line(await runFixture('late.cjs', ['early']), 'late');
    expect(r.libHasPatched).toBe(true);
    expect(r.warnings).toEqual([]);
  });
});
