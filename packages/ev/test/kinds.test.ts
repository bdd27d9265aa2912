import { describe, expect, it, vi } from 'vitest';
import {
  ASYNC,
  AsyncSender,
  CLEANUP,
  defaultLoop,
  EMBED,
  FORK,
  type Loop,
  NOWAIT,
  WatcherStateError,
} from '../src/index.js';
import { BACKENDS, makeLoop, turn, vloop } from './helpers.js';

// ev.pod "ev_fork", "ev_cleanup", "ev_embed", "ev_async": the kinds with no OS side.
describe.each(BACKENDS)('watchers without an OS side (%s backend)', (backend) => {
  describe('fork', () => {
    it('fires only after loop.fork(), once, before prepare watchers', () => {
      const loop = makeLoop(backend);
      const log: string[] = [];
      loop.forkWatcher().start((_w, e) => {
        expect(e).toBe(FORK);
        log.push('fork');
      });
      loop.prepare().start(() => log.push('prepare'));
      loop.run(NOWAIT);
      loop.fork();
      loop.run(NOWAIT);
      loop.run(NOWAIT);
      expect(log).toEqual(['prepare', 'fork', 'prepare', 'prepare']);
    });

    it('passes a fork on to an embedded loop', () => {
      const loop = makeLoop(backend);
      const inner = makeLoop(backend);
      const seen = vi.fn();
      inner.forkWatcher().start(seen);
      loop.embed(inner).start();
      loop.fork();
      loop.run(NOWAIT); // forks inner; inner now may have events; the auto sweep runs it
      loop.run(NOWAIT);
      expect(seen).toHaveBeenCalledTimes(1);
    });
  });

  describe('cleanup', () => {
    it('runs at destroy(), holds no reference, and may use the loop', () => {
      const loop = makeLoop(backend);
      const log: string[] = [];
      const c = loop.cleanup();
      c.start((_w, e) => {
        expect(e).toBe(CLEANUP);
        log.push(`cleanup active=${loop.activeCount}`);
      });
      expect(loop.activeCount).toBe(0);
      const t = loop.timer(5);
      t.start(() => {});
      loop.destroy();
      expect(log).toEqual(['cleanup active=1']);
      expect(t.active).toBe(false);
      expect(loop.destroyed).toBe(true);
    });

    it('does not run when stopped before destroy()', () => {
      const loop = makeLoop(backend);
      const cb = vi.fn();
      const c = loop.cleanup();
      c.start(cb);
      c.stop();
      loop.destroy();
      expect(cb).not.toHaveBeenCalled();
    });
  });

  describe('destroy', () => {
    it('stops hundreds of thousands of timers (no spread of huge arrays)', () => {
      const loop = makeLoop(backend);
      const cb = () => {};
      for (let i = 0; i < 300_000; i++) loop.timer(10 + i).start(cb);
      loop.destroy();
      expect(loop.activeCount).toBe(0);
    });

    it('stops every watcher, clears pending, settles a pending run() with false', async () => {
      const loop = makeLoop(backend);
      const ws = [loop.timer(50), loop.periodic(0, 60), loop.check(), loop.async()];
      for (const w of ws) w.start(() => {});
      const fed = loop.idle();
      fed.callback = () => {};
      fed.feed();
      const done = loop.run();
      await turn();
      loop.destroy();
      expect(await done).toBe(false);
      for (const w of ws) expect(w.active).toBe(false);
      expect(fed.pending).toBe(false);
      expect([loop.pendingCount, loop.activeCount]).toEqual([0, 0]);
    });
  });

  describe('embed', () => {
    it('feeds EMBED while the embedded loop has work, until the callback sweeps it', () => {
      const outer = makeLoop(backend);
      const inner = makeLoop(backend);
      const innerCb = vi.fn();
      inner.timer(-1).start(innerCb);
      const e = outer.embed(inner);
      const revs: number[] = [];
      let sweep = false;
      e.start((w, revents) => {
        revs.push(revents);
        if (sweep) w.sweep();
      });
      outer.run(NOWAIT);
      outer.run(NOWAIT);
      expect(revs).toEqual([EMBED, EMBED]); // not swept: invoked again (libev)
      expect(innerCb).not.toHaveBeenCalled();
      sweep = true;
      outer.run(NOWAIT);
      expect(innerCb).toHaveBeenCalledTimes(1);
      outer.run(NOWAIT);
      expect(revs).toHaveLength(3);
      outer.verify();
      inner.verify();
    });

    it('sweeps automatically without a callback', () => {
      const outer = makeLoop(backend);
      const inner = makeLoop(backend);
      const cb = vi.fn();
      const w = inner.idle();
      w.callback = cb;
      w.feed();
      outer.embed(inner).start();
      outer.run(NOWAIT);
      expect(cb).toHaveBeenCalledTimes(1);
    });

    it('refuses self-embedding, double embedding, cycles and mixed backends', () => {
      const a = makeLoop(backend);
      const b = makeLoop(backend);
      const c = makeLoop(backend);
      expect(() => a.embed(a)).toThrow(TypeError);
      a.embed(b).start();
      expect(() => c.embed(b).start()).toThrow(WatcherStateError);
      expect(() => b.embed(a).start()).toThrow(/cycle/);
      const other: Loop = makeLoop(backend === 'node' ? 'virtual' : 'node');
      expect(() => a.embed(other)).toThrow(/same backend/);
    });
  });

  describe('async', () => {
    it('coalesces sends into one callback; pending covers sent-not-yet-invoked', () => {
      const loop = makeLoop(backend);
      const got: number[] = [];
      const a = loop.async();
      a.start((_w, e) => got.push(e));
      expect(a.pending).toBe(false);
      a.send();
      a.send();
      a.send();
      expect(a.pending).toBe(true);
      loop.run(NOWAIT);
      expect(got).toEqual([ASYNC]);
      expect(a.pending).toBe(false);
      loop.run(NOWAIT);
      expect(got).toEqual([ASYNC]);
      a.send();
      loop.run(NOWAIT);
      expect(got).toEqual([ASYNC, ASYNC]);
    });

    it('send() from a callback is seen at the next iteration; start() clears an old send', () => {
      const loop = makeLoop(backend);
      const a = loop.async();
      let n = 0;
      a.send(); // inactive: flag only
      a.start(() => {
        if (++n < 3) a.send();
      });
      loop.run(NOWAIT);
      expect(n).toBe(0);
      a.send();
      for (let i = 0; i < 5; i++) loop.run(NOWAIT);
      expect(n).toBe(3);
    });

    it('an AsyncSender in the same thread works like send()', async () => {
      const loop = makeLoop(backend);
      const a = loop.async();
      const cb = vi.fn();
      a.start(cb);
      const sender = new AsyncSender(a.remote());
      sender.send();
      sender.send();
      expect(sender.pending).toBe(true);
      const woke = new Promise<void>((resolve) => loop.wake(resolve));
      await woke;
      loop.run(NOWAIT);
      expect(cb).toHaveBeenCalledTimes(1);
      expect(sender.pending).toBe(false);
      sender.close();
      a.close();
      expect(() => new AsyncSender({} as any)).toThrow(TypeError);
    });
  });
});

describe('the default loop', () => {
  it('is one per process, named default, and made anew after destroy()', () => {
    const a = defaultLoop();
    expect(defaultLoop()).toBe(a);
    expect([a.name, a.backend, a.isDefault]).toEqual(['default', 'node', true]);
    a.destroy();
    const b = defaultLoop();
    expect(b).not.toBe(a);
    expect(b.isDefault).toBe(true);
    expect(a.isDefault).toBe(false);
  });
});

describe('embed on the virtual clock', () => {
  it('moves the embedded clock with the outer one; its timers bound the outer wait', async () => {
    const outer = vloop();
    const inner = vloop();
    const log: string[] = [];
    inner.timer(2).start(() => log.push(`inner@${inner.now()}/${outer.now()}`));
    outer.timer(5).start(() => log.push(`outer@${outer.now()}`));
    const e = outer.embed(inner);
    e.start();
    e.ref = false;
    await outer.run();
    expect(log).toEqual(['inner@2/2', 'outer@5']);
  });
});
