// Shared helpers of the workspace scripts (test, bench, demo, pack-check, turbo).
// Plain Node ESM, no dependencies: these scripts run before anything is built.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding pnpm-workspace.yaml). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The pnpm version every script and document uses (corepack fails on this machine). */
export const PNPM_SPEC = 'pnpm@10.34.9';

const rootRequire = createRequire(join(ROOT, 'package.json'));

/** Absolute path of a root devDependency's file, e.g. resolveRoot('vitest/vitest.mjs'). */
export function resolveRoot(spec) {
  return rootRequire.resolve(spec);
}

/** True when `cmd` is an executable found on `PATH` (like `command -v`). */
export function onPath(cmd, path = process.env.PATH ?? '') {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : null;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, cmd);
    if (existsSync(full)) return full;
  }
  return null;
}

let pnpmDirCache;

/**
 * A folder holding a `pnpm` executable, so that turbo (which runs each task through the
 * package manager named in package.json) can find one. Under `pnpm <script>` pnpm's own
 * folder is already on PATH; under a bare `node scripts/x.mjs` it is found once through npx.
 */
export function pnpmBinDir() {
  if (pnpmDirCache !== undefined) return pnpmDirCache;
  const found = onPath('pnpm');
  if (found) return (pnpmDirCache = dirname(found));
  const exec = process.env.npm_execpath ?? '';
  if (/pnpm\.c?js$/.test(exec)) {
    // <prefix>/node_modules/pnpm/bin/pnpm.cjs -> <prefix>/node_modules/.bin/pnpm
    const bin = resolve(dirname(exec), '..', '..', '.bin');
    if (existsSync(join(bin, 'pnpm'))) return (pnpmDirCache = bin);
  }
  const r = spawnSync('npx', ['-y', '-p', PNPM_SPEC, '-c', 'command -v pnpm'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !line || !existsSync(line)) {
    throw new Error(
      `cannot find pnpm: run this through \`npx -y ${PNPM_SPEC} <script>\` or put pnpm on PATH ` +
        `(npx said: ${(r.stderr ?? '').trim() || 'nothing'})`,
    );
  }
  return (pnpmDirCache = dirname(line));
}

/**
 * The environment every script gives its children: turbo's telemetry off, the running
 * node first on PATH (so a child that runs `node` gets the version this script runs on),
 * pnpm on PATH for turbo, and node-gyp pointed at local headers where they exist.
 */
export function childEnv(extra = {}) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...extra };
  // Left behind by `npx -p <pkg> ...`: any npx run below would try to install it again.
  delete env.npm_config_package;
  const path = env.PATH ?? '';
  const dirs = [];
  const node = onPath('node', path);
  if (!node || realpathSync(node) !== realpathSync(process.execPath)) {
    dirs.push(dirname(process.execPath));
  }
  if (!onPath('pnpm', path)) dirs.push(pnpmBinDir());
  env.PATH = [...dirs, path].filter(Boolean).join(delimiter);
  if (!env.npm_config_nodedir) {
    const dir = nodeHeadersDir();
    if (dir) env.npm_config_nodedir = dir;
  }
  return env;
}

/** A prefix whose include/node/node_api.h exists (for node-gyp), or null. */
export function nodeHeadersDir() {
  const candidates = [resolve(dirname(process.execPath), '..'), '/usr', '/usr/local'];
  for (const c of candidates) {
    if (existsSync(join(c, 'include', 'node', 'node_api.h'))) return c;
  }
  return null;
}

/**
 * Runs a command, streaming its output (or capturing it with `capture: true`).
 * Resolves to `{ code, signal, stdout, stderr }`; never rejects for a non-zero exit.
 */
export function run(cmd, args, { cwd = ROOT, env = childEnv(), capture = false, input } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: [
        input === undefined ? 'inherit' : 'pipe',
        capture ? 'pipe' : 'inherit',
        capture ? 'pipe' : 'inherit',
      ],
    });
    let stdout = '';
    let stderr = '';
    if (capture) {
      child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    }
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({ code: code ?? 1, signal, stdout, stderr }),
    );
  });
}

/** Runs turbo (the root devDependency) with the running node; args as on its command line. */
export function turbo(args, opts = {}) {
  return run(process.execPath, [resolveRoot('turbo/bin/turbo'), ...args], opts);
}

/** Runs pnpm: the one that launched this script if any, else the one found for turbo. */
export function pnpm(args, opts = {}) {
  const exec = process.env.npm_execpath ?? '';
  if (/pnpm\.c?js$/.test(exec)) return run(process.execPath, [exec, ...args], opts);
  return run(join(pnpmBinDir(), 'pnpm'), args, opts);
}

/**
 * Builds the workspace (or the turbo `--filter`s given). Quiet: turbo's output is shown
 * only when the build fails, and then the error is thrown.
 */
export async function build(filters = []) {
  const args = ['run', 'build', '--output-logs=errors-only'];
  for (const f of filters) args.push(`--filter=${f}`);
  const r = await turbo(args, { capture: true });
  if (r.code !== 0) {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    throw new Error(`build failed (turbo ${args.join(' ')} exited with ${r.code})`);
  }
}

/**
 * Every workspace member under packages/ and apps/: `{ dir, rel, name, pkg }`, sorted by
 * path. Folders without a package.json are skipped.
 */
export function workspaceMembers({ apps = true } = {}) {
  const out = [];
  for (const group of apps ? ['packages', 'apps'] : ['packages']) {
    const base = join(ROOT, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      out.push({ dir, rel: `${group}/${name}`, name: pkg.name ?? name, pkg });
    }
  }
  return out;
}

/** Formats milliseconds as `12.3s` or `2m05s`. */
export function duration(ms) {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
