// Builds src/ into one ESM and one CJS file for the child processes and worker threads that
// the *.os.test.ts files start (they cannot load TypeScript). Tests get their paths through
// inject('evBundle') and inject('evBundleCjs'). The files go to <tmp>/dist/ next to a link
// <tmp>/prebuilds -> the package's prebuilds/, the layout of the published package, so the
// bundles load the prebuilt fd helper as dist/ does.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
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
  const root = mkdtempSync(join(tmpdir(), 'g-ev-bundle-'));
  const dir = join(root, 'dist');
  mkdirSync(dir);
  symlinkSync(join(pkg, 'prebuilds'), join(root, 'prebuilds'), 'dir');
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
    // As tsup.config.ts: no import.meta in the CJS build (fd.ts uses __filename there).
    esbuildOptions(options, context) {
      if (context.format === 'cjs') {
        options.define = { ...options.define, 'import.meta.url': 'undefined' };
      }
    },
  });
  project.provide('evBundle', join(dir, 'index.mjs'));
  project.provide('evBundleCjs', join(dir, 'index.cjs'));
  return () => rmSync(root, { recursive: true, force: true });
}
