// `pnpm test`: builds the workspace, runs every package's and app's vitest tests, and ends
// with one line `N passed, N failed` (skipped and todo counts on the line above).
//
//   node scripts/test.mjs [--no-build] [vitest options] [file filters]
//
// Order: (1) build everything with turbo (tests import other packages' dist/);
// (2) vitest over all projects except `*.os.test.*` files, files in parallel;
// (3) the `*.os.test.*` files (sockets, processes, signals, real time), one file at a time.
// Both vitest runs use the node that runs this script (`npx -y node@22 scripts/test.mjs`
// tests on Node 22). Exit code: 0 only when both runs exited 0, counted at least one test
// file, and nothing failed. A crash (vitest failing to start, no test file anywhere) is a
// failure, never `0 passed, 0 failed` with exit 0.
//
// Environment given to the tests:
//   G_CHROMIUM     path of a chromium binary, or '' when none was found (browser tests skip)
//   G_NATIVE_BUILD '1' when a C/C++ compiler, make, python3 and node headers were found
//                  (tests that build a native addon skip when it is '0')
// Set G_TEST_SUMMARY_FILE to also write the counts as JSON (used by .ci/run).

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import {
  build,
  childEnv,
  duration,
  nodeHeadersDir,
  onPath,
  ROOT,
  resolveRoot,
  run,
  workspaceMembers,
} from './lib.mjs';

const OS_FILE = /\.os\.test\.[cm]?[jt]sx?$/;
const OS_GLOB = '**/*.os.test.*';
// vitest options that take a value as the next argument (so that value is not a filter).
const VALUE_FLAGS = new Set([
  '--project',
  '-t',
  '--testNamePattern',
  '--bail',
  '--retry',
  '--testTimeout',
  '--hookTimeout',
  '--shard',
  '--exclude',
  '--maxWorkers',
  '--tags-filter',
  '--sequence.seed',
  '--reporter',
]);

function parseArgs(argv) {
  const opts = { build: true, flags: [], filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--no-build') opts.build = false;
    else if (a.startsWith('-')) {
      opts.flags.push(a);
      if (VALUE_FLAGS.has(a) && i + 1 < argv.length) opts.flags.push(argv[++i]);
    } else opts.filters.push(a);
  }
  return opts;
}

function findChromium() {
  const given = process.env.G_CHROMIUM;
  if (given && existsSync(given)) return given;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    const p = onPath(name);
    if (p) return p;
  }
  return '';
}

function missingNativeTools() {
  const missing = [];
  if (!onPath('cc') && !onPath('gcc') && !onPath('clang')) missing.push('a C compiler');
  if (!onPath('c++') && !onPath('g++') && !onPath('clang++')) missing.push('a C++ compiler');
  if (!onPath('make')) missing.push('make');
  if (!onPath('python3')) missing.push('python3');
  if (!process.env.npm_config_nodedir && !nodeHeadersDir()) missing.push('node headers');
  return missing;
}

/** Every `*.os.test.*` file under packages/<x>/test and apps/<x>/test, relative to ROOT. */
function osTestFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (OS_FILE.test(e.name)) out.push(relative(ROOT, p));
    }
  };
  for (const m of workspaceMembers()) {
    const t = join(m.dir, 'test');
    if (existsSync(t)) walk(t);
  }
  return out.sort();
}

async function vitest(label, args, env, tmp) {
  const summaryFile = join(tmp, `${label}.json`);
  const bin = join(dirname(resolveRoot('vitest/package.json')), 'vitest.mjs');
  const reporter = join(ROOT, 'scripts', 'vitest-summary-reporter.mjs');
  const full = [bin, 'run', '--passWithNoTests', '--reporter=default', `--reporter=${reporter}`];
  full.push(...args);
  console.log(`\n== ${label}: vitest ${full.slice(1).join(' ')}`);
  const t0 = Date.now();
  const r = await run(process.execPath, full, { env: { ...env, G_VITEST_SUMMARY: summaryFile } });
  let summary = null;
  if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  console.log(
    `== ${label}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''} in ${duration(Date.now() - t0)}`,
  );
  return { label, code: r.code, summary };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const notices = [];
  const problems = [];
  console.log(`test: node ${process.version} (${process.execPath})`);

  const chromium = findChromium();
  if (!chromium) {
    notices.push(
      'notice: no chromium found: tests that need a browser report as skipped ' +
        '(install it with `apt-get install -y chromium`, or set G_CHROMIUM to its path)',
    );
  }
  const missing = missingNativeTools();
  if (missing.length) {
    notices.push(
      `notice: no ${missing.join(', ')}: tests that build a native addon report as skipped ` +
        '(install them with `apt-get install -y g++ make python3`)',
    );
  }
  const env = childEnv({ G_CHROMIUM: chromium, G_NATIVE_BUILD: missing.length ? '0' : '1' });

  for (const m of workspaceMembers()) {
    if (existsSync(join(m.dir, 'test')) && !existsSync(join(m.dir, 'vitest.config.ts'))) {
      problems.push(`${m.rel} has a test/ folder but no vitest.config.ts: its tests would not run`);
    }
  }

  if (opts.build) {
    const t0 = Date.now();
    await build();
    console.log(`test: built the workspace in ${duration(Date.now() - t0)}`);
  }

  let osFiles = osTestFiles();
  if (opts.filters.length) {
    osFiles = osFiles.filter((f) => opts.filters.some((flt) => f.includes(flt)));
  }

  const tmp = mkdtempSync(join(tmpdir(), 'g-test-'));
  const runs = [];
  try {
    runs.push(
      await vitest('parallel', ['--exclude', OS_GLOB, ...opts.flags, ...opts.filters], env, tmp),
    );
    if (osFiles.length) {
      runs.push(
        await vitest(
          'os (one file at a time)',
          ['--no-file-parallelism', ...opts.flags, ...osFiles],
          env,
          tmp,
        ),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const total = {
    files: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    todo: 0,
    failures: [],
    skipNotes: {},
  };
  for (const r of runs) {
    if (!r.summary) {
      total.failed++;
      total.failures.push(`${r.label}: vitest exited with ${r.code} before reporting any result`);
      continue;
    }
    const s = r.summary;
    for (const k of ['files', 'passed', 'failed', 'skipped', 'todo']) total[k] += s[k];
    total.failures.push(...s.failures);
    for (const [note, n] of Object.entries(s.skipNotes)) {
      total.skipNotes[note] = (total.skipNotes[note] ?? 0) + n;
    }
    if (r.code !== 0 && s.failed === 0) {
      total.failed++;
      total.failures.push(`${r.label}: vitest exited with ${r.code} (see its output above)`);
    }
  }
  if (total.files === 0 && runs.every((r) => r.summary)) {
    total.failed++;
    total.failures.push('no test file was found: nothing was tested');
  }
  for (const p of problems) {
    total.failed++;
    total.failures.push(p);
  }

  console.log('');
  for (const n of notices) console.log(n);
  for (const [note, n] of Object.entries(total.skipNotes)) console.log(`skipped ${n}: ${note}`);
  for (const f of total.failures) console.log(`FAILED ${f}`);
  if (process.env.G_TEST_SUMMARY_FILE) {
    const { failures, skipNotes, ...counts } = total;
    writeFileSync(
      process.env.G_TEST_SUMMARY_FILE,
      `${JSON.stringify({ node: process.version, ...counts, failures }, null, 2)}\n`,
    );
  }
  console.log(`${total.skipped} skipped, ${total.todo} todo (in ${total.files} test files)`);
  console.log(`${total.passed} passed, ${total.failed} failed`);
  const ok = total.failed === 0 && runs.every((r) => r.code === 0);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`test: ${err?.stack ?? err}`);
  console.log('0 skipped, 0 todo (in 0 test files)');
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
