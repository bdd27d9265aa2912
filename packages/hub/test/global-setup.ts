// Builds src/ into ESM files for the child processes that the *.os.test.ts files start
// (they cannot load TypeScript): index.js and threadpool-worker.js, in a fresh folder
// under node_modules/ (so that @g/ev, @g/greenlet and piscina resolve from there, to their
// built packages). Tests get the index's path through inject('hubBundle').
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    hubBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
  const dir = mkdtempSync(join(pkg, 'node_modules', '.g-hub-test-'));
  const { build } = await import('tsup');
  await build({
    entry: {
      index: join(pkg, 'src/index.ts'),
      'threadpool-worker': join(pkg, 'src/threadpool-worker.ts'),
    },
    format: ['esm'],
    outDir: dir,
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    config: false,
    platform: 'node',
    target: 'node20',
    external: ['@g/ev', '@g/greenlet', 'piscina'],
    tsconfig: join(pkg, 'tsconfig.json'),
  });
  project.provide('hubBundle', join(dir, 'index.js'));
  return () => rmSync(dir, { recursive: true, force: true });
}
