// `pnpm pack-check`: proves each package under packages/ works once published, alone.
//
//   node scripts/pack-check.mjs [name-or-folder ...]      (default: every packages/* member)
//
// For each package (apps/ are not published and are not checked):
//  1. build it (turbo, with its @g/* dependencies);
//  2. `pnpm pack` it, so `workspace:^` ranges become the real versions;
//  3. publint on the tarball (errors fail, warnings are shown) and no `workspace:` left;
//  4. attw on the tarball, profile node16 (node16 CJS, node16 ESM and bundler resolution;
//     node10 is ignored: every package needs Node >= 20, which reads `exports`);
//  5. in an empty temp folder, `npm install --ignore-scripts` of the tarball plus only the
//     tarballs of its @g/* dependencies (transitively). With no third-party dependency in
//     that set the install is `--offline`; otherwise npm fetches those from the registry;
//  6. `require('@g/x')` and `import('@g/x')` from that folder must both load, from that
//     folder, with the same export names;
//  7. `tsc` type-checks an ESM consumer (.mts) and a CJS consumer (.cts) that import every
//     runtime export, under module/moduleResolution node16 and nodenext, with skipLibCheck
//     off (the package's .d.ts and .d.cts are checked too). One tsc program per mode covers
//     every package's consumer folder (each resolves from its own node_modules).
// Packages are checked two at a time (or one per core, whichever is more). Exit code 1 when
// any check fails; the temp folder is removed unless G_PACK_CHECK_KEEP=1.

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import {
  build,
  childEnv,
  duration,
  pnpm,
  ROOT,
  resolveRoot,
  run,
  workspaceMembers,
} from './lib.mjs';

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function safeName(name) {
  return name.replace(/^@/, '').replace(/\//g, '-');
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time. */
async function pool(limit, tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The environment for npm in a consumer folder: none of pnpm's npm_* settings leak in. */
function npmEnv() {
  const env = childEnv();
  const keep = new Set([
    'npm_config_registry',
    'npm_config_cache',
    'npm_config_cafile',
    'npm_config_nodedir',
    'npm_config_userconfig',
  ]);
  for (const k of Object.keys(env)) {
    if ((k.startsWith('npm_') || k.startsWith('PNPM')) && !keep.has(k)) delete env[k];
  }
  // Through pnpm, userconfig points at the user's .npmrc already; the registry setting
  // of the user's config is what npm would use anyway.
  return env;
}

class Check {
  constructor(member) {
    this.m = member;
    this.steps = [];
    this.errors = [];
    this.t = Date.now();
  }
  ok(step) {
    const now = Date.now();
    this.steps.push(`${step} ${duration(now - this.t)}`);
    this.t = now;
  }
  fail(step, detail) {
    this.errors.push(`${step}${detail ? `:\n${indent(detail.trim())}` : ''}`);
  }
}

function indent(text) {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

async function packOne(member, dest) {
  mkdirSync(dest, { recursive: true });
  const r = await pnpm(['pack', '--pack-destination', dest], { cwd: member.dir, capture: true });
  const tgz = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  if (r.code !== 0 || tgz.length !== 1) {
    throw new Error(`pnpm pack failed in ${member.rel} (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return join(dest, tgz[0]);
}

/** The @g/* workspace packages `name` needs, transitively (not including itself). */
function gClosure(name, byName) {
  const seen = new Set();
  const visit = (n) => {
    const m = byName.get(n);
    if (!m) return;
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(m.pkg[field] ?? {})) {
        if (!byName.has(dep) || seen.has(dep) || dep === name) continue;
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(name);
  return [...seen].sort();
}

function thirdPartyDeps(names, byName) {
  const out = [];
  for (const n of names) {
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(byName.get(n).pkg[field] ?? {})) {
        if (!byName.has(dep)) out.push(`${n} -> ${dep}`);
      }
    }
  }
  return out;
}

async function checkOne(member, ctx) {
  const c = new Check(member);
  const name = member.name;
  const tarball = ctx.tarballs.get(name);

  // publint, on the exact tarball.
  try {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const buf = readFileSync(tarball);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const res = await publint({ pack: { tarball: ab }, level: 'warning', strict: false });
    const errs = res.messages.filter((m) => m.type === 'error');
    const warns = res.messages.filter((m) => m.type !== 'error');
    for (const w of warns) c.steps.push(`publint ${w.type}: ${formatMessage(w, res.pkg)}`);
    if (errs.length) {
      c.fail('publint', errs.map((m) => formatMessage(m, res.pkg)).join('\n'));
    } else c.ok('publint');
    const leftovers = [];
    for (const field of DEP_FIELDS) {
      for (const [dep, range] of Object.entries(res.pkg[field] ?? {})) {
        if (String(range).startsWith('workspace:')) leftovers.push(`${field}.${dep}: ${range}`);
      }
    }
    if (leftovers.length)
      c.fail('packed package.json still has workspace: ranges', leftovers.join('\n'));
  } catch (err) {
    c.fail('publint could not run', String(err?.stack ?? err));
  }

  // attw, on the tarball.
  {
    const attw = join(
      dirname(resolveRoot('@arethetypeswrong/cli/package.json')),
      'dist',
      'index.js',
    );
    const r = await run(
      process.execPath,
      [
        attw,
        tarball,
        '--profile',
        'node16',
        '--format',
        'ascii',
        '--no-color',
        '--no-emoji',
        '--no-definitely-typed',
      ],
      { capture: true, env: childEnv() },
    );
    if (r.code !== 0) c.fail('attw (profile node16)', r.stdout + r.stderr);
    else c.ok('attw node16');
  }

  // Install alone into an empty folder.
  const deps = gClosure(name, ctx.byName);
  const third = thirdPartyDeps([name, ...deps], ctx.byName);
  const offline = third.length === 0;
  const dir = join(ctx.tmp, 'consumers', safeName(name));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `pack-check-${safeName(name)}`, private: true }, null, 2)}\n`,
  );
  const tarballs = [tarball, ...deps.map((d) => ctx.tarballs.get(d))];
  const npmArgs = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'];
  if (offline) npmArgs.push('--offline');
  const inst = await run('npm', [...npmArgs, ...tarballs], {
    cwd: dir,
    capture: true,
    env: npmEnv(),
  });
  if (inst.code !== 0) {
    c.fail(
      `npm install ${offline ? '--offline ' : ''}of ${tarballs.length} tarball(s)`,
      inst.stdout + inst.stderr,
    );
    return c;
  }
  c.ok(
    `installed alone${deps.length ? ` with ${deps.join(', ')}` : ''} (${offline ? 'offline' : `registry for ${third.join(', ')}`})`,
  );

  // require and import from that folder, and compare the export names.
  const probe = `const n = ${JSON.stringify(name)}; console.log(JSON.stringify({ where: require.resolve(n), keys: Object.keys(require(n)).sort() }));`;
  const cjsRun = await run(process.execPath, ['-e', probe], {
    cwd: dir,
    capture: true,
    env: npmEnv(),
  });
  const esmRun = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify({ url: import.meta.resolve(${JSON.stringify(name)}), keys: Object.keys(m).sort() }));`,
    ],
    { cwd: dir, capture: true, env: npmEnv() },
  );
  let names = [];
  if (cjsRun.code !== 0) c.fail(`require('${name}')`, cjsRun.stdout + cjsRun.stderr);
  if (esmRun.code !== 0) c.fail(`import('${name}')`, esmRun.stdout + esmRun.stderr);
  if (cjsRun.code === 0 && esmRun.code === 0) {
    const cj = JSON.parse(cjsRun.stdout.trim().split('\n').pop());
    const es = JSON.parse(esmRun.stdout.trim().split('\n').pop());
    const esmPath = new URL(es.url).pathname;
    if (!cj.where.startsWith(dir) || !esmPath.startsWith(dir)) {
      c.fail('resolution', `resolved outside the consumer folder: ${cj.where} / ${esmPath}`);
    }
    const a = JSON.stringify(cj.keys);
    const b = JSON.stringify(es.keys);
    if (a !== b) {
      c.fail('require and import give different exports', `require: ${a}\nimport:  ${b}`);
    } else {
      names = es.keys.filter((k) => k !== 'default');
      c.ok(`require = import (${names.length} exports)`);
    }
  }

  // Types: an ESM and a CJS consumer, node16 and nodenext.
  const usable = names.filter((n) => IDENT.test(n));
  const spec = JSON.stringify(name);
  const list = usable.join(', ');
  writeFileSync(
    join(dir, 'esm.mts'),
    usable.length
      ? `import { ${list} } from ${spec};\nimport * as ns from ${spec};\nexport const all: unknown[] = [ns, ${list}];\n`
      : `import * as ns from ${spec};\nexport const all: unknown = ns;\n`,
  );
  writeFileSync(
    join(dir, 'cjs.cts'),
    `import ns = require(${spec});\n${usable.length ? `import { ${list} } from ${spec};\n` : ''}` +
      `export const all: unknown[] = [ns${usable.length ? `, ${list}` : ''}];\n`,
  );
  c.consumer = relative(ctx.tmp, dir);
  return c;
}

/**
 * Type-checks every consumer folder in one tsc program per mode (node16, nodenext): each
 * consumer file resolves `@g/x` from its own folder's node_modules, so each package is
 * still checked as installed alone, while @types/node and the libs are checked once per
 * mode rather than once per package. Errors are given to the package whose folder they
 * name; an error elsewhere (in @types/node) fails every package.
 */
async function typecheckConsumers(checks, tmp) {
  const withConsumer = checks.filter((c) => c.consumer && !c.errors.length);
  if (!withConsumer.length) return;
  const t0 = Date.now();
  const files = withConsumer.flatMap((c) => [
    join(c.consumer, 'esm.mts'),
    join(c.consumer, 'cjs.cts'),
  ]);
  const tsc = resolveRoot('typescript/bin/tsc');
  const typeRoots = join(ROOT, 'node_modules', '@types');
  const modes = ['node16', 'nodenext'];
  const runs = await Promise.all(
    modes.map((mode) =>
      run(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          'false',
          '--target',
          'es2022',
          '--lib',
          'es2023,esnext.disposable',
          '--module',
          mode,
          '--moduleResolution',
          mode,
          '--typeRoots',
          typeRoots,
          '--types',
          'node',
          '--pretty',
          'false',
          ...files,
        ],
        { cwd: tmp, capture: true, env: npmEnv() },
      ),
    ),
  );
  for (const [i, r] of runs.entries()) {
    if (r.code === 0) continue;
    const lines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
    const claimed = new Set();
    for (const c of withConsumer) {
      const mine = lines.filter((l) => l.startsWith(`${c.consumer}/`));
      for (const l of mine) claimed.add(l);
      if (mine.length) c.fail(`tsc (${modes[i]}, ESM and CJS consumer)`, mine.join('\n'));
    }
    const rest = lines.filter((l) => !claimed.has(l) && !l.startsWith(' '));
    if (rest.length || claimed.size === 0) {
      for (const c of withConsumer) {
        c.fail(`tsc (${modes[i]}) failed outside the consumer folders`, lines.join('\n'));
      }
    }
  }
  const secs = duration(Date.now() - t0);
  for (const c of withConsumer) {
    if (!c.errors.length) c.steps.push(`tsc node16+nodenext (esm+cjs) ${secs} for all`);
  }
}

async function main() {
  const t0 = Date.now();
  const all = workspaceMembers({ apps: false });
  const byName = new Map(all.map((m) => [m.name, m]));
  const wanted = process.argv.slice(2);
  let members = all.filter((m) => !m.pkg.private);
  for (const m of all) if (m.pkg.private) console.log(`pack-check: ${m.rel} is private: skipped`);
  if (wanted.length) {
    members = members.filter((m) =>
      wanted.some((w) => m.name === w || m.rel === w || m.rel.endsWith(`/${w}`)),
    );
    if (!members.length) throw new Error(`no package matches ${wanted.join(', ')}`);
  }
  if (!members.length) {
    console.log('pack-check: no package under packages/');
    return;
  }
  await build(members.map((m) => `${m.name}...`));

  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'g-pack-check-')));
  try {
    const limit = Math.max(2, availableParallelism());
    const toPack = new Set(members.map((m) => m.name));
    for (const m of members) for (const d of gClosure(m.name, byName)) toPack.add(d);
    const tarballs = new Map();
    const names = [...toPack].sort();
    const packed = await pool(
      limit,
      names.map((n) => () => packOne(byName.get(n), join(tmp, 'tarballs', safeName(n)))),
    );
    for (const [i, n] of names.entries()) tarballs.set(n, packed[i]);
    console.log(`pack-check: packed ${names.length} package(s) in ${duration(Date.now() - t0)}`);

    const ctx = { tmp, tarballs, byName };
    const checks = await pool(
      limit,
      members.map((m) => () => checkOne(m, ctx)),
    );
    await typecheckConsumers(checks, tmp);
    let failed = 0;
    for (const c of checks) {
      const tgz = relative(tmp, tarballs.get(c.m.name));
      if (c.errors.length) {
        failed++;
        console.log(`FAIL ${c.m.name} (${tgz})`);
        for (const e of c.errors) console.log(`  - ${e}`);
      } else {
        console.log(`ok   ${c.m.name}: ${c.steps.join('; ')}`);
      }
    }
    console.log(
      `pack-check: ${checks.length - failed} ok, ${failed} failed in ${duration(Date.now() - t0)}`,
    );
    if (failed) process.exitCode = 1;
  } finally {
    if (process.env.G_PACK_CHECK_KEEP === '1') console.log(`pack-check: kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`pack-check: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
