/**
 * Whole programs in child processes on the default (Node) hub: a program ends by itself
 * when its work ends, with no timer, handle or pending promise of the hub left; errors in
 * greenlets are reported and do not end the process; LoopExit rejects run() instead of Node
 * exiting with it pending; Local values are collected with their greenlet.
 */
import { describe, expect, test } from 'vitest';
import { runFixture } from './os-helpers.js';

describe('a program on the default hub, in a child process', () => {
  test("exits by itself when main's work is done: nothing active, queued or awaited is left", async () => {
    const r = await runFixture('exit-clean.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^result quiet,promised,emitted,later,true$/m);
    const m =
      /exit after (\d+) ms; active=(\d+); queued=(\d+); awaited=(\d+); resources=(.*)$/m.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    const [, afterMs, active, queued, awaited, resources] = m!;
    expect([active, queued, awaited]).toEqual(['0', '0', '0']);
    expect(JSON.parse(resources!)).toEqual([]);
    // "By itself, at once": no timer (Timeout grace, kill grace, sleep) holds the process.
    expect(Number(afterMs)).toBeLessThan(500);
  });

  test('an error in a greenlet nobody joins is reported on stderr; the process goes on', async () => {
    const r = await runFixture('greenlet-error.mjs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/main finished/);
    expect(r.stderr).toMatch(/Error: boom 7\n\s+at failing /);
    expect(r.stderr).toMatch(/<Greenlet: failing\(7\)> failed with Error/);
    expect(r.stderr).toMatch(/spawned by <Greenlet: main\(\)>/);
  });

  test('LoopExit: main joining a greenlet that waits on nothing rejects run(), naming both', async () => {
    const r = await runFixture('loop-exit.mjs', ['join']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rejected LoopExit$/m);
    expect(r.stdout).toMatch(/<Greenlet: main\(\)> waits on Greenlet\.join/);
    expect(r.stdout).toMatch(/waits on Greenlet\.join of <Greenlet: stuck\(\)> waits on iwait/);
    expect(r.stdout).toMatch(/1 other greenlet is alive/);
  });

  test('LoopExit: a wait only a plain Node timer could end fails, and says what to do', async () => {
    const r = await runFixture('loop-exit.mjs', ['plain-timer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rejected LoopExit$/m);
    expect(r.stdout).toMatch(/until\(\)\/once\(\)/);
  });

  test('killed greenlets, their kill errors and run() results are not kept by the hub', async () => {
    const r = await runFixture('no-retention.mjs', [], { nodeArgs: ['--expose-gc'] });
    expect(r.stderr).toBe('');
    const grown = [...r.stdout.matchAll(/^(?:round \d|result) (-?[\d.]+)$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(grown).toHaveLength(5);
    // 20,000 greenlets are about 12 MB; what stays is buffers grown by the burst (~2.5 MB).
    for (const mb of grown) expect(mb).toBeLessThan(6);
  });

  test('Local values are collected with their greenlet, and with their Local', async () => {
    const r = await runFixture('local-gc.mjs', [], { nodeArgs: ['--expose-gc'] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/finalized 2; greenlet still referenced: true/);
  });
});
