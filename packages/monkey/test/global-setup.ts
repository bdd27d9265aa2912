// Builds the package (dist/, as `tsup` does) before the tests: the child processes of the
// *.os.test.ts files load @g/monkey through its own name and exports map (the package
// references itself from its fixtures), so they run the real build, preload entry
// included. @g/hub, @g/ev and @g/greenlet must be built already (`npx turbo run build
// --filter=@g/monkey^...`, or the root `pnpm test`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<void> {
  const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
  for (const dep of ['greenlet', 'ev', 'hub']) {
    if (!existsSync(join(pkg, 'node_modules', '@g', dep, 'dist', 'index.js'))) {
      throw new Error(
        `@g/${dep} is not built: run \`npx turbo run build --filter=@g/monkey^...\` first`,
      );
    }
  }
  const { build } = await import('tsup');
  await build({
    entry: ['register', 'promises', 'index'].map((e) => join(pkg, 'src', `${e}.ts`)),
    outDir: join(pkg, 'dist'),
    format: ['esm', 'cjs'],
    dts: false,
    sourcemap: true,
    clean: false,
    splitting: true,
    silent: true,
    config: false,
    target: 'node20',
    platform: 'node',
    tsconfig: join(pkg, 'tsconfig.json'),
  });
}
