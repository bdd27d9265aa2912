import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOWAIT, TIMER, Timer, WatcherStateError } from '../src/index.js';
import { vloop } from './helpers.js';

// ev.pod "ev_timer - relative and optionally repeating timeouts", on the virtual clock.
describe('timers (virtual clock)', () => {
  it('fire at exactly their delay; elapsed virtual time is the sum of the delays', async () => {
    const loop = vloop();
    const times: number[] = [];
    const t = loop.timer(0.25);
    t.start(() => {
      times.push(loop.now());
      if (times.length < 4) {
        t.set(0.5);
        t.start();
      }
    });
    expect(await loop.run()).toBe(false);
    expect(times).toEqual([0.25, 0.75, 1.25, 1.75]);
  });

  it('invoke timers with equal deadlines in the order they were started', async () => {
    const loop = vloop();
    const log: number[] = [];
    for (let i = 0; i < 20; i++) loop.timer(1).start(() => log.push(i));
    await loop.run();
    expect(log).toEqual([...Array(20).keys()]);
  });

  it('invoke timers in (deadline, last start) order: property against a stable sort', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ after: fc.integer({ min: -2, max: 6 }), restart: fc.boolean() }), {
          minLength: 1,
          maxLength: 120,
        }),
        async (specs) => {
          const loop = vloop();
          const fired: number[] = [];
          const timers = specs.map((spec, id) => {
            const t = loop.timer(spec.after / 2);
            t.start(() => fired.push(id));
            return t;
          });
          // Restarting (stop + start keeps the deadline) moves a timer behind every timer
          // started before, among those with the same deadline.
          const order = specs.map((_, id) => id);
          specs.forEach((spec, id) => {
            if (spec.restart) {
              timers[id].stop();
              timers[id].start();
              order.splice(order.indexOf(id), 1);
              order.push(id);
            }
          });
          await loop.run();
          // Timers due at once (after <= 0) all expire in the first iteration, earliest first;
          // later ones one deadline at a time.
          const rank = new Map(order.map((id, i) => [id, i]));
          const model = specs
            .map((spec, id) => ({ id, at: spec.after / 2 }))
            .sort((a, b) => a.at - b.at || rank.get(a.id)! - rank.get(b.id)!)
            .map((e) => e.id);
          expect(fired).toEqual(model);
          loop.verify();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('invoke timers expiring in one iteration earliest deadline first', () => {
    // ev.pod: earlier time-out values are invoked before later ones of the same priority.
    const loop = vloop();
    const log: number[] = [];
    for (const after of [-1, -3, -2, -5, -4]) loop.timer(after).start(() => log.push(after));
    loop.run(NOWAIT);
    expect(log).toEqual([-5, -4, -3, -2, -1]);
  });

  it('stop a one-shot timer before its callback: inactive, not pending, restartable from it', async () => {
    const loop = vloop();
    const states: [boolean, boolean][] = [];
    let fired = 0;
    const t = loop.timer(1);
    t.start((w, revents) => {
      expect(revents).toBe(TIMER);
      states.push([w.active, w.pending]);
      if (++fired < 3) {
        w.set(2);
        w.start();
      }
    });
    await loop.run();
    expect(states).toEqual([
      [false, false],
      [false, false],
      [false, false],
    ]);
    expect(loop.now()).toBe(5);
  });

  it('restart with a plain start() after expiry fires at the next iteration (libev pitfall)', async () => {
    const loop = vloop();
    const times: number[] = [];
    const t = loop.timer(1);
    t.start(() => {
      times.push(loop.now());
      if (times.length === 1) t.start(); // remaining time is 0: due at once
    });
    await loop.run();
    expect(times).toEqual([1, 1]);
  });

  it('keep their remaining time across stop/start', async () => {
    const loop = vloop();
    const t = loop.timer(10);
    t.start(() => {});
    const marker = loop.timer(4);
    marker.start(() => {
      expect(t.remaining()).toBe(6);
      t.stop();
      expect(t.active).toBe(false);
      expect(t.remaining()).toBe(6);
      loop.timer(1).start(() => t.start());
    });
    let firedAt = -1;
    t.callback = () => {
      firedAt = loop.now();
    };
    await loop.run();
    expect(firedAt).toBe(11);
  });

  it('repeat without drift, from the previous expiry', async () => {
    const loop = vloop();
    const times: number[] = [];
    const t = loop.timer(0.5, 1);
    t.start((w) => {
      times.push(loop.now());
      if (times.length === 5) w.stop();
    });
    await loop.run();
    expect(times).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
  });

  it('do not catch up in bursts when behind: at most once per iteration', () => {
    const loop = vloop();
    let count = 0;
    const t = loop.timer(-5.5, 1); // 5.5 s late
    t.start(() => count++);
    loop.run(NOWAIT);
    expect(count).toBe(1); // not 6
    // rescheduled to now: due again at the next iteration, then back on its period
    expect(t.at).toBe(loop.now());
    loop.run(NOWAIT);
    expect(count).toBe(2);
    expect(t.remaining()).toBe(1);
  });

  it('take a changed repeat when next rescheduled (the next expiry was set before the callback)', async () => {
    const loop = vloop();
    const times: number[] = [];
    const t = loop.timer(1, 1);
    t.start((w) => {
      times.push(loop.now());
      if (times.length === 2) w.repeat = 3;
      if (times.length === 4) w.stop();
    });
    await loop.run();
    // At 2 the timer was already rescheduled to 3 (2 + old repeat) before the callback ran;
    // the new repeat applies from that expiry on (libev: "at the next expiry").
    expect(times).toEqual([1, 2, 3, 6]);
  });

  describe('again()', () => {
    it('active + repeating: expires repeat seconds from now (timeout reset on activity)', async () => {
      const loop = vloop();
      const t = loop.timer(5, 3);
      let firedAt = -1;
      t.start((w) => {
        firedAt = loop.now();
        w.stop();
      });
      loop.timer(2).start(() => t.again());
      await loop.run();
      expect(firedAt).toBe(5); // again at 2 -> 2 + 3
    });

    it('active + not repeating: stops the timer', () => {
      const loop = vloop();
      const t = loop.timer(5);
      t.start(() => {});
      t.again();
      expect(t.active).toBe(false);
      loop.verify();
    });

    it('inactive + repeating: starts it with repeat as the timeout', async () => {
      const loop = vloop();
      const t = loop.timer(100, 2);
      const times: number[] = [];
      t.callback = (w) => {
        times.push(loop.now());
        if (times.length === 2) w.stop();
      };
      t.again();
      expect(t.active).toBe(true);
      expect(t.remaining()).toBe(2);
      await loop.run();
      expect(times).toEqual([2, 4]);
    });

    it('inactive + not repeating: does nothing', () => {
      const loop = vloop();
      const t = loop.timer(1);
      t.callback = () => {};
      t.again();
      expect(t.active).toBe(false);
      expect(t.remaining()).toBe(1);
    });

    it('clears a pending event', () => {
      const loop = vloop();
      const t = loop.timer(1, 1);
      let calls = 0;
      t.start(() => calls++);
      t.feed();
      expect(t.pending).toBe(true);
      t.again();
      expect(t.pending).toBe(false);
      loop.run(NOWAIT);
      expect(calls).toBe(0);
    });
  });

  it('measure from the cached loop time, frozen during callbacks, refreshed by nowUpdate()', async () => {
    const loop = vloop();
    const t = loop.timer(3);
    let at = -1;
    t.start(() => {
      const before = loop.now();
      loop.nowUpdate(); // the virtual clock moves only when the loop would wait
      expect(loop.now()).toBe(before);
      at = before;
    });
    expect(t.at).toBe(3);
    await loop.run();
    expect(at).toBe(3);
  });

  it('report remaining() and at while active and inactive', () => {
    const loop = vloop();
    const t = new Timer(loop, 2.5, 1);
    expect(t.remaining()).toBe(2.5);
    expect(t.at).toBe(2.5);
    expect(t.repeat).toBe(1);
    t.start(() => {});
    expect(t.remaining()).toBe(2.5);
    expect(t.at).toBe(2.5);
  });

  it('reject NaN, infinite and negative-repeat times, changing nothing; accept negative after', () => {
    const loop = vloop();
    expect(() => loop.timer(Number.NaN)).toThrow(RangeError);
    expect(() => loop.timer(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => loop.timer(1, -1)).toThrow(/>= 0/);
    expect(() => loop.timer('1' as any)).toThrow(RangeError);
    const t = loop.timer(1, 2);
    expect(() => t.set(Number.NaN, 1)).toThrow(RangeError);
    expect(() => {
      t.repeat = -3;
    }).toThrow(RangeError);
    expect([t.remaining(), t.repeat]).toEqual([1, 2]);
    const neg = loop.timer(-2);
    let fired = false;
    neg.start(() => {
      fired = true;
    });
    loop.run(NOWAIT);
    expect(fired).toBe(true);
  });

  it('refuse set() on an active timer', () => {
    const loop = vloop();
    const t = loop.timer(1);
    t.start(() => {});
    expect(() => t.set(2)).toThrow(WatcherStateError);
    expect(t.remaining()).toBe(1);
  });

  it('cost one heap slot each: 100,000 timers fire in deadline order', async () => {
    const loop = vloop();
    let last = -1;
    let count = 0;
    let ordered = true;
    const cb = (w: Timer) => {
      const at = w.data as number;
      if (at < last) ordered = false;
      last = at;
      count++;
    };
    let seed = 42;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const after = (seed % 10_000) / 1000;
      const t = loop.timer(after);
      t.data = after;
      t.start(cb);
    }
    loop.verify();
    await loop.run();
    expect(count).toBe(100_000);
    expect(ordered).toBe(true);
  });
});
