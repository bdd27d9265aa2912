/** Cooperative DNS (getaddrinfo through Node's dns.promises), waited on in greenlets. */
import { describe, expect, test } from 'vitest';
import { createHub, lookup, lookupAll, sleep, spawn } from '../src/index.js';

describe('dns', () => {
  test('lookup("localhost") and lookupAll in a greenlet; other greenlets run meanwhile', async () => {
    const hub = createHub({ backend: 'node' });
    try {
      const r = await hub.run(function* () {
        let ticks = 0;
        const ticker = spawn(function* () {
          for (;;) {
            ticks++;
            yield* sleep(0);
          }
        });
        const one = yield* lookup('localhost');
        const all = yield* lookupAll('localhost');
        yield* ticker.kill();
        return { one, all, ticks };
      });
      expect(r.one.address).toMatch(/^(127\.0\.0\.1|::1)$/);
      expect(r.all.length).toBeGreaterThanOrEqual(1);
      expect(r.ticks).toBeGreaterThan(0);
    } finally {
      hub.destroy();
    }
  });

  test('an unknown host raises the resolver error; a bad hostname is a TypeError', async () => {
    const hub = createHub({ backend: 'node' });
    try {
      const err = await hub.run(function* () {
        try {
          yield* lookup('no-such-host.invalid');
        } catch (e) {
          return e as NodeJS.ErrnoException;
        }
        return null;
      });
      expect(err?.code).toMatch(/ENOTFOUND|EAI_AGAIN|EAI_FAIL/);
      expect(() => lookup('' as any)).toThrow(TypeError);
    } finally {
      hub.destroy();
    }
  });
});
