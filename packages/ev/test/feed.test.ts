import { describe, expect, it, vi } from 'vitest';
import { CUSTOM, IDLE, NOWAIT, READ, TIMER, WRITE } from '../src/index.js';
import { BACKENDS, makeLoop } from './helpers.js';

// ev.pod "ev_feed_event", "ev_clear_pending", "ev_invoke_pending", "ev_set_invoke_pending_cb".
describe.each(BACKENDS)('pending queue (%s backend)', (backend) => {
  it('feeding a pending watcher ORs the bits into one callback', () => {
    const loop = makeLoop(backend);
    const calls: number[] = [];
    const w = loop.timer(100);
    w.callback = (_w, revents) => calls.push(revents);
    loop.feedEvent(w, READ);
    loop.feedEvent(w, WRITE);
    w.feed(CUSTOM);
    expect(loop.pendingCount).toBe(1);
    loop.invokePending();
    expect(calls).toEqual([READ | WRITE | CUSTOM]);
    expect(w.pending).toBe(false);
    loop.verify();
  });

  it('feeds inactive watchers; feed() defaults to the watcher kind event', () => {
    const loop = makeLoop(backend);
    const got: number[] = [];
    const t = loop.timer(1);
    t.callback = (_w, e) => got.push(e);
    const i = loop.idle();
    i.callback = (_w, e) => got.push(e);
    t.feed();
    i.feed();
    expect(t.active).toBe(false);
    expect(t.pending).toBe(true);
    loop.run(NOWAIT);
    expect(got.sort()).toEqual([TIMER, IDLE].sort());
  });

  it('clearPending() returns the pending bits without invoking; stop() clears pending', () => {
    const loop = makeLoop(backend);
    const cb = vi.fn();
    const w = loop.idle();
    w.callback = cb;
    w.feed(READ | CUSTOM);
    expect(loop.clearPending(w)).toBe(READ | CUSTOM);
    expect(w.clearPending()).toBe(0);
    w.start();
    w.feed();
    w.stop();
    expect(w.pending).toBe(false);
    expect(loop.pendingCount).toBe(0);
    loop.run(NOWAIT);
    expect(cb).not.toHaveBeenCalled();
    loop.verify();
  });

  it('a watcher fed from a callback runs in the same invokePending pass', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    const b = loop.idle(true, -2);
    b.callback = () => log.push('b');
    const a = loop.idle();
    a.callback = () => {
      log.push('a');
      b.feed();
    };
    a.feed();
    expect(loop.invokePending()).toBe(2);
    expect(log).toEqual(['a', 'b']);
  });

  it('invokePending(max) invokes at most max, in libev order, and reports the count', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    const mk = (name: string, pri: number) => {
      const w = loop.idle(true, pri);
      w.callback = () => log.push(name);
      return w;
    };
    const ws = [mk('low', -1), mk('mid1', 0), mk('mid2', 0), mk('high', 2)];
    for (const w of ws) w.feed();
    expect(loop.invokePending(1)).toBe(1);
    expect(log).toEqual(['high']);
    expect(loop.pendingCount).toBe(3);
    expect(loop.invokePending(2)).toBe(2);
    expect(log).toEqual(['high', 'mid2', 'mid1']);
    expect(loop.invokePending(5)).toBe(1);
    expect(loop.invokePending()).toBe(0);
    expect(log).toEqual(['high', 'mid2', 'mid1', 'low']);
  });

  it('setInvokePending(cb) replaces each invoke step; null restores it', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.prepare().start(() => log.push('prepare'));
    loop.check().start(() => log.push('check'));
    let hookCalls = 0;
    loop.setInvokePending((l) => {
      hookCalls++;
      // one at a time, with "scheduler" work in between
      while (l.invokePending(1) === 1) log.push('|');
    });
    loop.run(NOWAIT);
    expect(hookCalls).toBe(3); // at run start, after prepare, at the end of the iteration
    expect(log).toEqual(['prepare', '|', 'check', '|']);
    loop.setInvokePending(null);
    log.length = 0;
    loop.run(NOWAIT);
    expect(log).toEqual(['prepare', 'check']);
    expect(() => loop.setInvokePending(5 as any)).toThrow(TypeError);
  });

  it('with a hook that invokes nothing, watchers stay pending for the caller', () => {
    const loop = makeLoop(backend);
    const cb = vi.fn();
    loop.timer(-1).start(cb);
    loop.setInvokePending(() => {});
    loop.run(NOWAIT);
    expect(loop.pendingCount).toBe(1);
    expect(cb).not.toHaveBeenCalled();
    loop.invokePending(1);
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('invokes expired timers earliest-deadline first through invokePending(1)', () => {
    const loop = makeLoop(backend);
    const log: number[] = [];
    for (const d of [-0.1, -0.3, -0.2]) loop.timer(d).start(() => log.push(d));
    loop.setInvokePending(() => {});
    loop.run(NOWAIT);
    while (loop.invokePending(1) === 1);
    expect(log).toEqual([-0.3, -0.2, -0.1]);
  });

  it('feedEvent and clearPending refuse watchers of another loop and bad bits', () => {
    const loop = makeLoop(backend);
    const other = makeLoop(backend);
    const w = other.idle();
    expect(() => loop.feedEvent(w, IDLE)).toThrow(/not a watcher of loop/);
    expect(() => loop.clearPending(w)).toThrow(TypeError);
    expect(() => other.feedEvent(w, 1.5)).toThrow(TypeError);
    expect(() => loop.invokePending(-1)).toThrow(RangeError);
  });
});
