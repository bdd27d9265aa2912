/**
 * The blocking monitor on the real clock: a greenlet (or callback) that keeps the hub from
 * running longer than maxBlockingTime is reported with its name, its spawner and, with
 * spawnStacks, its spawn site. Port of the idea of test__hub TestPeriodicMonitoringThread
 * (after the fact: JavaScript cannot inspect code while it blocks).
 */
import { describe, expect, test } from 'vitest';
import { type BlockingEvent, createHub, sleep, spawn, startMonitor } from '../src/index.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // computing without yielding
  }
}

describe('startMonitor', () => {
  test('a greenlet that computes for 300 ms is reported with its name, spawner and spawn site', async () => {
    const hub = createHub({ backend: 'node', spawnStacks: true });
    const out: string[] = [];
    hub.exceptionStream = { write: (s: string) => out.push(s) };
    const stop = startMonitor({ hub, maxBlockingTime: 0.1 });
    try {
      await hub.run(function* main() {
        const g = spawn(function crunch(n: number) {
          busy(300);
          return n;
        }, 42);
        const polite = spawn(function* () {
          for (let i = 0; i < 5; i++) yield* sleep(0.001);
        });
        yield* g.join();
        yield* polite.join();
      });
    } finally {
      stop();
      hub.destroy();
    }
    // (On a loaded machine the OS may stall another run past the limit too: only the
    // crunching greenlet is certain to be reported.)
    const crunch = out.filter((l) => l.includes('crunch'));
    expect(crunch).toHaveLength(1);
    expect(crunch[0]).toMatch(
      /<Greenlet "Greenlet-\d+" #\d+: crunch\(42\)> blocked the hub for \d+\.\d{3} s \(spawned by <Greenlet: main\(\)>\)/,
    );
    expect(crunch[0]).toMatch(/spawned at:\n\s+at main \(.*monitor\.os\.test\.ts/);
  });

  test('a custom report gets the event; a blocking timer callback is reported too; stop() ends it', async () => {
    const hub = createHub({ backend: 'node' });
    const events: BlockingEvent[] = [];
    const stop = startMonitor({ hub, maxBlockingTime: 0.05, report: (e) => events.push(e) });
    try {
      await hub.run(function* () {
        const w = (hub.loop as any).timer(0.001, 0);
        w.start(function slowCallback() {
          busy(100);
        });
        yield* sleep(0.2);
      });
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(events.some((e) => e.seconds >= 0.09 && e.seconds < 5)).toBe(true);
      stop();
      const before = events.length;
      await hub.run(function* () {
        busy(100);
        yield* sleep(0);
      });
      expect(events.length).toBe(before);
    } finally {
      stop();
      hub.destroy();
    }
  });

  test('bad options: a RangeError or TypeError, nothing started', () => {
    const hub = createHub({ backend: 'node' });
    expect(() => startMonitor({ hub, maxBlockingTime: 0 })).toThrow(RangeError);
    expect(() => startMonitor({ hub, maxBlockingTime: Number.NaN })).toThrow(RangeError);
    expect(() => startMonitor({ hub, report: 42 as any })).toThrow(TypeError);
    expect(hub._monitor).toBeNull();
    hub.destroy();
  });
});
