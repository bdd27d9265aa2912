// The README's examples run, and print exactly what the README says they print: every ```ts
// block followed by "prints" and a ```text block (the "switch, not call" example and the
// ping/pong example of design/EXAMPLES.md).
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as greenlet from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [
  ...readme.matchAll(/```ts\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/g),
].map((m) => ({ code: m[1]!, output: m[2]! }));

/** Runs an example with `@g/greenlet` bound to this package's source; returns what it logged. */
function runExample(code: string): string {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const lines: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => lines.push(format(...args)) };
  const fakeRequire = (id: string) => {
    if (id !== '@g/greenlet') throw new Error(`the example imports ${id}`);
    return greenlet;
  };
  new Function('require', 'exports', 'console', js)(fakeRequire, {}, fakeConsole);
  return lines.map((l) => `${l}\n`).join('');
}

describe('README examples', () => {
  it('has the two documented examples', () => {
    expect(examples.length).toBe(2);
    expect(examples[0]!.code).toContain("console.log('out func1'); // never runs");
    expect(examples[1]!.code).toContain('const ping = new Greenlet(');
  });

  it('switch, not call: main gets gr2 return value and out func1 never prints', () => {
    // greenlet docs: "switch, not call" (docs/greenlet.rst)
    expect(runExample(examples[0]!.code)).toBe(examples[0]!.output);
    expect(examples[0]!.output).toBe('enter func1\nenter func2\nreturn from func2\n');
  });

  it('ping/pong: each switch carries a value and done comes back to main last', () => {
    // design/EXAMPLES.md "Greenlets: switch, not call"
    expect(runExample(examples[1]!.code)).toBe(examples[1]!.output);
    expect(examples[1]!.output).toBe('ping got 0\nping got 10\nping got 20\ndone\n');
  });
});
