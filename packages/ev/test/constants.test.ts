import { describe, expect, it } from 'vitest';
import * as ev from '../src/index.js';

describe('constants', () => {
  // libev ev.h: the values users of libev and gevent know.
  it('has libev values for event bits, run flags, break modes and priorities', () => {
    expect([ev.READ, ev.WRITE, ev.TIMER, ev.PERIODIC, ev.SIGNAL, ev.CHILD, ev.STAT]).toEqual([
      0x01, 0x02, 0x100, 0x200, 0x400, 0x800, 0x1000,
    ]);
    expect([ev.IDLE, ev.PREPARE, ev.CHECK, ev.EMBED, ev.FORK, ev.CLEANUP, ev.ASYNC]).toEqual([
      0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000,
    ]);
    expect(ev.CUSTOM).toBe(0x1000000);
    expect(ev.ERROR >>> 0).toBe(0x80000000);
    expect([ev.NOWAIT, ev.ONCE]).toEqual([1, 2]);
    expect([ev.BREAK_CANCEL, ev.BREAK_ONE, ev.BREAK_ALL]).toEqual([0, 1, 2]);
    expect(ev.BREAK).toEqual({ CANCEL: 0, ONE: 1, ALL: 2 });
    expect(ev.RUN).toEqual({ DEFAULT: 0, NOWAIT: 1, ONCE: 2 });
    expect([ev.MINPRI, ev.MAXPRI]).toEqual([-2, 2]);
  });

  it('names event bits', () => {
    expect(ev.eventNames(ev.READ | ev.WRITE)).toBe('READ|WRITE');
    expect(ev.eventNames(0)).toBe('NONE');
    expect(ev.eventNames(ev.ERROR | ev.READ)).toBe('READ|ERROR');
  });
});
