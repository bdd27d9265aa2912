// The timers patch, each case in a fresh Node process (patching is global).
import { describe, expect, it } from 'vitest';
import { fixture, line, runFixture, runNode } from './helpers.js';

describe('timers patch', () => {
  it('reaches globalThis, require(node:timers), timers/promises and ESM named imports, and unpatchAll restores them', async () => {
    const r = await runFixture('timers-identity.mjs');
    expect(line(r, 'patched')).toEqual({
      what: 'patched',
      globalChanged: true,
      requireSame: true,
      esmAfterSame: true,
      liveBindingSame: true,
      promisesChanged: true,
      promisesEsmSame: true,
      schedulerPatched: true,
      promisify: true,
      getOriginal: true,
      getOriginalNodePrefix: true,
      isModulePatched: true,
      isObjectPatched: true,
    });
    expect(line(r, 'unpatched')).toEqual({
      what: 'unpatched',
      globalRestored: true,
      requireRestored: true,
      liveBindingRestored: true,
      promisesRestored: true,
      notPatched: true,
    });
  });

  it("keeps Node's order: microtasks drain between two timer callbacks, on the Node backend and on a virtual clock", async () => {
    const native = line(await runFixture('timers-order.mjs', ['native']), 'order').log;
    // The fixture's expectations hold on Node itself (the reference run).
    expect(native.slice(0, 10)).toEqual([
      't1',
      't1.tick',
      't1.m1',
      't1.qm',
      't1.m2',
      't1.m3',
      't2',
      't2.a1',
      't2.a2',
      't3:x:y',
    ]);
    const onNode = line(await runFixture('timers-order.mjs', ['node']), 'order').log;
    const onVirtual = line(await runFixture('timers-order.mjs', ['virtual']), 'order').log;
    expect(onNode).toEqual(native);
    expect(onVirtual).toEqual(native);
  });

  it("keeps Node's timer API: this, arguments, ref/unref/hasRef, refresh, ids, close, dispose, intervals, delays, errors, timers/promises", async () => {
    const r = await runFixture('timer-api.mjs');
    const api = line(r, 'api');
    expect(api.objects).toEqual({
      hasRef: true,
      unrefReturnsThis: true,
      afterUnref: false,
      refReturnsThis: true,
      afterRef: true,
      primitive: 'number',
      primitiveStable: true,
      tag: '[object Timeout]',
      idleTimeout: 100,
      repeatField: null,
      inspect: 'Timeout { delay: 100 ms, active, ref: true, hub: <Hub #1 virtual> }',
    });
    expect(api.closeReturnsThis).toBe(true);
    // Virtual ms: refresh() at 60 ms moves t2 to 160; refreshed at 200 after firing, it runs
    // again at 300; the interval runs at 250, 500, 750 and clears itself; nothing cleared runs.
    expect(api.log).toEqual([
      ['imm', 0, true, 'arg'],
      ['t1', 100, true, 'a', 'b'],
      ['t2', 160],
      ['iv', 250, true],
      ['t2', 300],
      ['iv', 500, true],
      ['iv', 750, true],
    ]);
    expect(api.delays).toEqual({
      undefined: 1,
      nan: 1,
      negative: 1,
      overflow: 1,
      null: 1,
      fraction: 1.5,
      string: 10,
    });
    // The same warnings as this Node's own setTimeout gives for NaN, -5 and 2^31.
    expect(api.warnings).toEqual(api.nativeWarnings);
    expect(api.warnings).toContain('TimeoutOverflowWarning');
    expect(api.errors).toEqual({
      setTimeout: 'TypeError:ERR_INVALID_ARG_TYPE',
      setInterval: 'TypeError:ERR_INVALID_ARG_TYPE',
      setImmediate: 'TypeError:ERR_INVALID_ARG_TYPE',
    });
    expect(api.immObject).toEqual({ hasRef: true, tag: '[object Immediate]' });
    expect(api.promiseResults).toEqual({
      setTimeout: ['value', 300],
      aborted: ['AbortError', 'ABORT_ERR', 'why', 400],
      preAborted: ['AbortError', 'early'],
      badRef: 'ERR_INVALID_ARG_TYPE',
      setImmediate: ['imm', 0],
      setInterval: [
        ['tick', 100],
        ['tick', 200],
        ['tick', 300],
      ],
      wait: 500,
    });
    // hub.join() waits for a timer started by a callback's promise continuation.
    expect(api.chain.map((c: [string, number]) => c[0])).toEqual(['first', 'second', 'joined']);
    expect(api.chain[1][1] - api.chain[0][1]).toBe(1000);
    // { ref: false } does not hold hub.join().
    expect(api.unrefJoin).toBe(true);
    expect(api.joinedAt).toBe(0);
    // A native timer made before patching was cleared by the patched clearTimeout.
    expect(api.nativeFired).toEqual([]);
    expect(api.restored).toBe(true);
  });

  it('runs a third-party retry library (p-retry) with exponential back-off on virtual time, instantly and deterministically', async () => {
    const t0 = performance.now();
    const a = line(await runFixture('p-retry.mjs'), 'p-retry');
    const realSeconds = (performance.now() - t0) / 1000;
    const b = line(await runFixture('p-retry.mjs'), 'p-retry');
    // Back-off 1, 2, 4, 8, 16, 32 minutes: 63 minutes of virtual time.
    expect(a).toEqual({
      what: 'p-retry',
      result: 'done',
      attempts: [0, 60_000, 180_000, 420_000, 900_000, 1_860_000, 3_780_000],
      virtualMs: 3_780_000,
      loopNow: 3780,
    });
    expect(b).toEqual(a);
    // 63 virtual minutes in well under a real minute (a wide margin for a busy machine).
    expect(realSeconds).toBeLessThan(30);
  });

  it('runs p-retry from inside a greenlet with waitFor, its back-off on virtual time', async () => {
    const r = line(await runFixture('p-retry.mjs'), 'p-retry-greenlet');
    // Back-off 1, 3, 9 seconds.
    expect(r).toEqual({ what: 'p-retry-greenlet', r: 4, seconds: 13 });
  });

  it('runs lodash.debounce (CommonJS, Date.now and setTimeout) on virtual time, from a CommonJS program', async () => {
    const a = line(await runFixture('debounce.cjs'), 'debounce');
    const b = line(await runFixture('debounce.cjs'), 'debounce');
    // Calls at 1 ms (a 0 ms delay is 1 ms, as in Node), then every 300 ms to 3001: maxWait
    // forces a call 2000 ms after the first, the trailing call comes 500 ms after the last.
    expect(a.calls).toEqual([
      [6, 2001],
      [10, 3500],
    ]);
    expect(b).toEqual(a);
  });

  it('makes hub.join() wait for the patched timers (Node backend)', async () => {
    const j = line(await runFixture('timers-node.mjs', ['join']), 'join');
    expect(j.idle).toBe(true);
    expect(j.fired).toEqual(['a', 'b']);
    expect(j.elapsed).toBeGreaterThanOrEqual(150);
  });

  it('resolves hub.join() and raises LoopExit when plain code clears or unrefs the last patched timer', async () => {
    // The hub is parked on its loop; only one of Node's own timers (10 s) keeps the process.
    for (const mode of ['gone-clear', 'gone-unref']) {
      const j = await runFixture('timers-node.mjs', [mode]);
      expect(j.json.map((x) => x.what)).toEqual(['joined']);
      expect(line(j, 'joined').idle).toBe(true);
      expect(line(j, 'joined').elapsed).toBeLessThan(8000);
    }
    const r = await runFixture('timers-node.mjs', ['gone-loopexit']);
    expect(r.json.map((x) => x.what)).toEqual(['raised']);
    expect(line(r, 'raised').name).toBe('LoopExit');
    expect(line(r, 'raised').elapsed).toBeLessThan(8000);
  });

  it('keeps Node alive for a referenced timer and not for an unreferenced one', async () => {
    const ref = await runFixture('timers-node.mjs', ['ref']);
    expect(line(ref, 'fired').elapsed).toBeGreaterThanOrEqual(150);
    // A 60 s unreferenced timer: the process exits at once (the test would time out if not).
    const unref = await runFixture('timers-node.mjs', ['unref'], { timeoutMs: 15_000 });
    expect(unref.json.map((j) => j.what)).toEqual(['main-done']);
  });

  it('fires an unreferenced timer while something else keeps the process alive', async () => {
    // A referenced patched timer, then only one of Node's own timers.
    const r = await runFixture('timers-node.mjs', ['unref-fires']);
    expect(r.json.map((j) => j.what)).toEqual(['unref-fired']);
    const native = await runFixture('timers-node.mjs', ['unref-native-keeper']);
    expect(native.json.map((j) => j.what)).toEqual(['unref-fired']);
    expect(native.json[0].elapsed).toBeLessThan(4000);
  });

  it("makes an error thrown by a callback an uncaught exception, as Node's timers do", async () => {
    const r = await runNode([fixture('timers-node.mjs'), 'throw']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('boom from a timer');
    expect(r.json).toEqual([]);
    const handled = await runFixture('timers-node.mjs', ['throw-handled']);
    // The interval goes on after a callback threw (re-armed as Node does).
    expect(handled.json).toEqual([
      { what: 'caught', message: 'interval 1' },
      { what: 'caught', message: 'interval 2' },
      { what: 'caught', message: 'interval 3' },
      { what: 'after', n: 3 },
    ]);
  });
});
