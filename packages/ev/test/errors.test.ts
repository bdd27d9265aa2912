import { describe, expect, it, vi } from 'vitest';
import {
  EvError,
  isEvError,
  Loop,
  LoopDestroyedError,
  MAXPRI,
  MINPRI,
  NOWAIT,
  Timer,
  UnsupportedError,
  WatcherStateError,
} from '../src/index.js';
import { BACKENDS, makeLoop, vloop } from './helpers.js';

describe.each(BACKENDS)('bad input and misuse (%s backend)', (backend) => {
  it('a priority out of range or not an integer is a RangeError', () => {
    const loop = makeLoop(backend);
    const w = loop.idle();
    for (const bad of [MINPRI - 1, MAXPRI + 1, 0.5, Number.NaN, '1' as any]) {
      expect(() => {
        w.priority = bad;
      }).toThrow(RangeError);
    }
    expect(w.priority).toBe(0);
    w.priority = MAXPRI;
    expect(w.priority).toBe(MAXPRI);
  });

  it('changing the priority of an active or pending watcher is refused (libev forbids it)', () => {
    const loop = makeLoop(backend);
    const w = loop.idle();
    w.start(() => {});
    expect(() => {
      w.priority = 1;
    }).toThrow(WatcherStateError);
    w.stop();
    w.feed();
    expect(() => {
      w.priority = 1;
    }).toThrow(/pending/);
    w.clearPending();
    w.priority = 1;
    expect(w.priority).toBe(1);
    loop.verify();
  });

  it('stopping an inactive watcher does nothing (libev)', () => {
    const loop = makeLoop(backend);
    const t = loop.timer(3);
    t.stop();
    t.stop();
    expect(t.remaining()).toBe(3);
    expect(loop.activeCount).toBe(0);
    loop.verify();
  });

  it('starting an active watcher only replaces its callback', () => {
    const loop = makeLoop(backend);
    const a = vi.fn();
    const b = vi.fn();
    const w = loop.timer(-1);
    w.start(a);
    w.start(b);
    expect(loop.activeCount).toBe(1);
    loop.run(NOWAIT);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('starting without a callback, or with a non-function, is a TypeError', () => {
    const loop = makeLoop(backend);
    expect(() => loop.timer(1).start()).toThrow(/without a callback/);
    expect(() => loop.timer(1).start(42 as any)).toThrow(TypeError);
    expect(() => new Timer({} as any, 1)).toThrow(/needs a Loop/);
  });

  it('starting a watcher on a destroyed loop throws LoopDestroyedError, for every kind', () => {
    const loop = makeLoop(backend);
    const ws = [
      loop.timer(1),
      loop.periodic(0, 1),
      loop.idle(),
      loop.prepare(),
      loop.check(),
      loop.forkWatcher(),
      loop.cleanup(),
      loop.async(),
      loop.embed(makeLoop(backend)),
    ];
    loop.destroy();
    for (const w of ws) expect(() => w.start(() => {})).toThrow(LoopDestroyedError);
    expect(() => ws[0].feed()).toThrow(LoopDestroyedError);
    expect(() => loop.fork()).toThrow(LoopDestroyedError);
  });

  it('a closed watcher cannot be started again; close twice does nothing', () => {
    const loop = makeLoop(backend);
    const t = loop.timer(1);
    t.start(() => {});
    t.data = { big: true };
    t.close();
    t.close();
    expect([t.active, t.closed, t.callback, t.data]).toEqual([false, true, null, undefined]);
    expect(() => t.start(() => {})).toThrow(WatcherStateError);
    {
      using u = loop.timer(2);
      u.start(() => {});
      expect(loop.activeCount).toBe(1);
    }
    expect(loop.activeCount).toBe(0);
  });

  it('an exception from a callback is reported and the loop goes on (other callbacks run)', () => {
    const loop = makeLoop(backend);
    const reports: [unknown, string][] = [];
    loop.handleError = (err, w) => void reports.push([err, w.kind]);
    const log: string[] = [];
    loop.timer(-2).start(() => {
      log.push('first');
      throw new Error('boom');
    });
    loop.timer(-1).start(() => log.push('second'));
    const check = loop.check();
    check.start(() => log.push('check'));
    loop.run(NOWAIT);
    check.stop();
    expect(log).toEqual(['check', 'first', 'second']);
    expect(reports).toHaveLength(1);
    expect((reports[0][0] as Error).message).toBe('boom');
    expect(reports[0][1]).toBe('timer');
    loop.verify();
    // and the loop still works afterwards
    const again = vi.fn();
    loop.timer(-1).start(again);
    loop.run(NOWAIT);
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('the default handleError prints the error with the watcher kind and loop name to stderr', () => {
    const loop = new Loop({ backend, name: 'errs' });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let text = '';
    try {
      loop.idle().start(() => {
        throw new TypeError('bad thing');
      });
      loop.run(NOWAIT);
      text = write.mock.calls.map((c) => String(c[0])).join('');
    } finally {
      write.mockRestore();
    }
    expect(text).toMatch(/idle watcher's callback threw on loop "errs"/);
    expect(text).toMatch(/TypeError: bad thing/);
  });

  it('a handleError that throws lets the error out of run(NOWAIT) with the loop consistent', () => {
    const loop = makeLoop(backend);
    loop.handleError = (err) => {
      throw err;
    };
    const later = vi.fn();
    loop.timer(-2).start(() => {
      throw new Error('fatal');
    });
    loop.timer(-1).start(later);
    expect(() => loop.run(NOWAIT)).toThrow('fatal');
    expect(loop.depth).toBe(0);
    loop.verify();
    expect(loop.pendingCount).toBe(1); // the second timer is still pending
    loop.invokePending();
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('a throwing callback rejects nothing in run(): the promise resolves and the loop went on', async () => {
    const loop = makeLoop(backend);
    const errors: unknown[] = [];
    loop.handleError = (e) => void errors.push(e);
    let n = 0;
    const idle = loop.idle();
    idle.start(() => {
      n++;
      if (n === 5) idle.stop();
      throw new Error(`e${n}`);
    });
    expect(await loop.run()).toBe(false);
    expect(n).toBe(5);
    expect(errors).toHaveLength(5);
  });

  it('errors are EvError subclasses recognised by brand across copies', () => {
    const e = new LoopDestroyedError('x');
    expect(e).toBeInstanceOf(EvError);
    expect(e.name).toBe('LoopDestroyedError');
    expect(isEvError(e)).toBe(true);
    // An error made by another loaded copy of the package: same brand, other class.
    const foreign = Object.create(null);
    foreign[Symbol.for('@g/ev.error')] = ['EvError', 'LoopDestroyedError'];
    expect(foreign instanceof LoopDestroyedError).toBe(true);
    expect(foreign instanceof EvError).toBe(true);
    expect(foreign instanceof WatcherStateError).toBe(false);
    expect(isEvError(new Error('x'))).toBe(false);
  });
});

describe('the virtual clock refuses watchers that need the OS', () => {
  it('io, signal, child and stat throw UnsupportedError naming the fix', () => {
    const loop = vloop();
    expect(() => loop.io(process.stdin, 1)).toThrow(UnsupportedError);
    expect(() => loop.signal('SIGUSR2')).toThrow(/backend 'node'/);
    expect(() => loop.child(0)).toThrow(UnsupportedError);
    expect(() => loop.stat('/tmp')).toThrow(UnsupportedError);
  });

  it('rejects bad loop options', () => {
    expect(() => new Loop({ backend: 'epoll' as any })).toThrow(/unknown loop backend/);
    expect(() => new Loop({ backend: 'node', startTime: 5 })).toThrow(TypeError);
    expect(() => new Loop({ backend: 'virtual', startTime: Number.NaN })).toThrow(RangeError);
    expect(() => new Loop(null as any)).toThrow(TypeError);
  });
});
