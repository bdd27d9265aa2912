// The clock patch, in fresh Node processes.
import { describe, expect, it } from 'vitest';
import { line, runFixture } from './helpers.js';

describe('clock patch', () => {
  it('makes Date.now, new Date(), Date(), performance.now and process.hrtime follow a virtual hub', async () => {
    const r = await runFixture('clock.mjs');
    expect(line(r, 'virtual')).toEqual({
      what: 'virtual',
      dateNow: 3_600_000,
      newDate: 3_600_000,
      dateString: 3600,
      subclass: 3_600_000,
      subclassIsDate: true,
      perfNow: 3_600_000,
      hrtimeBigint: '3600000000000',
      hrtimeDiff: [3600, 0],
      stillBetweenJumps: [true, true],
      loopTime: true,
      argsUnchanged: true,
      statics: true,
      instanceOf: true,
      originals: true,
      patched: true,
    });
  });

  it("leaves the hub machinery on Node's clocks: a Node-backend hub still sleeps in real time", async () => {
    const r = await runFixture('clock.mjs');
    const elapsed = line(r, 'real-hub').elapsed;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('unpatchAll puts Date, Date.now, performance.now and process.hrtime back', async () => {
    const r = await runFixture('clock.mjs');
    expect(line(r, 'unpatched')).toEqual({
      what: 'unpatched',
      date: true,
      now: true,
      perf: true,
      hrtime: true,
      realTime: true,
    });
  });

  it('does not apply to a hub with the real clock (quietly in patchAll, with a warning when asked)', async () => {
    const r = await runFixture('clock-node.mjs');
    expect(line(r, 'node-hub')).toEqual({
      what: 'node-hub',
      quiet: 0,
      explicit: false,
      warnings: ['MonkeyPatchWarning'],
      unchanged: true,
    });
  });
});
