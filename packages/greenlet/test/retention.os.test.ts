// The runtime keeps nothing alive that went through a switch: a value delivered to a
// greenlet, an error thrown into one, and a dead greenlet's body are collectable once the
// program drops them (the switch op and its reused iterator results are cleared).
// Uses V8's gc() (enabled with v8.setFlagsFromString), so it runs as an os test.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Greenlet, getmain } from '../src/greenlet.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lets the current job end (WeakRef targets are kept until then), then collects twice. */
async function collect(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  gc();
  gc();
}

describe('what a switch leaves behind', () => {
  it('does not keep a value delivered to a suspended greenlet', async () => {
    const g = new Greenlet(function* () {
      for (;;) yield* getmain().switch();
    });
    g.switch();
    let ref: WeakRef<object> | null = null;
    (() => {
      const payload = { big: new Array(1000).fill(1) };
      ref = new WeakRef(payload);
      g.switch(payload);
    })();
    await collect();
    expect(ref!.deref()).toBeUndefined();
    expect(g.active).toBe(true);
  });

  it('does not keep a value switched between two bodies', async () => {
    let ref: WeakRef<object> | null = null;
    const makePayload = () => {
      const payload = { big: new Array(1000).fill(2) };
      ref = new WeakRef(payload);
      return payload;
    };
    let b: Greenlet;
    const a = new Greenlet(function* () {
      yield* b.switch(makePayload());
      yield* getmain().switch('a waits');
    });
    b = new Greenlet(function* () {
      yield* a.switch();
      yield* a.switch('b got the payload and dropped it');
    });
    expect(b.switch()).toBe('a waits');
    expect(a.active && b.active).toBe(true);
    await collect();
    expect(ref!.deref()).toBeUndefined();
  });

  it('does not keep an error thrown into a greenlet that caught it', async () => {
    const g = new Greenlet(function* () {
      for (;;) {
        try {
          yield* getmain().switch();
        } catch {}
      }
    });
    g.switch();
    let ref: WeakRef<object> | null = null;
    (() => {
      const err = new Error('dropped');
      ref = new WeakRef(err);
      g.throw(err);
    })();
    await collect();
    expect(ref!.deref()).toBeUndefined();
  });

  it('does not keep the body of a dead greenlet that is still referenced', async () => {
    let ref: WeakRef<object> | null = null;
    const g = new Greenlet(function* () {
      const local = { big: new Array(1000).fill(3) };
      ref = new WeakRef(local);
      yield* getmain().switch(local.big.length);
    });
    expect(g.switch()).toBe(1000);
    g.switch();
    expect(g.dead).toBe(true);
    await collect();
    expect(ref!.deref()).toBeUndefined();
    expect(g._gen).toBeNull();
  });
});
