/**
 * A representative set of the ported gevent behaviours on the real clock (a Node-backend
 * hub), with wide margins (a shared 2-core machine): sleep and Timeout durations,
 * test__sleep0 (a sleep(0) spin does not starve a Timeout), Node's own callbacks are not
 * starved, join/get timeouts, kill, hub.join, until() with a Timeout, waiting costs no CPU.
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  createHub,
  type Hub,
  joinall,
  sleep,
  spawn,
  spawnLater,
  Timeout,
  until,
  withTimeout,
} from '../src/index.js';

const hubs: Hub[] = [];
function nodeHub(): Hub {
  const hub = createHub({ backend: 'node' });
  hubs.push(hub);
  return hub;
}
afterEach(() => {
  for (const h of hubs.splice(0)) h.destroy();
});
const now = () => performance.now() / 1000;

describe('on the real clock', () => {
  // test__hub TestSleep
  test('sleep(0.1) lasts about 0.1 s', async () => {
    const hub = nodeHub();
    const dt = await hub.run(function* () {
      const t0 = now();
      yield* sleep(0.1);
      return now() - t0;
    });
    expect(dt).toBeGreaterThanOrEqual(0.099);
    expect(dt).toBeLessThan(1);
  });

  // test__sleep0
  test('a greenlet spinning on sleep(0) inside Timeout(0.01, false) ends', async () => {
    const hub = nodeHub();
    let spins = 0;
    const dt = await hub.run(function* () {
      const t0 = now();
      yield* new Timeout(0.01, false).scope(function* () {
        for (;;) {
          spins++;
          yield* sleep(0);
        }
      });
      return now() - t0;
    });
    expect(spins).toBeGreaterThan(10);
    expect(dt).toBeLessThan(2);
  });

  test('a greenlet spinning on sleep(0) does not starve Node: a plain setTimeout still fires', async () => {
    const hub = nodeHub();
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 5);
    const spins = await hub.run(function* () {
      let n = 0;
      const t0 = now();
      while (!fired && now() - t0 < 5) {
        n++;
        yield* sleep(0);
      }
      return n;
    });
    expect(fired).toBe(true);
    expect(spins).toBeGreaterThan(0);
  });

  // test__timeout Test.test_expires; test__api_timeout test_api
  test('a Timeout of 0.05 s raises itself after about 0.05 s', async () => {
    const hub = nodeHub();
    const [same, dt] = await hub.run(function* () {
      const t0 = now();
      const t = Timeout.startNew(0.05);
      try {
        yield* sleep(10);
        return [false, 0];
      } catch (e) {
        return [e === t, now() - t0];
      } finally {
        t.cancel();
      }
    });
    expect(same).toBe(true);
    expect(dt).toBeGreaterThanOrEqual(0.049);
    expect(dt).toBeLessThan(1);
  });

  // test__greenlet TestJoin / TestGet
  test('join(timeout) returns false and get(timeout) raises Timeout after about the timeout', async () => {
    const hub = nodeHub();
    const r = await hub.run(function* () {
      const g = spawn(sleep, 10);
      let t0 = now();
      const joined = yield* g.join(0.05);
      const dtJoin = now() - t0;
      t0 = now();
      let raised = false;
      try {
        yield* g.get({ timeout: 0.05 });
      } catch (e) {
        raised = e instanceof Timeout;
      }
      const dtGet = now() - t0;
      yield* g.kill();
      return { joined, dtJoin, raised, dtGet, dead: g.dead };
    });
    expect(r.joined).toBe(false);
    expect(r.raised).toBe(true);
    expect(r.dead).toBe(true);
    for (const dt of [r.dtJoin, r.dtGet]) {
      expect(dt).toBeGreaterThanOrEqual(0.049);
      expect(dt).toBeLessThan(1);
    }
  });

  // test__api Test.test_killing_dormant
  test('kill() of a dormant greenlet returns at once with its except and finally run', async () => {
    const hub = nodeHub();
    const state: string[] = [];
    const dt = await hub.run(function* () {
      const g = spawn(function* () {
        try {
          state.push('start');
          yield* sleep(0.3);
        } catch {
          state.push('except');
        }
        state.push('finished');
      });
      yield* sleep(0.05);
      const t0 = now();
      yield* g.kill();
      return now() - t0;
    });
    expect(state).toEqual(['start', 'except', 'finished']);
    expect(dt).toBeLessThan(0.2);
  });

  // test__hub_join_timeout test_later / test_timeout
  test('hub.join() waits for a spawnLater; hub.join(timeout) returns false when busy', async () => {
    const hub = nodeHub();
    let t0 = now();
    const x = await hub.run(() => spawnLater(0.05, () => 5));
    expect(await hub.join(10)).toBe(true);
    expect(now() - t0).toBeGreaterThanOrEqual(0.049);
    expect(x.value).toBe(5);
    const y = await hub.run(() => spawnLater(10, () => 5));
    t0 = now();
    expect(await hub.join(0.05)).toBe(false);
    expect(now() - t0).toBeLessThan(1);
    await hub.run(y.kill());
    expect(await hub.join()).toBe(true);
  });

  test('timeouts count from the call, not from the loop time cached before a long computation', async () => {
    const hub = nodeHub();
    const r = await hub.run(function* () {
      const g = spawn(sleep, 10);
      yield* sleep(0);
      const busyUntil = performance.now() + 100;
      while (performance.now() < busyUntil) {
        // 100 ms without yielding: the loop's cached time is now 0.1 s old
      }
      let t0 = now();
      yield* g.join(0.05);
      const dtJoin = now() - t0;
      const busy2 = performance.now() + 100;
      while (performance.now() < busy2) {}
      t0 = now();
      const later = spawnLater(0.05, () => now());
      const firedAt = yield* later.get();
      yield* g.kill();
      return { dtJoin, dtLater: firedAt - t0 };
    });
    expect(r.dtJoin).toBeGreaterThanOrEqual(0.049);
    expect(r.dtLater).toBeGreaterThanOrEqual(0.049);
    // hub.join(timeout) from async code after the hub sat idle
    const sleeper = await hub.run(() => spawn(sleep, 10));
    await new Promise((res) => setTimeout(res, 100));
    const t0 = now();
    expect(await hub.join(0.05)).toBe(false);
    expect(now() - t0).toBeGreaterThanOrEqual(0.049);
    await hub.run(sleeper.kill());
  });

  test('an unreferenced sleep still ends while something else keeps the process alive', async () => {
    const hub = nodeHub();
    const keepAlive = setTimeout(() => {}, 2000);
    try {
      const t0 = now();
      const g = await hub.run(() => spawn(sleep, 0.05, { ref: false }));
      expect(await hub.join()).toBe(true); // nothing referenced: idle at once
      await new Promise((r) => setTimeout(r, 300));
      expect(g.dead).toBe(true);
      expect(now() - t0).toBeLessThan(1.5);
    } finally {
      clearTimeout(keepAlive);
    }
  });

  test('until() of a promise that never settles is ended by a Timeout', async () => {
    const hub = nodeHub();
    const r = await hub.run(function* () {
      return yield* withTimeout(0.05, { timeoutValue: 'timed out' }, function* () {
        return yield* until(new Promise(() => {}));
      });
    });
    expect(r).toBe('timed out');
  });

  test('greenlets sleeping together end in deadline order', async () => {
    const hub = nodeHub();
    const order: number[] = [];
    await hub.run(function* () {
      const gs = [0.06, 0.02, 0.04].map((s) =>
        spawn(function* () {
          yield* sleep(s);
          order.push(s);
        }),
      );
      yield* joinall(gs);
    });
    expect(order).toEqual([0.02, 0.04, 0.06]);
  });

  test('waiting costs no CPU: a greenlet sleeping 0.3 s uses almost none', async () => {
    const hub = nodeHub();
    const cpu = await hub.run(function* () {
      const c0 = process.cpuUsage();
      yield* sleep(0.3);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1e6;
    });
    expect(cpu).toBeLessThan(0.1);
  });
});
