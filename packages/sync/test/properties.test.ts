// Property tests (fast-check) on the virtual clock: random producers, consumers and killers
// on each queue kind and on semaphores.
//
// - Every item whose put returned is got exactly once or is still in the queue; an item
//   whose put failed (Full, killed) is never got; nothing is got twice.
// - FIFO kinds hand each producer's items out in the order they were put.
// - Waiters are served in the order they began to wait, skipping those killed first.
// - A semaphore's permits are conserved: never more holders than permits, and at the end
//   every permit is back.

import { GreenletExit, killall, sleep, spawn } from '@g/hub';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  BoundedSemaphore,
  Channel,
  JoinableQueue,
  LifoQueue,
  Lock,
  Pool,
  PriorityQueue,
  Queue,
  Semaphore,
  SimpleQueue,
} from '../src/index.js';
import { onVirtualHub } from './helpers.js';

type Kind = 'Queue' | 'JoinableQueue' | 'PriorityQueue' | 'LifoQueue' | 'SimpleQueue' | 'Channel';

function makeQueue(kind: Kind, maxsize: number | null): Queue<number> | Channel<number> {
  switch (kind) {
    case 'Queue':
      return new Queue<number>(maxsize);
    case 'JoinableQueue':
      return new JoinableQueue<number>(maxsize);
    case 'PriorityQueue':
      return new PriorityQueue<number>(maxsize);
    case 'LifoQueue':
      return new LifoQueue<number>(maxsize);
    case 'SimpleQueue':
      return new SimpleQueue<number>();
    case 'Channel':
      return new Channel<number>();
  }
}

const FIFO: Kind[] = ['Queue', 'JoinableQueue', 'SimpleQueue', 'Channel'];

// Times on a coarse grid, so that timeouts, hand-offs and kills often coincide.
const delay = fc.constantFrom(0, 0, 0.01, 0.02);
const grid = fc.constantFrom(0, 0.01, 0.02);
const maybeTimeout = fc.option(fc.constantFrom(0, 0.01, 0.02), { nil: null });

const program = fc.record({
  maxsize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  producers: fc.array(
    fc.array(fc.record({ before: delay, timeout: maybeTimeout }), { maxLength: 6 }),
    { minLength: 1, maxLength: 3 },
  ),
  consumers: fc.array(
    fc.array(fc.record({ before: delay, timeout: maybeTimeout }), { maxLength: 8 }),
    { minLength: 1, maxLength: 3 },
  ),
  kills: fc.array(fc.record({ at: fc.constantFrom(0, 0.01, 0.02), who: fc.nat(5) }), {
    maxLength: 3,
  }),
});

describe.each<Kind>([
  'Queue',
  'JoinableQueue',
  'PriorityQueue',
  'LifoQueue',
  'SimpleQueue',
  'Channel',
])('%s under random producers, consumers and killers', (kind) => {
  test("every item put is got exactly once or is still in the queue; FIFO kinds keep each producer's order", async () => {
    await fc.assert(
      fc.asyncProperty(program, async (p) => {
        const r = await onVirtualHub(function* (hub) {
          hub.exceptionStream = null;
          const q = makeQueue(kind, p.maxsize);
          const putOk: number[] = [];
          const putFailed: number[] = [];
          const got: number[] = [];
          const greenlets = [
            ...p.producers.map((ops, pi) =>
              spawn(function* () {
                for (let i = 0; i < ops.length; i++) {
                  const op = ops[i]!;
                  const item = pi * 100 + i;
                  yield* sleep(op.before);
                  try {
                    yield* q.put(item, { timeout: op.timeout });
                    putOk.push(item);
                  } catch (e) {
                    putFailed.push(item);
                    if (e instanceof GreenletExit) throw e;
                  }
                }
              }),
            ),
            ...p.consumers.map((ops) =>
              spawn(function* () {
                for (const op of ops) {
                  yield* sleep(op.before);
                  try {
                    got.push(yield* q.get({ timeout: op.timeout }));
                  } catch (e) {
                    if (e instanceof GreenletExit) throw e;
                  }
                }
              }),
            ),
          ];
          for (const k of [...p.kills].sort((a, b) => a.at - b.at)) {
            yield* sleep(k.at);
            const g = greenlets[k.who % greenlets.length]!;
            yield* g.kill();
          }
          yield* sleep(1); // every op has ended or waits forever
          yield* killall(greenlets);
          const left: number[] = [];
          if (q instanceof Queue) while (!q.empty()) left.push(q.getNowait());
          return { putOk, putFailed, got, left, getters: q.getters, putters: q.putters };
        });
        const { putOk, putFailed, got, left } = r;
        // nothing got twice, nothing got that was not put
        expect(new Set(got).size).toBe(got.length);
        expect([...got, ...left].sort((a, b) => a - b)).toEqual([...putOk].sort((a, b) => a - b));
        for (const x of putFailed) expect(got.includes(x) || left.includes(x)).toBe(false);
        expect(r.getters + r.putters).toBe(0);
        if (FIFO.includes(kind)) {
          for (let pi = 0; pi < p.producers.length; pi++) {
            const mine = got.filter((x) => Math.floor(x / 100) === pi);
            expect(mine).toEqual([...mine].sort((a, b) => a - b));
          }
        }
      }),
      { numRuns: 80 },
    );
  });
});

const waiterProgram = fc.record({
  n: fc.integer({ min: 1, max: 8 }),
  killed: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});

describe('waiters are served in the order they began to wait (killed ones skipped)', () => {
  test.each<Kind>(['Queue', 'PriorityQueue', 'LifoQueue', 'Channel'])(
    '%s getters',
    async (kind) => {
      await fc.assert(
        fc.asyncProperty(waiterProgram, async ({ n, killed }) => {
          const r = await onVirtualHub(function* () {
            const q = makeQueue(kind, null);
            const served: Array<[number, number]> = [];
            const gs = [];
            for (let i = 0; i < n; i++) {
              gs.push(
                spawn(function* () {
                  served.push([i, yield* q.get()]);
                }),
              );
              yield* sleep(0);
            }
            for (let i = 0; i < n; i++) if (killed[i]) yield* gs[i]!.kill();
            const live = gs.filter((_, i) => !killed[i]).length;
            for (let k = 0; k < live; k++) q.putNowait(k);
            yield* sleep(0);
            return served;
          });
          const order = Array.from({ length: n }, (_, i) => i).filter((i) => !killed[i]);
          expect(r).toEqual(order.map((i, k) => [i, k]));
        }),
        { numRuns: 40 },
      );
    },
  );

  test('Queue putters on a full queue', async () => {
    await fc.assert(
      fc.asyncProperty(waiterProgram, async ({ n, killed }) => {
        const r = await onVirtualHub(function* () {
          const q = new Queue<number>(1);
          q.putNowait(-1);
          const gs = [];
          for (let i = 0; i < n; i++) {
            gs.push(
              spawn(function* () {
                yield* q.put(i);
              }),
            );
            yield* sleep(0);
          }
          for (let i = 0; i < n; i++) if (killed[i]) yield* gs[i]!.kill();
          const out: number[] = [];
          while (!q.empty()) {
            out.push(q.getNowait());
            yield* sleep(0);
          }
          return out;
        });
        const order = Array.from({ length: n }, (_, i) => i).filter((i) => !killed[i]);
        expect(r).toEqual([-1, ...order]);
      }),
      { numRuns: 40 },
    );
  });

  test.each(['Semaphore', 'Lock', 'Pool'])('%s acquirers', async (what) => {
    await fc.assert(
      fc.asyncProperty(waiterProgram, async ({ n, killed }) => {
        const r = await onVirtualHub(function* () {
          const served: number[] = [];
          let take: () => Generator<unknown, void, any>;
          let give: () => void;
          if (what === 'Pool') {
            const pool = new Pool(1);
            const blocker = yield* pool.spawn(sleep, 1e6);
            const members: any[] = [blocker];
            take = function* () {
              members.push(yield* pool.spawn(sleep, 1e6));
            };
            give = () => {
              pool.discard(members.shift());
            };
          } else {
            const s = what === 'Lock' ? new Lock() : new Semaphore(1);
            yield* s.acquire();
            take = function* () {
              yield* s.acquire();
            };
            give = () => {
              if (s.locked()) s.release(); // a Lock cannot be released when free
            };
          }
          const gs = [];
          for (let i = 0; i < n; i++) {
            gs.push(
              spawn(function* () {
                yield* take();
                served.push(i);
              }),
            );
            yield* sleep(0);
          }
          for (let i = 0; i < n; i++) if (killed[i]) yield* gs[i]!.kill();
          for (let i = 0; i < n; i++) {
            give();
            yield* sleep(0);
          }
          return served;
        });
        expect(r).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => !killed[i]));
      }),
      { numRuns: 40 },
    );
  });
});

describe('semaphore permits are conserved under random holders and killers', () => {
  test.each(['Semaphore', 'BoundedSemaphore'])('%s', async (what) => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          value: fc.integer({ min: 1, max: 3 }),
          workers: fc.array(
            fc.array(
              fc.record({
                before: grid,
                hold: grid,
                timeout: fc.option(fc.constantFrom(0, 0.01, 0.02), { nil: null }),
              }),
              { maxLength: 5 },
            ),
            { minLength: 1, maxLength: 6 },
          ),
          kills: fc.array(fc.record({ at: grid, who: fc.nat(5) }), { maxLength: 4 }),
        }),
        async (p) => {
          const r = await onVirtualHub(function* () {
            const s = what === 'Semaphore' ? new Semaphore(p.value) : new BoundedSemaphore(p.value);
            let held = 0;
            let worst = 0;
            let acquired = 0;
            const gs = p.workers.map((ops) =>
              spawn(function* () {
                for (const op of ops) {
                  yield* sleep(op.before);
                  if (!(yield* s.acquire({ timeout: op.timeout }))) continue;
                  held++;
                  acquired++;
                  worst = Math.max(worst, held);
                  try {
                    yield* sleep(op.hold);
                  } finally {
                    held--;
                    s.release();
                  }
                }
              }),
            );
            for (const k of [...p.kills].sort((a, b) => a.at - b.at)) {
              yield* sleep(k.at);
              yield* gs[k.who % gs.length]!.kill();
            }
            yield* sleep(1);
            yield* killall(gs);
            return { held, worst, counter: s.counter, waiting: s.linkcount(), acquired };
          });
          expect(r.held).toBe(0);
          expect(r.worst).toBeLessThanOrEqual(p.value);
          expect(r.counter).toBe(p.value);
          expect(r.waiting).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
