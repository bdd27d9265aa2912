import { describe, expect, it } from 'vitest';
import { EvError, NOWAIT, PERIODIC, Periodic } from '../src/index.js';
import { vloop } from './helpers.js';

// ev.pod "ev_periodic - to cron or not to cron?", on the virtual clock (wall time =
// startTime + now()).
describe('periodics (virtual clock)', () => {
  it('absolute mode fires once when wall time reaches offset, then stops', async () => {
    const loop = vloop(1000);
    const seen: [number, number, boolean][] = [];
    const p = loop.periodic(1003.5);
    p.start((w, revents) => {
      expect(revents).toBe(PERIODIC);
      seen.push([loop.time(), loop.now(), w.active]);
    });
    expect(p.at).toBe(1003.5);
    await loop.run();
    expect(seen).toEqual([[1003.5, 3.5, false]]);
  });

  it('interval mode fires at offset + N * interval of wall time, aligned, not from the start', async () => {
    const loop = vloop(1000.25);
    const times: number[] = [];
    const p = loop.periodic(0.5, 2); // every 2 s at wall times ...0.5, 2.5, 4.5...
    p.start((w) => {
      times.push(loop.time());
      if (times.length === 3) w.stop();
    });
    expect(p.at).toBe(1000.5);
    await loop.run();
    expect(times).toEqual([1000.5, 1002.5, 1004.5]);
    expect(loop.now()).toBe(4.25);
  });

  it('manual mode asks the reschedule callback for each next time', async () => {
    const loop = vloop(500);
    const asked: number[] = [];
    const times: number[] = [];
    const p = loop.periodic(0, 0, (_w, now) => {
      asked.push(now);
      return Math.floor(now / 10) * 10 + 10; // next multiple of 10
    });
    p.start((w) => {
      times.push(loop.time());
      if (times.length === 3) w.stop();
    });
    await loop.run();
    expect(times).toEqual([510, 520, 530]);
    expect(asked).toEqual([500, 510, 520, 530]);
  });

  it('a reschedule callback returning a past time is reported and stops the periodic; at start it throws', async () => {
    const loop = vloop(100);
    const errors: unknown[] = [];
    loop.handleError = (err) => void errors.push(err);
    let n = 0;
    const p = loop.periodic(0, 0, (_w, now) => (++n === 1 ? now + 1 : now - 5));
    p.start(() => {});
    await loop.run();
    expect(p.active).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EvError);
    expect(String(errors[0])).toMatch(/time >= now/);

    const bad = loop.periodic(0, 0, () => Number.NaN);
    expect(() => bad.start(() => {})).toThrow(/time >= now/);
    expect(bad.active).toBe(false);
    const throws = loop.periodic(0, 0, () => {
      throw new Error('boom');
    });
    expect(() => throws.start(() => {})).toThrow('boom');
    loop.verify();
  });

  it('again() applies a changed interval and offset', async () => {
    const loop = vloop(0);
    const times: number[] = [];
    const p = new Periodic(loop, 0, 10);
    p.start((w) => {
      times.push(loop.time());
      if (times.length === 1) {
        w.interval = 3;
        w.offset = 1;
        w.again();
      } else if (times.length === 3) w.stop();
    });
    await loop.run();
    expect(times).toEqual([10, 13, 16]);
  });

  it('resume() reschedules periodics from the wall clock', () => {
    const loop = vloop(0);
    const p = loop.periodic(0, 5);
    p.start(() => {});
    expect(p.at).toBe(5);
    loop.suspend();
    loop.resume();
    expect(p.at).toBe(5);
    loop.verify();
  });

  it('rejects bad arguments with RangeError/TypeError, changing nothing', () => {
    const loop = vloop();
    expect(() => loop.periodic(Number.NaN)).toThrow(RangeError);
    expect(() => loop.periodic(0, -1)).toThrow(RangeError);
    expect(() => loop.periodic(0, 1, 5 as any)).toThrow(TypeError);
    const p = loop.periodic(0, 1);
    expect(() => {
      p.interval = Number.POSITIVE_INFINITY;
    }).toThrow(RangeError);
    expect(p.interval).toBe(1);
  });

  it('counts in nextDeadline() in loop time', () => {
    const loop = vloop(1000);
    loop.periodic(1007).start(() => {});
    loop.timer(9).start(() => {});
    expect(loop.nextDeadline()).toBe(7);
    loop.run(NOWAIT);
  });
});
