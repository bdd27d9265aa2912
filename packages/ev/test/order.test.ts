import { describe, expect, it } from 'vitest';
import { NOWAIT } from '../src/index.js';
import { BACKENDS, makeLoop } from './helpers.js';

// ev.pod "ev_run": fork, prepare, poll, timers, periodics, idle, check, then pending by
// priority; ev.c ev_invoke_pending pops each priority's queue from its end.
describe.each(BACKENDS)('iteration order (%s backend)', (backend) => {
  it('runs fork, then prepare, then check, idle, periodic, timer, fed events: libev order', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    const rec = (name: string) => () => void log.push(name);
    loop.forkWatcher().start(rec('fork'));
    loop.prepare().start(rec('prepare'));
    loop.check().start(rec('check'));
    // Due at once: negative after / offset in the past.
    loop.timer(-1).start(rec('timer'));
    loop.periodic(loop.time() - 10).start(rec('periodic'));
    const fed = loop.idle();
    fed.callback = rec('fed');
    loop.fork();
    loop.feedEvent(fed, 0); // already pending when run starts: invoked first
    loop.run(NOWAIT);
    expect(log).toEqual(['fed', 'fork', 'prepare', 'check', 'periodic', 'timer']);
    loop.verify();
  });

  it('queues idle watchers after timers and periodics, before check (invoked check first)', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.idle(true, 1).start(() => log.push('idle+1'));
    loop.check().start(() => log.push('check'));
    loop.timer(-1).start(() => log.push('timer'));
    loop.run(NOWAIT);
    // idle at priority 1 runs: nothing of priority >= 1 pending; it is invoked before the
    // priority-0 check and timer because of its priority.
    expect(log).toEqual(['idle+1', 'check', 'timer']);
  });

  it('invokes higher priorities first, whatever the kind', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.check(true, -2).start(() => log.push('check-2'));
    loop.timer(-1, 0, true, 2).start(() => log.push('timer+2'));
    loop.timer(-1, 0, true, -1).start(() => log.push('timer-1'));
    loop.prepare(true, -2).start(() => log.push('prepare-2'));
    const w = loop.idle(true, 1);
    w.callback = () => log.push('fed+1');
    loop.run(NOWAIT); // prepare only (w not fed yet)
    expect(log).toEqual(['prepare-2', 'timer+2', 'timer-1', 'check-2']);
    loop.verify();
  });

  it('re-scans from the highest priority after each callback (a fed higher one runs next)', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    const high = loop.idle(true, 2);
    high.callback = () => log.push('high');
    loop.check(true, -1).start(() => log.push('check-1'));
    loop.check(true, 0).start(() => {
      log.push('check0');
      loop.feedEvent(high, 0);
    });
    loop.check(true, 0).start(() => log.push('check0b'));
    loop.run(NOWAIT);
    expect(log).toEqual(['check0b', 'check0', 'high', 'check-1']);
  });

  it('starves idle watchers while something of the same or higher priority is pending', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.idle(true, 0).start(() => log.push('idle0'));
    loop.idle(true, -1).start(() => log.push('idle-1'));
    const t = loop.timer(-1);
    t.start(() => log.push('timer0'));
    loop.run(NOWAIT);
    // A priority-0 timer was pending: no idle at 0, and lower idles are never reached.
    expect(log).toEqual(['timer0']);
    log.length = 0;
    loop.run(NOWAIT);
    // Nothing pending: only the highest priority with idle watchers runs.
    expect(log).toEqual(['idle0']);
    log.length = 0;
    const hi = loop.timer(-1, 0, true, 1);
    hi.start(() => log.push('timer+1'));
    loop.run(NOWAIT);
    expect(log).toEqual(['timer+1']);
  });

  it('runs a lower-priority idle watcher once higher idle watchers stop', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    const top = loop.idle(true, 1);
    top.start(() => log.push('idle+1'));
    loop.idle(true, -2).start(() => log.push('idle-2'));
    loop.run(NOWAIT);
    top.stop();
    loop.run(NOWAIT);
    expect(log).toEqual(['idle+1', 'idle-2']);
  });

  it('does not count prepare, check or idle watchers as pending work for the idle rule', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.prepare(true, 2).start(() => log.push('prepare'));
    loop.check(true, 2).start(() => log.push('check'));
    loop.idle(true, 0).start(() => log.push('idle'));
    loop.idle(true, 0).start(() => log.push('idle2'));
    loop.run(NOWAIT);
    expect(log).toEqual(['prepare', 'check', 'idle2', 'idle']);
  });

  it('invokes prepare/check/idle of one priority last-started first (libev LIFO queue)', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    for (const n of [1, 2, 3]) loop.check().start(() => log.push(`c${n}`));
    loop.run(NOWAIT);
    expect(log).toEqual(['c3', 'c2', 'c1']);
  });

  it('invokes already-pending watchers when run starts, before fork and prepare', () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    loop.prepare().start(() => log.push('prepare'));
    const w = loop.timer(10);
    w.callback = () => log.push('fed');
    w.feed();
    loop.run(NOWAIT);
    expect(log).toEqual(['fed', 'prepare']);
  });

  it('counts iterations (between prepare and check) and depth', () => {
    const loop = makeLoop(backend);
    const seen: [string, number, number][] = [];
    loop.prepare().start(() => seen.push(['prepare', loop.iteration, loop.depth]));
    loop.check().start(() => seen.push(['check', loop.iteration, loop.depth]));
    expect(loop.depth).toBe(0);
    loop.run(NOWAIT);
    loop.run(NOWAIT);
    expect(seen).toEqual([
      ['prepare', 0, 1],
      ['check', 1, 1],
      ['prepare', 1, 1],
      ['check', 2, 1],
    ]);
    expect(loop.depth).toBe(0);
  });
});
