import { expect, it } from 'vitest';
import { Loop, NOWAIT } from '../src/index.js';

// The README's examples, kept running.

function retry(loop: Loop, attempt: () => boolean, log: number[]): void {
  let delay = 1;
  const t = loop.timer(delay);
  t.start((w) => {
    log.push(loop.now());
    if (attempt()) return;
    delay *= 2;
    w.set(delay);
    w.start();
  });
}

it('README: backs off 1, 2, 4, 8 seconds on the virtual clock', async () => {
  const loop = new Loop({ backend: 'virtual', startTime: 1_700_000_000 });
  const log: number[] = [];
  let calls = 0;
  retry(loop, () => ++calls === 4, log);
  await loop.run();
  expect(log).toEqual([1, 3, 7, 15]);
  loop.verify();
});

it('README: a driver that invokes callbacks one at a time and waits with wake()', async () => {
  const loop = new Loop({ backend: 'virtual' });
  const order: string[] = [];
  loop.timer(2).start(() => order.push('t2'));
  loop.timer(1).start(() => order.push('t1'));
  loop.timer(1).start(() => order.push('t1b'));
  loop.setInvokePending(() => {});
  const done = new Promise<void>((resolve) => {
    function drive(): void {
      loop.run(NOWAIT);
      while (loop.pendingCount > 0) {
        loop.invokePending(1);
        order.push('|');
      }
      if (loop.alive) loop.wake(drive);
      else resolve();
    }
    drive();
  });
  await done;
  expect(order).toEqual(['t1', '|', 't1b', '|', 't2', '|']);
  expect(loop.now()).toBe(2);
});
