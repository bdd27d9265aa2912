// The README's first example runs and prints exactly what the README says it prints (the
// producers/consumers/pool example of design/EXAMPLES.md).
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import * as hub from '@g/hub';
import ts from 'typescript';
import { expect, test } from 'vitest';
import * as sync from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const first = /```ts\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/.exec(readme);

/** Runs an example with @g/hub and this package's source; resolves what it logged. */
async function runExample(code: string): Promise<string> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const lines: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => lines.push(format(...args)) };
  const fakeRequire = (id: string) => {
    if (id === '@g/hub') return hub;
    if (id === '@g/sync') return sync;
    throw new Error(`the example imports ${id}`);
  };
  // Top-level await: run the module body as an async function.
  await new Function('require', 'exports', 'console', `return (async () => {\n${js}\n})();`)(
    fakeRequire,
    {},
    fakeConsole,
  );
  return lines.map((l) => `${l}\n`).join('');
}

test('the README starts with the producers/consumers/pool example, and it prints what it says', async () => {
  expect(first).not.toBeNull();
  const [, code, output] = first!;
  expect(readme.trimStart().split('\n```ts\n')[0]).not.toContain('```');
  expect(code).toContain('new Pool(2)');
  expect(code).toContain('new Queue(1)');
  expect(output).toBe(
    'at most 2 downloads at once\ngot <page of example.org>\ngot <page of a.example>\ngot <page of b.example.net>\n',
  );
  expect(await runExample(code!)).toBe(output);
});
