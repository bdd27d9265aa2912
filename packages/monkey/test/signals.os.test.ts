// The signals patch, in fresh Node processes (signals go to the child processes only).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixture, line, PKG, runFixture } from './helpers.js';

describe('signals patch', () => {
  it("runs process.on('SIG...') handlers through the loop, keeps Node's listener API, and unwraps them on unpatchAll", async () => {
    const s = line(await runFixture('signals.mjs'), 'signals');
    // Listeners look like the handlers (wrappers carry .listener, like Node's once).
    expect(s.view).toEqual({
      listeners: ['first', 'h', 'once'],
      count: 3,
      wrapped: true,
      patched: true,
    });
    // process.emit does not call them inside emit: the loop delivers them, in order.
    expect(s.duringEmit).toBe(0);
    expect(s.afterEmit).toEqual([['first'], ['h', 'SIGUSR2', 12, true], ['once', 'SIGUSR2']]);
    expect(s.firstSignal).toEqual([['first'], ['h', 'SIGUSR2', 12, true], ['once', 'SIGUSR2']]);
    expect(s.secondSignal).toEqual([['first'], ['h', 'SIGUSR2', 12, true]]);
    expect(s.afterOff).toBe(1);
    // A SIGINT handler replaces the default action (the process did not end).
    expect(s.sigint).toBe(1);
    // After unpatchAll: the plain handler in place, called by Node's emit directly.
    expect(s.unwrapped).toBe(true);
    expect(s.syncAfterUnpatch).toEqual([['first']]);
  });

  it('warns about handlers added before the patch, and does not apply to a virtual hub', async () => {
    const s = line(await runFixture('signals.mjs'), 'signals');
    expect(s.lateWarning).toHaveLength(1);
    expect(s.lateWarning[0]).toContain("process.on('SIGHUP') x1");
    expect(s.virtual).toBe(false);
    expect(s.warnings).toEqual(['MonkeyPatchWarning', 'MonkeyPatchWarning']);
  });

  it('delivers a signal sent by another process to a handler, through the loop', async () => {
    const child = spawn(process.execPath, [fixture('signal-child.mjs')], {
      cwd: PKG,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const done = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('"ready"') && !stdout.includes('sent')) {
        stdout += 'sent';
        child.kill('SIGTERM');
      }
    });
    const code = await done;
    clearTimeout(killer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('{"what":"handled","sig":"SIGTERM"}');
    expect(stdout).not.toContain('timeout');
  });
});
