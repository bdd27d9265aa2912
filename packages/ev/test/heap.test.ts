import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeapNode, TimerHeap } from '../src/heap.js';

interface Node extends HeapNode {
  id: number;
}

type Op =
  | { op: 'insert'; at: number }
  | { op: 'remove'; pick: number }
  | { op: 'pop' }
  | { op: 'adjust'; pick: number; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: fc.integer({ min: -5, max: 40 }).map((x) => x / 4),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('adjust' as const),
      pick: fc.nat(),
      at: fc.integer({ min: -5, max: 40 }).map((x) => x / 4),
    }),
  },
);

describe('timer heap (4-ary) against a sorted-array model', () => {
  // The model: an array kept sorted by (at, sequence of the insert/adjust). The heap orders
  // by `at` only (equal keys in any order); the loop restores start order for equal keys.
  it('always yields a minimum of the model, keeps its invariants, and pops in key order', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        (ops, cap) => {
          const heap = new TimerHeap<Node>(cap);
          let model: { node: Node; at: number; seq: number }[] = [];
          let seq = 0;
          let ids = 0;
          const sortModel = () => {
            model.sort((a, b) => a.at - b.at || a.seq - b.seq);
          };
          for (const o of ops) {
            if (o.op === 'insert') {
              const node: Node = { _active: 0, _at: o.at, id: ids++ };
              heap.insert(node);
              model.push({ node, at: o.at, seq: seq++ });
            } else if (o.op === 'remove' && model.length > 0) {
              const entry = model[o.pick % model.length];
              heap.remove(entry.node);
              expect(entry.node._active).toBe(0);
              model = model.filter((e) => e !== entry);
            } else if (o.op === 'pop' && model.length > 0) {
              sortModel();
              const top = heap.top()!;
              const entry = model.find((e) => e.node === top)!;
              expect(entry.at).toBe(model[0].at);
              heap.remove(top);
              model = model.filter((e) => e !== entry);
            } else if (o.op === 'adjust' && model.length > 0) {
              const entry = model[o.pick % model.length];
              entry.node._at = o.at;
              entry.at = o.at;
              entry.seq = seq++;
              heap.adjust(entry.node);
            }
            sortModel();
            expect(heap.check()).toBeNull();
            expect(heap.n).toBe(model.length);
            expect(heap.topAt()).toBe(model.length ? model[0].at : Infinity);
            if (model.length) {
              const top = model.find((e) => e.node === heap.top())!;
              expect(top.at).toBe(model[0].at);
              expect(heap.topSeq()).toBe(top.seq + 1); // the heap numbers from 1
            } else expect(heap.top()).toBeNull();
          }
          // Drain: keys come out in the model's (non-decreasing) order, each element once.
          const drained: number[] = [];
          while (heap.n > 0) {
            const top = heap.top()!;
            drained.push(top._at);
            heap.remove(top);
          }
          expect(drained).toEqual(model.map((e) => e.at));
          expect(heap.top()).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rebuild() restores order after every key changed in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (ats, shift) => {
          const heap = new TimerHeap<Node>();
          const nodes = ats.map((at, id) => ({ _active: 0, _at: at, id }));
          for (const n of nodes) heap.insert(n);
          for (const n of nodes) n._at = n._at * -1 + shift;
          heap.rebuild();
          expect(heap.check()).toBeNull();
          const expected = Math.min(...nodes.map((n) => n._at));
          expect(heap.topAt()).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takeDue() removes exactly the due elements, in key order, popping or in a batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), {
          minLength: 0,
          maxLength: 3000,
        }),
        fc.double({ min: -1.2e4, max: 1.2e4, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        (ats, now, inclusive, coarse) => {
          const heap = new TimerHeap<Node>();
          // coarse keys make many equal keys
          const nodes = ats.map((at, id) => ({
            _active: 0,
            _at: coarse ? Math.round(at / 500) : at,
            id,
          }));
          for (const n of nodes) heap.insert(n);
          const t = coarse ? Math.round(now / 500) : now;
          const out: Node[] = [];
          const holder = { keys: new Float64Array(4) };
          const k = heap.takeDue(t, inclusive, out, holder);
          const due = nodes.filter((n) => (inclusive ? n._at <= t : n._at < t));
          expect(k).toBe(due.length);
          const got = out.slice(0, k);
          expect(new Set(got)).toEqual(new Set(due));
          for (let i = 0; i < k; i++) {
            expect(holder.keys[i * 2]).toBe(got[i]._at);
            got[i]._active = 0; // the caller's part
            if (i > 0) expect(got[i - 1]._at).toBeLessThanOrEqual(got[i]._at);
          }
          expect(heap.n).toBe(nodes.length - k);
          expect(heap.check()).toBeNull();
          if (heap.n > 0) expect(inclusive ? heap.topAt() > t : heap.topAt() >= t).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takeDue() sorts a large due set (radix path) including negative keys and -0', () => {
    const heap = new TimerHeap<Node>();
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 1e6;
    const nodes = Array.from({ length: 20_000 }, (_, id) => ({ _active: 0, _at: rnd(), id }));
    nodes[5]._at = -0;
    nodes[6]._at = 0;
    nodes[7]._at = -1e-300;
    for (const n of nodes) heap.insert(n);
    const out: Node[] = [];
    const holder = { keys: new Float64Array(4) };
    const k = heap.takeDue(2e5, false, out, holder);
    const expected = nodes.filter((n) => n._at < 2e5).map((n) => n._at);
    expected.sort((a, b) => a - b);
    expect(k).toBe(expected.length);
    expect(k).toBeGreaterThan(10_000);
    expect(out.slice(0, k).map((n) => n._at)).toEqual(expected);
    expect(heap.check()).toBeNull();
  });

  it('check() reports a corrupted heap', () => {
    const heap = new TimerHeap<Node>();
    const a = { _active: 0, _at: 1, id: 0 };
    const b = { _active: 0, _at: 2, id: 1 };
    heap.insert(a);
    heap.insert(b);
    expect(heap.check()).toBeNull();
    const pos = b._active;
    b._active = 99;
    expect(heap.check()).toMatch(/index/);
    b._active = pos;
    heap.keys[pos * 2] = 0;
    b._at = 0;
    expect(heap.check()).toMatch(/order/);
  });
});
