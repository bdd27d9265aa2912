// Property-based test: random programs of N greenlets that switch, throw, unwind, return,
// raise and reassign parents, run on the real runtime and on a small reference model of
// greenlet's rules; the log of who ran when with which value, the settrace events, the switch
// count and the final states must match.
//
// The rules the model encodes (greenlet docs and tests):
//   - switching to a dead greenlet goes to its nearest living ancestor (test_exception); a
//     GreenletExit thrown, or an unwind, into a dead greenlet arrives there as a value (test_kill);
//   - the first switch passes all its args to run; a resume delivers 0 args as undefined, 1 as
//     itself, n as an array (test_switch_kwargs_to_parent);
//   - throw/unwind into an unstarted greenlet kills it without running it (inner_bootstrap);
//   - a body's return value goes to its parent, its error is raised in its parent, an escaping
//     GreenletExit is returned as a value (test_exception, g_handle_exit);
//   - a parent cycle or a new parent for main is refused (TestGreenletSetParentErrors);
//   - trace events: 'throw' when the switch delivers an error, else 'switch'; none when a
//     greenlet switches to itself (test_tracing).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GreenletExit, isGreenletExit } from '../src/errors.js';
import { Greenlet, getmain, switchCount } from '../src/greenlet.js';
import { settrace } from '../src/trace.js';

// ---------------------------------------------------------------- programs as data

type Err = { exit: boolean; tag: number };
type Step =
  | { op: 'switch'; target: number; args: number[]; rethrow: boolean }
  | { op: 'throw'; target: number; err: Err; rethrow: boolean }
  | { op: 'unwind'; target: number; value: number; rethrow: boolean }
  | { op: 'setParent'; g: number; parent: number }
  | { op: 'return'; value: number }
  | { op: 'raise'; err: Err };
type Program = { n: number; parents: number[]; scripts: Step[][]; main: Step[] };

/** Index 0 is main; greenlets are 1..n. */
function programArb(): fc.Arbitrary<Program> {
  return fc.integer({ min: 1, max: 4 }).chain((n) => {
    const target = fc.integer({ min: 0, max: n });
    const greenlet = fc.integer({ min: 1, max: n });
    const err = fc.record({ exit: fc.boolean(), tag: fc.integer({ min: 0, max: 999 }) });
    const value = fc.integer({ min: 0, max: 999 });
    const transfer = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          op: fc.constant('switch' as const),
          target,
          args: fc.array(value, { maxLength: 2 }),
          rethrow: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('throw' as const),
          target,
          err,
          rethrow: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('unwind' as const),
          target: greenlet,
          value,
          rethrow: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('setParent' as const), g: target, parent: target }),
      },
    );
    const step = fc.oneof(
      { weight: 9, arbitrary: transfer },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('return' as const), value }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('raise' as const), err }) },
    );
    const parents = fc.tuple(
      ...Array.from({ length: n }, (_, i) => fc.integer({ min: 0, max: i })),
    ) as fc.Arbitrary<number[]>;
    return fc.record({
      n: fc.constant(n),
      parents,
      scripts: fc.array(fc.array(step, { maxLength: 6 }), { minLength: n, maxLength: n }),
      main: fc.array(transfer, { minLength: 1, maxLength: 8 }),
    });
  });
}

type Entry = unknown[];
type Outcome = { log: Entry[]; events: string[]; switches: number; states: string[] };

const errName = (e: Err) => (e.exit ? `exit:${e.tag}` : `err:${e.tag}`);

// ---------------------------------------------------------------- the real runtime

class Tagged extends Error {
  constructor(readonly tag: number) {
    super(`err:${tag}`);
  }
}

function makeError(e: Err): Error {
  return e.exit ? new GreenletExit(`exit:${e.tag}`) : new Tagged(e.tag);
}

/** How a received value or a caught error is written in the log. */
function show(x: unknown): unknown {
  if (isGreenletExit(x)) return x.message;
  if (x instanceof Tagged) return x.message;
  if (x instanceof Error) return `unexpected ${x.name}: ${x.message}`;
  if (Array.isArray(x)) return x.map(show);
  return x;
}

function runReal(p: Program): Outcome {
  const log: Entry[] = [];
  const events: string[] = [];
  const G: Greenlet[] = [getmain()];
  const id = (g: Greenlet) => G.indexOf(g);

  /** One transfer step, from main (value) or from a body (Op, run with yield*). */
  const call = (s: Step): any => {
    if (s.op === 'switch') return G[s.target]!.switch(...s.args);
    if (s.op === 'throw') return G[s.target]!.throw(makeError(s.err));
    if (s.op === 'unwind') return G[s.target]!.unwind(s.value);
    throw new Error('not a transfer');
  };
  const setParent = (who: number, s: Extract<Step, { op: 'setParent' }>) => {
    try {
      G[s.g]!.parent = G[s.parent]!;
      log.push([who, 'parent', s.g, s.parent]);
    } catch {
      log.push([who, 'refused', s.g, s.parent]);
    }
  };

  for (let i = 1; i <= p.n; i++) {
    const me = i;
    const script = p.scripts[i - 1]!;
    G.push(
      new Greenlet(
        function* (...args: unknown[]) {
          log.push([me, 'start', args.map(show)]);
          for (const s of script) {
            if (s.op === 'return') return s.value;
            if (s.op === 'raise') throw makeError(s.err);
            if (s.op === 'setParent') {
              setParent(me, s);
              continue;
            }
            try {
              log.push([me, 'got', show(yield* call(s))]);
            } catch (e) {
              log.push([me, 'caught', show(e)]);
              if (s.rethrow) throw e;
            }
          }
          return `ret-${me}`;
        },
        G[p.parents[i - 1]!],
      ),
    );
  }

  const before = switchCount();
  settrace((event, [origin, target]) => {
    events.push(`${event} ${id(origin)}->${id(target)}`);
  });
  try {
    for (const s of p.main) {
      if (s.op === 'setParent') {
        setParent(0, s);
        continue;
      }
      try {
        log.push([0, 'got', show(call(s))]);
      } catch (e) {
        log.push([0, 'caught', show(e)]);
      }
    }
  } finally {
    settrace(null);
  }
  const states = G.slice(1).map(
    (g) => `${g.dead ? 'dead' : g.active ? 'active' : 'unstarted'} parent=${id(g.parent!)}`,
  );
  return { log, events, switches: switchCount() - before, states };
}

// ---------------------------------------------------------------- the reference model

type Kind = 'switch' | 'throw' | 'unwind';
type Payload = { value?: unknown; args?: number[]; err?: Err };
interface MG {
  state: 'unstarted' | 'active' | 'dead';
  parent: number;
  pc: number;
  script: Step[];
}

function runModel(p: Program): Outcome {
  const log: Entry[] = [];
  const events: string[] = [];
  let switches = 0;
  const G: (MG | null)[] = [null];
  for (let i = 1; i <= p.n; i++) {
    G.push({ state: 'unstarted', parent: p.parents[i - 1]!, pc: 0, script: p.scripts[i - 1]! });
  }
  const gl = (i: number) => G[i]!;
  const isExit = (x: Payload) => x.err?.exit;

  const setParent = (who: number, s: Extract<Step, { op: 'setParent' }>) => {
    let ok = s.g !== 0;
    for (let q: number | null = s.parent; ok && q !== null; q = q === 0 ? null : gl(q).parent) {
      if (q === s.g) ok = false;
    }
    if (ok) gl(s.g).parent = s.parent;
    log.push([who, ok ? 'parent' : 'refused', s.g, s.parent]);
  };

  /** What a transfer step asks for: the kind, the target and what it carries. */
  type Transfer = { kind: Kind; target: number; payload: Payload };
  type Death = { dead: true; failed: boolean; payload: Payload };
  const transferOf = (s: Step): Transfer => {
    if (s.op === 'switch') return { kind: 'switch', target: s.target, payload: { args: s.args } };
    if (s.op === 'throw') return { kind: 'throw', target: s.target, payload: { err: s.err } };
    if (s.op === 'unwind') return { kind: 'unwind', target: s.target, payload: { value: s.value } };
    throw new Error('not a transfer');
  };

  /** Runs greenlet i's script from its pc until it transfers or dies. */
  const exec = (i: number): Transfer | Death => {
    const g = gl(i);
    for (; g.pc < g.script.length; g.pc++) {
      const s = g.script[g.pc]!;
      if (s.op === 'return') return { dead: true, failed: false, payload: { value: s.value } };
      if (s.op === 'raise') return { dead: true, failed: true, payload: { err: s.err } };
      if (s.op === 'setParent') setParent(i, s);
      else return transferOf(s);
    }
    return { dead: true, failed: false, payload: { value: `ret-${i}` } };
  };

  /** A value as a resumed switch delivers it. */
  const received = (x: Payload): unknown => {
    if (x.err !== undefined) return errName(x.err);
    if (x.args === undefined) return x.value;
    return x.args.length === 0 ? undefined : x.args.length === 1 ? x.args[0] : x.args;
  };

  /** Greenlet i, suspended at its pc, is resumed with (kind, payload). */
  const resume = (i: number, kind: Kind, x: Payload): Transfer | Death => {
    const g = gl(i);
    const s = g.script[g.pc] as Extract<Step, { rethrow: boolean }>;
    if (kind === 'unwind') return { dead: true, failed: false, payload: x };
    if (kind === 'throw') {
      log.push([i, 'caught', errName(x.err!)]);
      if (s.rethrow) return { dead: true, failed: true, payload: x };
    } else {
      log.push([i, 'got', received(x)]);
    }
    g.pc++;
    return exec(i);
  };

  /** A transfer from main: runs bodies until control comes back to main. */
  const fromMain = (t: Transfer): { kind: Kind; payload: Payload } => {
    let { kind, target, payload } = t;
    let origin = 0;
    for (;;) {
      if (target !== 0 && gl(target).state === 'dead') {
        if (kind === 'unwind' || (kind === 'throw' && isExit(payload))) {
          kind = 'switch';
          payload = { value: received(payload) };
        }
        while (target !== 0 && gl(target).state === 'dead') target = gl(target).parent;
      }
      if (target !== origin) {
        switches++;
        events.push(`${kind === 'throw' ? 'throw' : 'switch'} ${origin}->${target}`);
      }
      if (target === 0) return { kind, payload };
      const g = gl(target);
      let next: Transfer | Death;
      if (g.state === 'unstarted') {
        if (kind === 'switch') {
          g.state = 'active';
          log.push([target, 'start', payload.args ?? [payload.value]]);
          next = exec(target);
        } else {
          next = { dead: true, failed: kind === 'throw', payload };
        }
      } else {
        next = resume(target, kind, payload);
      }
      origin = target;
      if ('dead' in next) {
        g.state = 'dead';
        const failed = next.failed && !isExit(next.payload);
        kind = failed ? 'throw' : 'switch';
        payload = failed ? next.payload : { value: received(next.payload) };
        target = g.parent;
      } else {
        ({ kind, target, payload } = next);
      }
    }
  };

  for (const s of p.main) {
    if (s.op === 'setParent') {
      setParent(0, s);
      continue;
    }
    const r = fromMain(transferOf(s));
    if (r.kind === 'throw') log.push([0, 'caught', errName(r.payload.err!)]);
    else if (r.kind === 'unwind') log.push([0, 'got', r.payload.value]);
    else log.push([0, 'got', received(r.payload)]);
  }
  const states = G.slice(1).map((g) => `${g!.state} parent=${g!.parent}`);
  return { log, events, switches, states };
}

// ---------------------------------------------------------------- the property

afterEach(() => {
  settrace(null);
});

describe('random greenlet programs against the reference model', () => {
  it('match the model in who runs, every value and error, trace events, switch count and states', () => {
    fc.assert(
      fc.property(programArb(), (p) => {
        const real = runReal(p);
        const model = runModel(p);
        expect(real.log).toEqual(model.log);
        expect(real.events).toEqual(model.events);
        expect(real.switches).toBe(model.switches);
        expect(real.states).toEqual(model.states);
      }),
      { numRuns: 2000 },
    );
  });

  it('has a model that is not trivially empty (programs switch, die and raise)', () => {
    // Guard against a generator that only makes programs doing nothing.
    let deaths = 0;
    let raised = 0;
    let reparented = 0;
    fc.assert(
      fc.property(programArb(), (p) => {
        const m = runModel(p);
        deaths += m.states.filter((s) => s.startsWith('dead')).length;
        raised += m.log.filter((e) => e[1] === 'caught').length;
        reparented += m.log.filter((e) => e[1] === 'parent').length;
      }),
      { numRuns: 300 },
    );
    expect(deaths).toBeGreaterThan(100);
    expect(raised).toBeGreaterThan(100);
    expect(reparented).toBeGreaterThan(20);
  });
});
