// Builds @g/ev's raw-fd helper (native/ev_fd.c, Node-API 8) with the C compiler against the
// Node headers, in about a second. No node-gyp, no Python, no network.
//
//   node scripts/build-native.mjs [--out <file>] [--check]
//
//   --out <file>  where to write the addon (default: prebuilds/<platform>-<arch>/ev_fd.node
//                 inside this package, the file @g/ev loads)
//   --check       print what is missing (compiler, headers) and exit 1, or exit 0 when a
//                 build could run
//
// Compiler: $CC, else cc, gcc or clang on PATH. Headers (node_api.h, uv.h): the folder
// include/node under $npm_config_nodedir, under the prefix of the running node, /usr or
// /usr/local. The result needs only glibc 2.2.5 symbols plus Node's own (resolved when Node
// loads it), so the linux-x64 build serves every glibc Linux and Node >= 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pkg, 'native', 'ev_fd.c');

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

export function findCompiler() {
  if (process.env.CC) return process.env.CC;
  for (const name of ['cc', 'gcc', 'clang']) {
    if (onPath(name)) return name;
  }
  return null;
}

export function findHeaders() {
  const prefixes = [
    process.env.npm_config_nodedir,
    resolve(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ];
  for (const p of prefixes) {
    if (!p) continue;
    const dir = join(p, 'include', 'node');
    if (existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'uv.h'))) return dir;
  }
  return null;
}

/** What a build needs that is missing (empty when it can run). */
export function missing() {
  const out = [];
  if (process.platform === 'win32') out.push('a POSIX platform (the helper uses poll(2))');
  if (!findCompiler()) out.push('a C compiler (cc, gcc or clang; or set CC)');
  if (!findHeaders())
    out.push('the Node headers (include/node/node_api.h; set npm_config_nodedir)');
  return out;
}

/** Compiles the helper to `out`; throws with the compiler's output on failure. */
export function build(out) {
  const lack = missing();
  if (lack.length) throw new Error(`cannot build the @g/ev fd helper: no ${lack.join(', no ')}`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [
    '-O2',
    '-fPIC',
    '-shared',
    '-fvisibility=hidden',
    '-std=c11',
    '-Wall',
    '-Wextra',
    '-DNAPI_VERSION=8',
    '-I',
    findHeaders(),
    source,
    '-o',
    tmp,
  ];
  if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
  else args.push('-s');
  const r = spawnSync(findCompiler(), args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(
      `building the @g/ev fd helper failed (${findCompiler()} ${args.join(' ')}):\n` +
        `${r.error?.message ?? ''}${r.stdout}${r.stderr}`,
    );
  }
  // Rename into place: a process that has the old file loaded keeps its mapping.
  renameSync(tmp, out);
  return out;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  if (argv.includes('--check')) {
    const lack = missing();
    if (lack.length) {
      console.log(`cannot build: no ${lack.join(', no ')}`);
      process.exit(1);
    }
    console.log(`can build with ${findCompiler()} and ${findHeaders()}`);
    process.exit(0);
  }
  const i = argv.indexOf('--out');
  const out =
    i >= 0
      ? resolve(argv[i + 1])
      : join(pkg, 'prebuilds', `${process.platform}-${process.arch}`, 'ev_fd.node');
  const t0 = performance.now();
  build(out);
  console.log(`built ${out} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}
