import { describe, expect, test } from 'vitest';
import { Greenlet, getcurrent, setRedirect, settrace } from '../src/index.js';

// The `_redirect` hook: how a scheduler (@g/hub) hands control from a greenlet that
// switches to it straight to the greenlet it would resume next.

describe('_redirect: a switch into a greenlet with the hook may go elsewhere', () => {
  test('a body switching into the hooked greenlet lands in the returned one with the value', () => {
    const main = getcurrent();
    const seen: unknown[] = [];
    const target = new Greenlet(function* (v: unknown) {
      seen.push(['target', v]);
      yield* main.switch('target done');
    });
    const hub = new Greenlet(function* () {
      seen.push('hub ran');
      yield* main.switch('hub done');
    });
    setRedirect(hub, () => {
      hub._redirectValue = 42;
      return target;
    });
    const worker = new Greenlet(function* () {
      yield* hub.switch('ignored');
      seen.push('worker resumed');
    });
    expect(worker.switch()).toBe('target done');
    expect(seen).toEqual([['target', 42]]);
    expect(hub.dead).toBe(false);
    expect(getcurrent()).toBe(main);
  });

  test('a body that ends hands its parent the result unless the hook redirects it', () => {
    const main = getcurrent();
    const order: string[] = [];
    const next = new Greenlet(function* () {
      order.push('next');
      return 'next done';
    }, main);
    const parent = new Greenlet(function* () {
      order.push('parent');
    });
    setRedirect(parent, () => {
      setRedirect(parent, null); // once
      return next;
    });
    const child = new Greenlet(function* () {
      order.push('child');
      return 'child result';
    }, parent);
    expect(child.switch()).toBe('next done');
    expect(order).toEqual(['child', 'next']);
  });

  test('throws and unwinds into the hooked greenlet are not redirected', () => {
    const other = new Greenlet(function* () {
      return 'wrong';
    });
    const hooked = new Greenlet(function* () {
      yield* getcurrent().parent!.switch();
    });
    hooked.switch();
    setRedirect(hooked, () => other);
    expect(() => hooked.throw(new Error('to hooked'))).toThrow('to hooked');
    expect(other.dead).toBe(false);
    expect(hooked.dead).toBe(true);
  });

  test('while a trace function is set, the hook is not consulted (every hop is traced)', () => {
    const main = getcurrent();
    const hops: string[] = [];
    const names = new Map<Greenlet, string>([[main, 'main']]);
    const target = new Greenlet(function* () {
      yield* main.switch();
    });
    const hub = new Greenlet(function* () {
      yield* main.switch('hub ran');
    });
    names.set(target, 'target').set(hub, 'hub');
    let asked = 0;
    setRedirect(hub, () => {
      asked++;
      return target;
    });
    const worker = new Greenlet(function* () {
      yield* hub.switch();
    });
    names.set(worker, 'worker');
    const prev = settrace((ev, [from, to]) => {
      hops.push(`${ev} ${names.get(from)}->${names.get(to)}`);
    });
    try {
      expect(worker.switch()).toBe('hub ran');
    } finally {
      settrace(prev);
    }
    expect(asked).toBe(0);
    expect(hops).toEqual(['switch main->worker', 'switch worker->hub', 'switch hub->main']);
  });
});
