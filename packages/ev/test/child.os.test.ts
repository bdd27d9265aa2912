import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CHILD, type Child, defaultLoop, Loop } from '../src/index.js';

const node = process.execPath;

// ev.pod "ev_child": real child processes.
describe('child watchers', () => {
  it('report a child exit: rpid, rstatus (code << 8), exitCode; the watcher stays active', async () => {
    const loop = new Loop();
    const proc = spawn(node, ['-e', 'setTimeout(() => process.exit(3), 100)'], { stdio: 'ignore' });
    const got: [number, number, number | null, string | null, boolean][] = [];
    const w = loop.child(proc);
    expect(w.pid).toBe(proc.pid);
    w.start((c: Child, revents) => {
      expect(revents).toBe(CHILD);
      got.push([c.rpid, c.rstatus, c.exitCode, c.signalCode, c.active]);
      c.stop();
    });
    await loop.run();
    expect(got).toEqual([[proc.pid!, 3 << 8, 3, null, true]]);
  });

  it('report a child killed by a signal: rstatus is the signal number', async () => {
    const loop = new Loop();
    const proc = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const w = loop.child(proc);
    let status = -1;
    let sig: string | null = null;
    w.start((c: Child) => {
      status = c.rstatus;
      sig = c.signalCode;
      c.stop();
    });
    setTimeout(() => proc.kill('SIGTERM'), 100);
    await loop.run();
    expect(status).toBe(15);
    expect(sig).toBe('SIGTERM');
  });

  it('watch by pid, and pid 0 sees every child (started after tracking began)', async () => {
    const loop = defaultLoop(); // making the default loop starts child tracking
    const procs = [0, 1, 2].map((i) =>
      spawn(node, ['-e', `setTimeout(() => process.exit(${10 + i}), ${50 + i * 50})`], {
        stdio: 'ignore',
      }),
    );
    const any: [number, number][] = [];
    const byPid: number[] = [];
    const all = loop.child(0);
    all.start((c: Child) => {
      any.push([c.rpid, c.exitCode!]);
      if (any.length === 3) c.stop();
    });
    const one = loop.child(procs[1].pid!);
    one.start((c: Child) => {
      byPid.push(c.exitCode!);
      c.stop();
    });
    await loop.run();
    expect(any.sort((a, b) => a[1] - b[1])).toEqual(procs.map((p, i) => [p.pid!, 10 + i]));
    expect(byPid).toEqual([11]);
  });

  it('a child that already exited fires at the next iteration', async () => {
    const loop = new Loop();
    const proc = spawn(node, ['-e', 'process.exit(7)'], { stdio: 'ignore' });
    await once(proc, 'exit');
    const w = loop.child(proc);
    let code: number | null = -1;
    w.start((c: Child) => {
      code = c.exitCode;
      c.stop();
    });
    await loop.run();
    expect(code).toBe(7);
  });

  it('refuses bad targets', () => {
    const loop = new Loop();
    expect(() => loop.child(-1)).toThrow(RangeError);
    expect(() => loop.child('x' as any)).toThrow(TypeError);
  });
});
