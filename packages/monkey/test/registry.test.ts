// The patch registry on plain objects (in the test process: no global is patched here).
// gevent test__monkey: test_saved, test_patch_twice_warnings_events, test_patch_events.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DoNotPatch,
  getOriginal,
  isModulePatched,
  isMonkeyError,
  isObjectPatched,
  onPatchEvent,
  type PatchEvent,
  patchAll,
  patchBlocking,
  patchItem,
  patchModule,
  removeItem,
  saved,
  setBlockingMode,
  unpatchAll,
} from '../src/index.js';

afterEach(() => {
  unpatchAll();
});

describe('patchItem / getOriginal / saved', () => {
  it('saves the original once, replaces the value, and reports it patched', () => {
    const f = () => 'original';
    const lib: Record<string, unknown> = { f, other: 1 };
    patchItem(lib, 'f', () => 'first patch', { module: 'lib' });
    patchItem(lib, 'f', () => 'second patch', { module: 'lib' });
    expect((lib.f as () => string)()).toBe('second patch');
    expect(getOriginal('lib', 'f')).toBe(f);
    expect(isObjectPatched('lib', 'f')).toBe(true);
    expect(isObjectPatched('lib', 'other')).toBe(false);
    expect(isModulePatched('lib')).toBe(true);
    expect(saved()).toEqual(new Map([['lib', new Map([['f', f]])]]));
  });

  it('knows an object by its label once given, and gives current values of unpatched names', () => {
    const lib: Record<string, unknown> = { a: 1, b: 2 };
    patchItem(lib, 'a', 10, { module: 'lib2' });
    patchItem(lib, 'b', 20); // the registry knows this object as 'lib2'
    lib.c = 3;
    expect(getOriginal('lib2', ['a', 'b', 'c'])).toEqual([1, 2, 3]);
  });

  it('resolves Node built-in modules by name, with or without node:', () => {
    expect(getOriginal('path', 'join')).toBe(path.join);
    expect(getOriginal('node:path', 'join')).toBe(path.join);
    expect(isModulePatched('path')).toBe(false);
  });

  it('unpatchAll restores every original: the same object, its attributes, and no property where there was none', () => {
    const f = () => 1;
    const proto = { inherited() {} };
    const lib = Object.create(proto) as Record<string, unknown>;
    Object.defineProperty(lib, 'hidden', {
      value: f,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    lib.visible = f;
    patchItem(lib, 'hidden', 'x', { module: 'lib3' });
    patchItem(lib, 'visible', 'y');
    patchItem(lib, 'inherited', 'z');
    patchItem(lib, Symbol.for('new'), 'w');
    expect(Object.keys(lib)).toEqual(['visible']); // enumerability kept, new ones hidden
    unpatchAll();
    expect(lib.hidden).toBe(f);
    expect(Object.getOwnPropertyDescriptor(lib, 'hidden')?.enumerable).toBe(false);
    expect(lib.visible).toBe(f);
    expect(Object.hasOwn(lib, 'inherited')).toBe(false);
    expect(lib.inherited).toBe(proto.inherited);
    expect(Symbol.for('new') in lib).toBe(false);
    expect(isModulePatched('lib3')).toBe(false);
    expect(saved().size).toBe(0);
  });

  it('removeItem deletes a property (saving it) and unpatchAll brings it back', () => {
    const lib: Record<string, unknown> = { gone: 42 };
    removeItem(lib, 'gone', { module: 'lib4' });
    expect('gone' in lib).toBe(false);
    expect(getOriginal('lib4', 'gone')).toBe(42);
    unpatchAll();
    expect(lib.gone).toBe(42);
  });

  it('refuses a non-configurable property, an unlabelled object and a label taken by another object', () => {
    const frozen = Object.freeze({ a: 1 });
    expect(() => patchItem(frozen, 'a', 2, { module: 'frozen' })).toThrow(TypeError);
    expect(isObjectPatched('frozen', 'a')).toBe(false);
    let err: unknown;
    try {
      patchItem({ x: 1 }, 'x', 2);
    } catch (e) {
      err = e;
    }
    expect(isMonkeyError(err)).toBe(true);
    expect(String(err)).toContain("{ module: 'mylib' }");
    patchItem({ x: 1 }, 'x', 2, { module: 'taken' });
    expect(() => patchItem({ x: 1 }, 'x', 2, { module: 'taken' })).toThrow(/another object/);
  });

  it('reports a module that cannot be found, with what to do', () => {
    expect(() => getOriginal('no-such-module-here', 'x')).toThrow(/cannot find module/);
  });
});

describe('patchModule and events', () => {
  it('sends willPatchModule then didPatchModule around the patch', () => {
    const events: PatchEvent[] = [];
    const off = onPatchEvent((e) => {
      events.push(e);
      if (e.type === 'willPatchModule') expect(target.a).toBe(1);
      if (e.type === 'didPatchModule') expect(target.a).toBe(10);
    });
    const target: Record<string, unknown> = { a: 1, b: 2 };
    expect(patchModule(target, { a: 10, b: 20 }, undefined, { module: 'target' })).toBe(true);
    off();
    expect(events).toEqual([
      { type: 'willPatchModule', name: 'target', modules: ['target'] },
      { type: 'didPatchModule', name: 'target', modules: ['target'] },
    ]);
    expect(target).toEqual({ a: 10, b: 20 });
  });

  it('a DoNotPatch thrown by a willPatchModule listener skips the patch', () => {
    const off = onPatchEvent((e) => {
      if (e.type === 'willPatchModule') throw new DoNotPatch();
    });
    const target: Record<string, unknown> = { a: 1 };
    expect(patchModule(target, { a: 2 }, ['a'], { module: 'vetoed' })).toBe(false);
    off();
    expect(target.a).toBe(1);
    expect(isModulePatched('vetoed')).toBe(false);
  });

  it('any other error of a listener propagates; a removed listener hears nothing', () => {
    const heard: string[] = [];
    const off = onPatchEvent((e) => {
      heard.push(e.type);
      throw new Error('plugin bug');
    });
    expect(() => patchModule({ a: 1 }, { a: 2 }, ['a'], { module: 'buggy' })).toThrow('plugin bug');
    off();
    patchModule({ a: 1 }, { a: 2 }, ['a'], { module: 'quiet' });
    expect(heard).toEqual(['willPatchModule']);
  });
});

describe('bad input', () => {
  it('patchAll refuses bad options before patching anything', () => {
    expect(() => patchAll(null as any)).toThrow(TypeError);
    expect(() => patchAll({ timers: 'yes' as any })).toThrow(/options.timers must be a boolean/);
    expect(() => patchAll({ blocking: 'loud' as any })).toThrow(/options.blocking must be/);
    expect(() => patchAll({ hub: {} as any })).toThrow(/options.hub must be a Hub/);
    expect(isModulePatched('timers')).toBe(false);
    expect(isModulePatched('globalThis')).toBe(false);
    expect(isModulePatched('fs')).toBe(false);
  });

  it('the blocking mode must be warn, throw or off', () => {
    let err: unknown;
    try {
      patchBlocking({ mode: 'loud' as any });
    } catch (e) {
      err = e;
    }
    expect(isMonkeyError(err)).toBe(true);
    expect(String(err)).toContain("mode must be 'warn', 'throw' or 'off'");
    expect(() => setBlockingMode('never' as any)).toThrow(/mode must be/);
    expect(isModulePatched('fs')).toBe(false);
  });

  it('listeners and patchModule sources must be what they say', () => {
    expect(() => onPatchEvent(42 as any)).toThrow(TypeError);
    expect(() => patchModule({ a: 1 }, null as any, ['a'], { module: 'x' })).toThrow(TypeError);
    expect(() => patchItem(42 as any, 'a', 1)).toThrow(TypeError);
  });
});
