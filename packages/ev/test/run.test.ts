import { describe, expect, it } from 'vitest';
import {
  type Async,
  BREAK_ALL,
  BREAK_CANCEL,
  BREAK_ONE,
  type Loop,
  LoopBusyError,
  LoopDestroyedError,
  NOWAIT,
  ONCE,
} from '../src/index.js';
import { BACKENDS, makeLoop, turn, vloop } from './helpers.js';

// ev.pod "ev_run", "ev_break", "ev_ref/ev_unref".
describe.each(BACKENDS)('run flags and ref counting (%s backend)', (backend) => {
  it('run(NOWAIT) is synchronous and returns whether referenced watchers are active', () => {
    const loop = makeLoop(backend);
    expect(loop.run(NOWAIT)).toBe(false);
    const t = loop.timer(100);
    t.start(() => {});
    expect(loop.run(NOWAIT)).toBe(true);
    t.ref = false;
    expect(loop.activeCount).toBe(0);
    expect(loop.run(NOWAIT)).toBe(false);
    t.ref = true;
    expect(loop.alive).toBe(true);
    t.stop();
    expect(loop.run(NOWAIT)).toBe(false);
    loop.verify();
  });

  it('run() returns false at once when nothing referenced is active (unref after start)', async () => {
    const loop = makeLoop(backend);
    const t = loop.timer(1000);
    t.start(() => {});
    loop.unref(); // libev idiom: start, then unref
    expect(loop.activeCount).toBe(0);
    expect(await loop.run()).toBe(false);
    expect(t.active).toBe(true);
    loop.ref();
    t.stop();
    loop.verify();
  });

  it('ref and unref count like libev; cleanup watchers hold no reference', () => {
    const loop = makeLoop(backend);
    const c = loop.cleanup();
    c.start(() => {});
    expect(loop.activeCount).toBe(0);
    c.ref = true;
    expect(loop.activeCount).toBe(0);
    const i = loop.idle(false);
    i.start(() => {});
    expect(loop.activeCount).toBe(0);
    i.ref = true;
    expect(loop.activeCount).toBe(1);
    loop.ref();
    expect(loop.activeCount).toBe(2);
    loop.unref();
    i.stop();
    expect(loop.activeCount).toBe(0);
    loop.verify();
  });

  it('run(ONCE) runs one iteration', async () => {
    const loop = makeLoop(backend);
    let checks = 0;
    loop.check().start(() => checks++);
    const idle = loop.idle();
    idle.start(() => {});
    expect(await loop.run(ONCE)).toBe(true);
    expect(checks).toBe(1);
    idle.stop();
    loop.destroy();
  });

  it('break(ONE) ends run() after the iteration; the next run starts without it', async () => {
    const loop = makeLoop(backend);
    let n = 0;
    const idle = loop.idle();
    idle.start(() => {
      if (++n === 3) loop.break();
    });
    expect(await loop.run()).toBe(true);
    expect(n).toBe(3);
    idle.callback = () => {
      if (++n === 5) idle.stop();
    };
    expect(await loop.run()).toBe(false);
    expect(n).toBe(5);
  });

  it('break(ONE) in a nested run(NOWAIT) ends only it; break(ALL) ends the outer run too', async () => {
    const loop = makeLoop(backend);
    const log: string[] = [];
    let depthSeen = 0;
    let round = 0;
    const outer = loop.idle(true, 1);
    outer.start(() => {
      round++;
      log.push(`outer${round}`);
      if (round === 2) {
        inner.start(() => {
          depthSeen = loop.depth;
          loop.break(BREAK_ONE);
        });
        loop.run(NOWAIT);
        inner.stop();
        log.push('after inner ONE');
      }
      if (round === 3) {
        inner.start(() => loop.break(BREAK_ALL));
        loop.run(NOWAIT);
        inner.stop();
        log.push('after inner ALL');
      }
    });
    const inner = loop.idle(true, 2);
    await loop.run();
    expect(depthSeen).toBe(2);
    expect(log).toEqual(['outer1', 'outer2', 'after inner ONE', 'outer3', 'after inner ALL']);
    expect(loop.depth).toBe(0);
    outer.stop();
  });

  it('break(CANCEL) undoes a break', async () => {
    const loop = makeLoop(backend);
    let n = 0;
    const idle = loop.idle();
    idle.start(() => {
      n++;
      loop.break(BREAK_ALL);
      loop.break(BREAK_CANCEL);
      if (n === 4) idle.stop();
    });
    await loop.run();
    expect(n).toBe(4);
  });

  it('only one promise run at a time; wake() during run() is refused', async () => {
    const loop = makeLoop(backend);
    const idle = loop.idle();
    let n = 0;
    idle.start(() => {
      if (++n === 3) idle.stop();
    });
    const first = loop.run();
    await expect(loop.run()).rejects.toBeInstanceOf(LoopBusyError);
    expect(() => loop.wake(() => {})).toThrow(LoopBusyError);
    expect(await first).toBe(false);
  });

  it('rejects unknown run flags and break modes', () => {
    const loop = makeLoop(backend);
    expect(() => loop.run(4 as any)).toThrow(RangeError);
    expect(() => loop.break(7)).toThrow(RangeError);
  });

  it('destroyed loops refuse run, wake and watchers', async () => {
    const loop: Loop = makeLoop(backend);
    loop.destroy();
    expect(() => loop.run(NOWAIT)).toThrow(LoopDestroyedError);
    await expect(loop.run()).rejects.toBeInstanceOf(LoopDestroyedError);
    expect(() => loop.wake(() => {})).toThrow(LoopDestroyedError);
    expect(() => loop.timer(1).start(() => {})).toThrow(LoopDestroyedError);
    expect(() => loop.externalWait()).toThrow(LoopDestroyedError);
    loop.destroy(); // twice: nothing
  });
});

describe('run() and wake() on the virtual clock', () => {
  it('run() waits by jumping to the next deadline; idle watchers keep it from waiting', async () => {
    const loop = vloop();
    const log: string[] = [];
    loop.timer(5).start(() => log.push(`timer@${loop.now()}`));
    let idles = 0;
    const idle = loop.idle();
    idle.start(() => {
      if (++idles === 3) idle.stop();
    });
    await loop.run();
    expect(idles).toBe(3);
    expect(log).toEqual(['timer@5']);
  });

  it('wake(cb) calls cb from a macrotask, after advancing time to the next timer', async () => {
    const loop = vloop();
    const t = loop.timer(2.5);
    t.start(() => {});
    let woke = -1;
    loop.wake(() => {
      woke = loop.now();
    });
    expect(woke).toBe(-1); // never synchronously
    await turn();
    await turn();
    expect(woke).toBe(2.5);
    expect(t.pending).toBe(false); // the timer is due; the caller runs the iteration
    expect(loop.run(NOWAIT)).toBe(false);
    expect(t.active).toBe(false);
  });

  it('wake(cb) fires at once when something is pending, without moving time', async () => {
    const loop = vloop();
    loop.timer(10).start(() => {});
    const w = loop.idle();
    w.callback = () => {};
    w.feed();
    let woke = -1;
    loop.wake(() => {
      woke = loop.now();
    });
    await turn();
    expect(woke).toBe(0);
  });

  it('wake(cb2) replaces wake(cb); cancelWake() drops the request', async () => {
    const loop = vloop();
    loop.timer(1).start(() => {});
    const calls: string[] = [];
    loop.wake(() => calls.push('a'));
    loop.wake(() => calls.push('b'));
    await turn();
    await turn();
    expect(calls).toEqual(['b']);
    loop.wake(() => calls.push('c'));
    loop.cancelWake();
    await turn();
    await turn();
    expect(calls).toEqual(['b']);
    expect(loop.now()).toBe(1);
  });

  it('gives promise continuations one macrotask turn before moving time', async () => {
    const loop = vloop();
    const log: string[] = [];
    loop.timer(10).start(() => log.push('late'));
    // A continuation that starts an earlier timer after a few microtasks.
    Promise.resolve()
      .then(() => undefined)
      .then(() => loop.timer(1).start(() => log.push(`early@${loop.now()}`)));
    await loop.run();
    expect(log).toEqual(['early@1', 'late']);
  });

  it('externalWait() holds virtual time still and keeps run() going until released', async () => {
    const loop = vloop();
    const log: string[] = [];
    loop.timer(3).start(() => log.push(`t@${loop.now()}`));
    const release = loop.externalWait();
    expect(loop.activeCount).toBe(2);
    const done = loop.run();
    for (let i = 0; i < 5; i++) await turn();
    expect(loop.now()).toBe(0);
    expect(log).toEqual([]);
    // A fed event is handled while held; time still does not move.
    const w = loop.idle();
    w.callback = () => log.push(`fed@${loop.now()}`);
    loop.feedEvent(w, 0);
    for (let i = 0; i < 3; i++) await turn();
    expect(log).toEqual(['fed@0']);
    release();
    release(); // twice: nothing
    expect(await done).toBe(false);
    expect(log).toEqual(['fed@0', 't@3']);
    expect(loop.activeCount).toBe(0);
    loop.verify();
  });

  it('with no deadline and nothing pending, wake waits for a fed event', async () => {
    const loop = vloop();
    const w = loop.async();
    w.start(() => {});
    let woke = false;
    loop.wake(() => {
      woke = true;
    });
    for (let i = 0; i < 3; i++) await turn();
    expect(woke).toBe(false);
    w.send();
    await turn();
    expect(woke).toBe(true);
    w.stop();
  });

  it('is deterministic: the same program gives the same order and times', async () => {
    const program = async () => {
      const loop = vloop();
      const log: string[] = [];
      let seed = 7;
      const rand = () => {
        seed = (seed * 16807) % 2147483647;
        return seed / 2147483647;
      };
      for (let i = 0; i < 50; i++) {
        const t = loop.timer(Math.floor(rand() * 20) / 4, i % 7 === 0 ? 0.75 : 0);
        let n = 0;
        t.start((w) => {
          log.push(`${i}@${loop.now()}`);
          if (++n === 3) w.stop();
          if (i % 5 === 0 && n === 1)
            loop.timer(rand()).start(() => log.push(`child${i}@${loop.now()}`));
        });
      }
      loop.periodic(0, 1.5).start(() => log.push(`p@${loop.now()}`));
      loop.timer(8).start(() => loop.break(BREAK_ALL));
      await loop.run();
      return log;
    };
    const a = await program();
    const b = await program();
    expect(a.length).toBeGreaterThan(60);
    expect(b).toEqual(a);
  });

  it('suspend/resume keeps timers remaining time (no time passes on the virtual clock)', () => {
    const loop = vloop();
    const t = loop.timer(4);
    t.start(() => {});
    loop.suspend();
    loop.resume();
    expect(t.remaining()).toBe(4);
    expect(() => loop.resume()).toThrow(/without suspend/);
  });
});

// ev.pod "ev_run": "returns when there are no active watchers (which are not unref'd)". Here
// the count can fall to 0 from code outside the loop while a driver waits. The referenced
// watcher is an async watcher (no deadline: on the virtual clock a timer would be jumped to);
// on Node an unreferenced far timer is active too and must not be waited for.
describe.each(BACKENDS)('the loop stops being alive while waiting (%s backend)', (backend) => {
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await turn();
  };
  const setup = () => {
    const loop = makeLoop(backend);
    const w = loop.async();
    let fired = 0;
    w.start(() => fired++);
    const far = loop.timer(1000, 0, false);
    if (backend === 'node') far.start(() => fired++);
    return { loop, w, far, fired: () => fired };
  };
  const ways: [string, (loop: Loop, w: Async) => void][] = [
    ['stopped', (_loop, w) => w.stop()],
    ["unref'd", (_loop, w) => void (w.ref = false)],
    ['released by loop.unref()', (loop) => loop.unref()],
  ];

  it.each(ways)(
    'wake(cb) is called once when the last referenced watcher is %s from outside',
    async (_how, drop) => {
      const { loop, w, far, fired } = setup();
      let calls = 0;
      loop.wake(() => calls++);
      await turns(3);
      expect(calls).toBe(0);
      drop(loop, w);
      expect(calls).toBe(0); // never synchronously
      await turns(3);
      expect(calls).toBe(1);
      expect(loop.alive).toBe(false);
      expect(loop.run(NOWAIT)).toBe(false);
      expect(fired()).toBe(0);
      w.stop();
      far.stop();
      loop.verify();
    },
  );

  it('wake(cb) is called when the last externalWait() is released', async () => {
    const loop = makeLoop(backend);
    const release = loop.externalWait();
    let calls = 0;
    loop.wake(() => calls++);
    await turns(3);
    expect(calls).toBe(0);
    release();
    await turns(3);
    expect(calls).toBe(1);
  });

  it('a stop followed at once by a start (the count back above 0) calls nothing', async () => {
    const { loop, w, far } = setup();
    let calls = 0;
    loop.wake(() => calls++);
    w.stop();
    w.start();
    loop.unref();
    loop.ref();
    await turns(4);
    expect(calls).toBe(0);
    loop.cancelWake();
    w.stop();
    far.stop();
  });

  it('run() resolves false when the last referenced watcher is stopped from outside', async () => {
    const { loop, w, far, fired } = setup();
    let result: boolean | undefined;
    const done = loop.run().then((r) => {
      result = r;
    });
    await turns(3);
    expect(result).toBeUndefined();
    w.stop();
    await turns(4);
    expect(result).toBe(false);
    await done;
    expect(fired()).toBe(0);
    expect(loop.depth).toBe(0);
    far.stop();
    loop.verify();
  });

  it('run() resolves false when the externalWait() keeping it going is released', async () => {
    const loop = makeLoop(backend);
    const release = loop.externalWait();
    let result: boolean | undefined;
    const done = loop.run().then((r) => {
      result = r;
    });
    await turns(3);
    expect(result).toBeUndefined();
    release();
    await turns(4);
    expect(result).toBe(false);
    await done;
  });
});
