import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ASYNC, Loop, NOWAIT, ONCE } from '../src/index.js';
import { armedTimers, bundleUrl, fixture } from './os-helpers.js';

function worker(remote: unknown, mode: string): Worker {
  return new Worker(fixture('async-worker.mjs'), {
    workerData: { bundle: bundleUrl(), remote, mode },
    transferList: [(remote as { port: any }).port],
  });
}

// ev.pod "ev_async": sends from another thread.
describe('async watchers across threads', () => {
  it('a send from a Worker wakes the waiting loop (no polling: one Node timer, idle CPU)', async () => {
    const loop = new Loop();
    const a = loop.async();
    const t0 = performance.now();
    let at = 0;
    a.start((w, revents) => {
      expect(revents).toBe(ASYNC);
      at = performance.now();
      w.stop();
    });
    const base = armedTimers();
    const w = worker(a.remote(), 'later');
    const done = loop.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(armedTimers()).toBeLessThanOrEqual(base + 2); // ours + the one setTimeout above
    expect(await done).toBe(false);
    expect(at - t0).toBeGreaterThanOrEqual(150);
    await once(w, 'exit');
  });

  it('a burst of sends from a Worker coalesces into few callbacks', async () => {
    const loop = new Loop();
    const a = loop.async();
    let calls = 0;
    a.start(() => calls++);
    const w = worker(a.remote(), 'burst');
    await once(w, 'message');
    // All 10,000 sends happened; the loop notices them in at most a few iterations.
    await loop.run(ONCE);
    for (let i = 0; i < 5; i++) loop.run(NOWAIT);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3);
    expect(a.pending).toBe(false);
    a.close();
    await once(w, 'exit');
    loop.destroy();
  });
});
