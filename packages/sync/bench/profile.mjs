// Where the time of a benchmark case goes: `node bench/profile.mjs <case> [repeats]`.
//
// Runs bench/cases.mjs <case> under V8's sampling profiler (--cpu-prof) and prints the share
// of self time by owner: @g/greenlet (the trampoline and switch ops), @g/hub (the hub loop,
// the wait protocol, Op tracking), @g/ev, @g/sync, the benchmark's own bodies (generator
// resumes of the greenlets' frames), the garbage collector, and Node itself (startup, module
// loading) and async_hooks (the hub resumes each greenlet in its AsyncLocalStorage context).
// Then the top functions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [, , name = 'queue-pingpong', repeats = '8'] = process.argv;
const dir = mkdtempSync(join(tmpdir(), 'g-sync-prof-'));
try {
  execFileSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(here, 'cases.mjs'), name, '1', repeats],
    { cwd: join(here, '..'), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const owner = (url, fn) => {
    if (fn === '(garbage collector)') return 'garbage collector';
    if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return 'idle / program';
    if (url.includes('/greenlet/dist/')) return '@g/greenlet';
    if (url.includes('/hub/dist/')) return '@g/hub';
    if (url.includes('/ev/dist/')) return '@g/ev';
    if (url.includes('/sync/dist/')) return '@g/sync';
    if (url.includes('/effection/')) return 'effection';
    if (url.includes('/bench/')) return 'benchmark bodies';
    if (url.includes('async_hooks')) return "node async_hooks (the hub's per-resume context)";
    return 'node (startup, module loading, other)';
  };
  const groups = new Map();
  const fns = new Map();
  for (const [id, t] of self) {
    const n = byId.get(id);
    const { url, functionName, lineNumber } = n.callFrame;
    const o = owner(url, functionName);
    groups.set(o, (groups.get(o) ?? 0) + t);
    const key = `${functionName || '(anonymous)'} [${o}:${lineNumber + 1}]`;
    fns.set(key, (fns.get(key) ?? 0) + t);
  }
  const pct = (t) => `${((100 * t) / total).toFixed(1)}%`;
  console.log(`${name}: self time by owner (${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [o, t] of [...groups].sort((a, b) => b[1] - a[1]))
    console.log(`  ${pct(t).padStart(6)}  ${o}`);
  console.log('top functions:');
  for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${pct(t).padStart(6)}  ${k}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
