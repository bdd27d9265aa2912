// Builds src/ into one ESM and one CJS file for the child processes and worker threads that
// the *.os.test.ts files start (they cannot load TypeScript). Tests get their paths through
// inject('evBundle') and inject('evBundleCjs').
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    evBundle: string;
    evBundleCjs: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
  const dir = mkdtempSync(join(tmpdir(), 'g-ev-bundle-'));
  const { build } = await import('tsup');
  await build({
    entry: { index: join(pkg, 'src/index.ts') },
    format: ['esm', 'cjs'],
    outDir: dir,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    config: false,
    platform: 'node',
    target: 'node20',
    tsconfig: join(pkg, 'tsconfig.json'),
  });
  project.provide('evBundle', join(dir, 'index.mjs'));
  project.provide('evBundleCjs', join(dir, 'index.cjs'));
  return () => rmSync(dir, { recursive: true, force: true });
}
