// Builds the package (dist/, as `tsup` does) before the tests: the child processes of the
// *.os.test.ts files load @g/monkey through its own name and exports map (the package
// references itself from its fixtures), so they run the real build, preload entry
// included. @g/hub, @g/ev and @g/greenlet must be built already (`npx turbo run build
// --filter=@g/monkey^...`, or the root `pnpm test`).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  // tsup takes its externals from the package.json of the current directory, which is the
  // workspace root when vitest runs from there: name them, or @g/hub and @g/ev get bundled
  // into dist/ (a second copy of their classes).
  const pkgJson = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const external = Object.keys({ ...pkgJson.dependencies, ...pkgJson.peerDependencies });
  // Old chunks (hashed names) would pile up: remove the JS output, keep the .d.ts files.
  const dist = join(pkg, 'dist');
  if (existsSync(dist)) {
    for (const f of readdirSync(dist)) {
      if (/\.(c?js|map)$/.test(f)) rmSync(join(dist, f));
    }
  }
  const { build } = await import('tsup');
  await build({
    external,
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
