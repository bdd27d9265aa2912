// Builds the app (tsup) when dist/ is missing or older than src/ or public/: the *.os tests
// run the real program (bin/demo-server.mjs imports dist/main.js). The @g/* packages must
// be built already (`pnpm test` builds the workspace first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const require = createRequire(join(APP, 'package.json'));
  for (const pkg of ['@g/hub', '@g/net', '@g/sync', '@g/monkey', '@g/ev', '@g/greenlet']) {
    let main = '';
    try {
      main = require.resolve(pkg);
    } catch {}
    if (!main || !existsSync(main)) {
      throw new Error(`${pkg} is not built: run \`npx turbo run build --filter=demo-server...\``);
    }
  }
  const out = join(APP, 'dist', 'main.js');
  if (existsSync(out) && statSync(out).mtimeMs >= Math.max(newest(join(APP, 'src')))) return;
  const tsup = join(dirname(require.resolve('tsup/package.json')), 'dist', 'cli-default.js');
  const r = spawnSync(process.execPath, [tsup], { cwd: APP, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building demo-server failed:\n${r.stdout}${r.stderr}`);
}
