/**
 * The names of a class's Ops (for the forgotten-`yield*` report and BlockingSwitchOutError),
 * built once per class and kept on its prototype, so that making an Op builds no string.
 */
export type Names = Readonly<Record<string, string>>;

/** `{ put: 'Queue.put', 'put()': 'Queue.put()', ... }` for `names('Queue', 'put', ...)`. */
export function names(cls: string, ...methods: string[]): Names {
  const out: Record<string, string> = {};
  for (const m of methods) {
    out[m] = `${cls}.${m}`;
    out[`${m}()`] = `${cls}.${m}()`;
  }
  return Object.freeze(out);
}

/** Sets the names of `cls`'s Ops (on its prototype, as `_n`). */
export function nameOps(cls: { prototype: object; name: string }, ...methods: string[]): void {
  Object.defineProperty(cls.prototype, '_n', { value: names(cls.name, ...methods) });
}
