// From async code, on the default hub (Node backend, real time): `for await` over queues and
// imap iterators, and Ops run with run(op).
import { run, sleep, spawn } from '@g/hub';
import { expect, test } from 'vitest';
import { Pool, Queue, Semaphore, StopIteration } from '../src/index.js';

test('for await over a queue from async code (default hub)', async () => {
  const q = new Queue<number | typeof StopIteration>(null, [1, 2, StopIteration]);
  const got: number[] = [];
  for await (const x of q) got.push(x);
  expect(got).toEqual([1, 2]);
});

test('for await over pool.imap from async code (default hub), leaving early closes it', async () => {
  const pool = new Pool(2);
  const got: number[] = [];
  function* naturals() {
    for (let i = 0; ; i++) yield i;
  }
  for await (const x of pool.imap((i: number) => i * 2, naturals())) {
    got.push(x);
    if (got.length === 5) break;
  }
  expect(got).toEqual([0, 2, 4, 6, 8]);
  await new Promise((r) => setTimeout(r, 10));
  expect(pool.length).toBe(0);
});

test('an Op run with run(op) from async code', async () => {
  const s = new Semaphore(0);
  const q = new Queue<number>();
  spawn(function* () {
    yield* sleep(0.005);
    s.release();
    q.putNowait(5);
  });
  expect(await run(s.acquire())).toBe(true);
  expect(await run(q.get({ timeout: 10 }))).toBe(5);
});
