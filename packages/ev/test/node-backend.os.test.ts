import { describe, expect, it } from 'vitest';
import { Loop, NOWAIT, ONCE } from '../src/index.js';
import { turn } from './helpers.js';
import {
  armedTimers,
  blockFor,
  finished,
  lineFrom,
  runFixture,
  startFixture,
} from './os-helpers.js';

// The Node backend on real time. Margins are wide: a shared 2-core machine.
describe('Node backend: waiting', () => {
  it('waits with exactly one armed Node timer, however many timers are active', async () => {
    const base = armedTimers();
    const loop = new Loop();
    for (let i = 0; i < 1000; i++) loop.timer(10 + i).start(() => {});
    loop.wake(() => {});
    expect(armedTimers()).toBe(base + 1);
    loop.cancelWake();
    expect(armedTimers()).toBe(base);
    // The same during a run() promise.
    const done = loop.run();
    await turn();
    expect(armedTimers()).toBe(base + 1);
    loop.break();
    await done;
    expect(armedTimers()).toBe(base);
    loop.destroy();
  });

  it('uses almost no CPU while it waits (child process waiting ~1 s)', async () => {
    const r = await runFixture('wait-cpu.mjs');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.fired).toBe(1);
    expect(out.elapsed).toBeGreaterThanOrEqual(0.99);
    // A busy wait would use ~1 s; one timer wake-up uses a few ms.
    expect(out.cpu).toBeLessThan(0.15);
  });

  it('rearms its one timer when an earlier timer starts during the wait', async () => {
    const loop = new Loop();
    loop.timer(20).start(() => {});
    const woke = new Promise<number>((resolve) => loop.wake(() => resolve(performance.now())));
    const t0 = performance.now();
    loop.nowUpdate(); // timers count from the cached loop time
    loop.timer(0.05).start(() => {});
    const at = await woke;
    expect(at - t0).toBeGreaterThanOrEqual(45);
    expect(at - t0).toBeLessThan(5000);
    loop.run(NOWAIT);
    loop.destroy();
  });

  it('wake(cb) calls cb from a macrotask when the earliest timer is due, never early', async () => {
    const t0 = performance.now();
    const loop = new Loop(); // its cached time is now >= t0
    const t = loop.timer(0.1);
    let fired = 0;
    t.start(() => fired++);
    let sync = true;
    const woke = new Promise<void>((resolve) =>
      loop.wake(() => {
        expect(sync).toBe(false);
        resolve();
      }),
    );
    sync = false;
    await woke;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(99);
    // Loop time is performance.now() in seconds: the deadline has passed.
    expect(loop.nextDeadline()).toBeLessThanOrEqual(performance.now() / 1000);
    loop.run(NOWAIT);
    expect(fired).toBe(1);
    expect(loop.nextDeadline()).toBe(Infinity);
  });

  it('wake(cb) fires at once while an idle watcher is active', async () => {
    const loop = new Loop();
    loop.timer(30).start(() => {});
    const idle = loop.idle();
    idle.start(() => {});
    const t0 = performance.now();
    await new Promise<void>((resolve) => loop.wake(resolve));
    expect(performance.now() - t0).toBeLessThan(1000);
    loop.destroy();
  });
});

describe('Node backend: timers on real time', () => {
  it('never fire before their time and fire earliest first within one iteration', async () => {
    const loop = new Loop();
    const log: [number, number][] = [];
    const t0 = loop.now();
    for (const d of [0.03, 0.01, 0.02, 0.01])
      loop.timer(d).start(() => log.push([d, loop.now() - t0]));
    blockFor(60); // all four expire before the loop looks
    await loop.run(ONCE);
    expect(log.map((e) => e[0])).toEqual([0.01, 0.01, 0.02, 0.03]);
    for (const [d, elapsed] of log) expect(elapsed).toBeGreaterThan(d);
  });

  it('run() returns once the last timer fired, at or after its time', async () => {
    const t0 = performance.now();
    const loop = new Loop();
    let n = 0;
    loop.timer(0.05, 0.05).start((w) => {
      if (++n === 4) w.stop();
    });
    expect(await loop.run()).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(199);
    expect(n).toBe(4);
  });

  it('keep their remaining time across suspend/resume', async () => {
    const loop = new Loop();
    const t = loop.timer(0.3);
    let firedAt = 0;
    t.start(() => {
      firedAt = performance.now();
    });
    loop.suspend();
    blockFor(400); // the process is "stopped" for 0.4 s
    loop.resume();
    const resumed = performance.now();
    expect(t.remaining()).toBeGreaterThan(0.25);
    expect(t.remaining()).toBeLessThanOrEqual(0.3);
    await loop.run();
    expect(firedAt - resumed).toBeGreaterThanOrEqual(240);
  });

  it('resume() reschedules periodics: events missed while suspended are dropped, not replayed', async () => {
    const loop = new Loop();
    let fired = 0;
    const p = loop.periodic(0, 0.1);
    p.start(() => fired++);
    loop.suspend();
    blockFor(450); // four or five periods pass while "stopped"
    loop.resume();
    expect(p.at).toBeGreaterThan(loop.time() - 0.01);
    expect(p.at).toBeLessThanOrEqual(loop.time() + 0.1);
    loop.run(NOWAIT);
    expect(fired).toBeLessThanOrEqual(1); // no burst of four
    p.stop();
  });

  it('a periodic fires at its wall-clock time', async () => {
    const loop = new Loop();
    const at = loop.time() + 0.15;
    let firedAt = 0;
    loop.periodic(at).start(() => {
      firedAt = Date.now() / 1000;
    });
    await loop.run();
    expect(firedAt).toBeGreaterThanOrEqual(at - 0.002);
  });

  it('nowUpdate() refreshes the cached time after a long callback', () => {
    const loop = new Loop();
    const before = loop.now();
    blockFor(30);
    expect(loop.now()).toBe(before);
    loop.nowUpdate();
    expect(loop.now() - before).toBeGreaterThanOrEqual(0.029);
  });
});

describe('Node backend: ref/unref and process lifetime (child processes)', () => {
  it('a referenced timer keeps run() and the process going until it fired', async () => {
    const r = await runFixture('alive.mjs', ['ref-run']);
    expect(r.stdout).toBe('fired\nreturned\n');
    expect(r.code).toBe(0);
  });

  it("an unref'd timer does not keep run() going: it returns false at once", async () => {
    const r = await runFixture('alive.mjs', ['unref-run']);
    expect(r.stdout).toBe('run false\n');
    expect(r.elapsed).toBeLessThan(10);
  });

  it("an unref'd timer does not keep the process alive while waiting in wake()", async () => {
    const r = await runFixture('alive.mjs', ['unref-wake']);
    expect(r.stdout).toBe('waiting\n');
    expect(r.code).toBe(0);
    expect(r.elapsed).toBeLessThan(10); // not 30 s
  });

  it('loop.unref() after start has the same effect', async () => {
    const r = await runFixture('alive.mjs', ['loop-unref']);
    expect(r.stdout).toBe('waiting\n');
    expect(r.elapsed).toBeLessThan(10);
  });

  it('a referenced timer keeps the process alive while waiting in wake()', async () => {
    const child = startFixture('alive.mjs', ['ref-wake']);
    const done = finished(child);
    await lineFrom(child, (l) => l === 'waiting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBe(null);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal).toBe('SIGTERM');
  });
});
