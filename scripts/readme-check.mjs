// `node scripts/readme-check.mjs`: keeps the root README honest (run by .ci/run).
//
// 1. The first ```ts block of README.md (kept to syntax that is also plain JavaScript) runs
//    against the built packages (each `@g/x` import resolves to packages/x) and must print
//    exactly the ``` block that follows it.
// 2. The first code block under `## Quick start` has exactly two lines, each starting with
//    `npx -y pnpm@<the version in package.json's packageManager>`; the first ends with
//    `demo`, the second with `test`.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ROOT, run, workspaceMembers } from './lib.mjs';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const problems = [];

function blockAfter(text, from) {
  const m = /^```([a-z]*)\n([\s\S]*?)^```$/m.exec(text.slice(from));
  return m ? { lang: m[1], body: m[2], end: from + m.index + m[0].length } : null;
}

// 2. Quick start.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const pnpmSpec = `npx -y ${pkg.packageManager}`;
const qs = readme.indexOf('\n## Quick start\n');
if (qs < 0) problems.push('no `## Quick start` heading');
else {
  const block = blockAfter(readme, qs);
  const lines = (block?.body ?? '').trim().split('\n');
  if (lines.length !== 2) problems.push(`Quick start: ${lines.length} lines, want 2`);
  for (const l of lines) {
    if (!l.startsWith(pnpmSpec))
      problems.push(`Quick start: "${l}" does not start with ${pnpmSpec}`);
  }
  if (!/ demo$/.test(lines[0] ?? '')) problems.push('Quick start: line 1 does not end with `demo`');
  if (!/ test$/.test(lines[1] ?? '')) problems.push('Quick start: line 2 does not end with `test`');
}

// 1. The example and its output.
const start = readme.indexOf('```ts\n');
const code = start >= 0 ? blockAfter(readme, start) : null;
const out = code ? blockAfter(readme, code.end) : null;
if (!code || !out) problems.push('no ```ts example followed by an output block');
else {
  const used = [...code.body.matchAll(/from '(@g\/[a-z-]+)'/g)].map((m) => m[1]);
  const members = new Map(workspaceMembers().map((m) => [m.name, m]));
  const missing = used.filter((n) => !members.has(n));
  if (missing.length)
    problems.push(`the example imports ${missing.join(', ')}, not in the workspace`);
  else {
    await build(used);
    const dir = mkdtempSync(join(tmpdir(), 'g-readme-'));
    try {
      mkdirSync(join(dir, 'node_modules', '@g'), { recursive: true });
      for (const n of used) symlinkSync(members.get(n).dir, join(dir, 'node_modules', n), 'dir');
      writeFileSync(join(dir, 'example.mjs'), code.body);
      const r = await run(process.execPath, ['example.mjs'], { cwd: dir, capture: true });
      if (r.code !== 0) problems.push(`the example exited with ${r.code}:\n${r.stdout}${r.stderr}`);
      else if (r.stdout !== out.body) {
        problems.push(`the example printed:\n${r.stdout}but the README says:\n${out.body}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (problems.length) {
  for (const p of problems) console.log(`readme-check: ${p}`);
  process.exitCode = 1;
} else {
  console.log('readme-check: the example prints what the README says; Quick start is 2 lines');
}
