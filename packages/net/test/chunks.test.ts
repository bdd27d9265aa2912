// The receive buffer (Chunks) against a plain Buffer model: random pushes, takes and line
// searches give the same bytes in the same order (property test).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAddress } from '../src/address.js';
import { Chunks } from '../src/chunks.js';

type Step =
  | { op: 'push'; data: number[] }
  | { op: 'take'; max: number }
  | { op: 'exact'; n: number }
  | { op: 'line'; limit: number }
  | { op: 'all' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('push' as const),
    data: fc.array(fc.constantFrom(10, 97, 98), { maxLength: 12 }),
  }),
  fc.record({ op: fc.constant('take' as const), max: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('exact' as const), n: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ op: fc.constant('line' as const), limit: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('all' as const) }),
);

describe('Chunks', () => {
  test('behaves like one growing Buffer (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const c = new Chunks();
        let model = Buffer.alloc(0);
        for (const s of steps) {
          if (s.op === 'push') {
            const b = Buffer.from(s.data);
            if (b.length === 0) continue;
            c.push(b);
            model = Buffer.concat([model, b]);
          } else if (s.op === 'take') {
            if (model.length === 0) continue;
            const got = c.take(s.max);
            expect(got.length).toBeGreaterThan(0);
            expect(got.length).toBeLessThanOrEqual(s.max);
            expect(got).toEqual(model.subarray(0, got.length));
            model = model.subarray(got.length);
          } else if (s.op === 'exact') {
            if (s.n > model.length) continue;
            const got = c.takeExactly(s.n);
            expect(got).toEqual(model.subarray(0, s.n));
            model = model.subarray(s.n);
          } else if (s.op === 'line') {
            const at = c.indexOf(10, s.limit);
            const want = model.subarray(0, s.limit).indexOf(10);
            expect(at).toBe(want);
          } else {
            expect(c.takeAll()).toEqual(model);
            model = Buffer.alloc(0);
          }
          expect(c.length).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('take returns the first chunk itself when it fits (no copy)', () => {
    const c = new Chunks();
    const a = Buffer.from('abc');
    c.push(a);
    expect(c.take(10)).toBe(a);
  });
});

describe('addresses', () => {
  test('the forms gevent users write are accepted; bad ones are clear errors', () => {
    expect(parseAddress(['127.0.0.1', 80], 'x')).toEqual({
      host: '127.0.0.1',
      port: 80,
      path: undefined,
    });
    expect(parseAddress(['', 80], 'x').host).toBe(undefined);
    expect(parseAddress('127.0.0.1:8080', 'x').port).toBe(8080);
    expect(parseAddress('[::1]:8080', 'x')).toEqual({ host: '::1', port: 8080, path: undefined });
    expect(parseAddress(':9000', 'x')).toEqual({ host: undefined, port: 9000, path: undefined });
    expect(parseAddress(0, 'x').port).toBe(0);
    expect(parseAddress({ path: '/tmp/s' }, 'x').path).toBe('/tmp/s');
    expect(() => parseAddress(['h', -1], 'connect')).toThrow(
      /connect: the port must be an integer/,
    );
    expect(() => parseAddress(['h', 1.5], 'x')).toThrow(RangeError);
    expect(() => parseAddress('nohost', 'x')).toThrow(TypeError);
    expect(() => parseAddress(['h'], 'x')).toThrow(TypeError);
    expect(() => parseAddress(null, 'x')).toThrow(TypeError);
  });
});
