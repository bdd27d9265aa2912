import { describe, expect, it } from 'vitest';
import { SIGNAL } from '../src/index.js';
import { finished, lineFrom, startFixture } from './os-helpers.js';

// ev.pod "ev_signal": signals go to a CHILD process, never to the test runner.
describe('signal watchers (real signals sent to a child process)', () => {
  it('deliver each arrival to every watcher of the signal in the loop; one loop per signal; default restored after stop', async () => {
    const child = startFixture('signal-child.mjs');
    const done = finished(child);
    await lineFrom(child, (l) => l === 'ready');
    let summary = '';
    for (let i = 1; i <= 3; i++) {
      const next = lineFrom(child, (l) => l.startsWith('got') || l.startsWith('stopped'));
      child.kill('SIGUSR2');
      summary = await next;
    }
    expect(summary.startsWith('stopped')).toBe(true);
    const info = JSON.parse(summary.slice('stopped '.length));
    expect(info.counts).toEqual([3, 3]);
    expect(info.revents).toEqual([SIGNAL]);
    expect(info.refused).toMatch(/^SignalInUseError: signal SIGUSR2 is held by loop "default"/);
    expect(info.signum).toBe(12);
    // Watchers stopped: Node's default action for SIGUSR2 (terminate) is back.
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGUSR2');
    const r = await done;
    expect(r.signal).toBe('SIGUSR2');
    expect(r.stdout).not.toMatch(/still alive/);
  });
});
