/**
 * Property tests: random programs of spawn / sleep / kill / join / link / catch-all loops on
 * the virtual clock. Invariants: every started greenlet's finally runs exactly once, every
 * link fires exactly once, a dead greenlet never runs again, and the loop ends with no
 * active watcher (and nothing left on the run queue).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  createHub,
  type Greenlet,
  getcurrent,
  killall,
  sleep,
  spawn,
  Timeout,
} from '../src/index.js';

type Step =
  | { op: 'sleep'; t: number }
  | { op: 'spawn'; script: number }
  | { op: 'kill'; who: number; block: boolean }
  | { op: 'join'; who: number; timeout: number | null }
  | { op: 'link'; who: number }
  | { op: 'swallow'; t: number }
  | { op: 'timeout'; t: number; inner: number }
  | { op: 'throw' };

const delay = fc.constantFrom(0, 0, 0.1, 0.25, 0.5, 1, 2);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('sleep' as const), t: delay }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('spawn' as const), script: fc.nat(7) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('kill' as const),
      who: fc.nat(20),
      block: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('join' as const),
      who: fc.nat(20),
      timeout: fc.option(delay, { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('link' as const), who: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swallow' as const), t: delay }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('timeout' as const), t: delay, inner: delay }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'throw' as const }) },
);
const program = fc.record({
  scripts: fc.array(fc.array(step, { maxLength: 8 }), { minLength: 8, maxLength: 8 }),
  roots: fc.array(fc.nat(7), { minLength: 1, maxLength: 5 }),
});

interface Stats {
  started: Set<number>;
  finallies: Map<number, number>;
  dead: Set<number>;
  ranAfterDeath: number[];
  linksMade: number;
  linkCalls: Map<number, number>;
}

async function runProgram(p: { scripts: Step[][]; roots: number[] }): Promise<void> {
  const hub = createHub({ backend: 'virtual', killGrace: 0.5 });
  hub.exceptionStream = null;
  const all: Greenlet<any>[] = [];
  const stats: Stats = {
    started: new Set(),
    finallies: new Map(),
    dead: new Set(),
    ranAfterDeath: [],
    linksMade: 0,
    linkCalls: new Map(),
  };
  let spawned = 0;

  const make = (script: number): Greenlet<any> => {
    const id = spawned++;
    const g = spawn(body, id, script);
    g.rawlink(() => stats.dead.add(id));
    all.push(g);
    return g;
  };
  const alive = (id: number) => {
    if (stats.dead.has(id)) stats.ranAfterDeath.push(id);
  };

  function* body(id: number, script: number): Generator<unknown, void, any> {
    stats.started.add(id);
    try {
      for (const s of p.scripts[script]!) {
        alive(id);
        switch (s.op) {
          case 'sleep':
            yield* sleep(s.t);
            break;
          case 'spawn':
            if (spawned < 40) make(s.script);
            break;
          case 'kill': {
            const g = all[s.who % all.length]!;
            if (g !== getcurrent()) yield* g.kill({ block: s.block });
            break;
          }
          case 'join': {
            const g = all[s.who % all.length]!;
            if (g !== getcurrent()) yield* g.join(s.timeout);
            break;
          }
          case 'link': {
            const g = all[s.who % all.length]!;
            const linkId = stats.linksMade++;
            g.link(() => {
              stats.linkCalls.set(linkId, (stats.linkCalls.get(linkId) ?? 0) + 1);
            });
            break;
          }
          case 'swallow':
            try {
              yield* sleep(s.t);
            } catch {
              // a catch-all: kills and Timeouts are swallowed here
            }
            break;
          case 'timeout': {
            const t = Timeout.startNew(s.t);
            try {
              yield* sleep(s.inner);
            } catch (e) {
              if (e !== t) throw e;
            } finally {
              t.cancel();
            }
            break;
          }
          case 'throw':
            throw new Error('planned failure');
        }
        alive(id);
      }
    } finally {
      stats.finallies.set(id, (stats.finallies.get(id) ?? 0) + 1);
    }
  }

  await hub.run(function* () {
    for (const r of p.roots) make(r);
    yield* sleep(20);
    // Everything ends: kill what is left (forced ends included).
    for (let round = 0; round < 3 && all.some((g) => !g.dead); round++) {
      try {
        yield* killall(all.slice(), { timeout: 5 });
      } catch (e) {
        if (!(e instanceof Timeout)) throw e;
      }
    }
  });
  expect(await hub.join()).toBe(true);

  for (const g of all) expect(g.dead).toBe(true);
  for (const id of stats.started) expect(stats.finallies.get(id)).toBe(1);
  for (const [id, n] of stats.finallies) {
    expect(stats.started.has(id)).toBe(true);
    expect(n).toBe(1);
  }
  expect(stats.ranAfterDeath).toEqual([]);
  expect(stats.linkCalls.size).toBe(stats.linksMade);
  for (const n of stats.linkCalls.values()) expect(n).toBe(1);
  expect((hub.loop as any).activeCount).toBe(0);
  expect(hub._rq.size + hub._rqd.size).toBe(0);
  expect(hub._live).toBe(0);
  hub.destroy();
}

describe('random spawn/kill/sleep/join/link programs', () => {
  test('finally once, links once, no run after death, no active watcher at the end', {
    timeout: 600_000,
  }, async () => {
    await fc.assert(fc.asyncProperty(program, runProgram), {
      numRuns: Number(process.env.PROP_RUNS ?? 150),
    });
  });
});
