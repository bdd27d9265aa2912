// `pnpm bench [name ...]`: builds, then runs the `bench` script of every package and app
// that has one (or of those named: `pnpm bench greenlet`), one after the other so that no
// two benchmarks share the CPU. Each prints its own markdown table.
// Exit code 1 when any benchmark script fails; the others still run. A package whose
// bench script runs a file that does not exist yet is reported and passed over.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, duration, pnpm, workspaceMembers } from './lib.mjs';

const wanted = process.argv.slice(2).filter((a) => a !== '--');
let members = workspaceMembers().filter((m) => m.pkg.scripts?.bench);
if (wanted.length) {
  members = members.filter((m) =>
    wanted.some((w) => m.name === w || m.rel === w || m.rel.endsWith(`/${w}`)),
  );
}

try {
  if (!members.length) {
    console.log(`bench: no ${wanted.length ? 'matching ' : ''}package has a bench script`);
    if (wanted.length) process.exitCode = 1;
  } else {
    await build(members.map((m) => `${m.name}...`));
    const failed = [];
    for (const m of members) {
      console.log(`\n## ${m.name} (${m.rel}: ${m.pkg.scripts.bench})\n`);
      const file = /\bnode\s+(\S+\.m?js)\b/.exec(m.pkg.scripts.bench)?.[1];
      if (file && !existsSync(join(m.dir, file))) {
        console.log(`(${m.name}: no ${file} yet: nothing to run)`);
        continue;
      }
      const t0 = Date.now();
      const r = await pnpm(['run', '--silent', 'bench'], { cwd: m.dir });
      console.log(`\n(${m.name}: exit ${r.code} in ${duration(Date.now() - t0)})`);
      if (r.code !== 0) failed.push(m.name);
    }
    if (failed.length) {
      console.log(`bench: failed: ${failed.join(', ')}`);
      process.exitCode = 1;
    }
  }
} catch (err) {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exitCode = 1;
}
