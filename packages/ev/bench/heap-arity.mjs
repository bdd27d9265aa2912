// Which heap arity? Builds src/heap.ts twice (arity 2 and 4, through a build-time define),
// runs the same workloads on both in fresh processes, prints JSON per arity.
//   node bench/heap-arity.mjs            (orchestrates; needs tsup, a devDependency)
//   node bench/heap-arity.mjs <file> N R  (one measurement process)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

async function measure(file, N, R) {
  const { TimerHeap } = await import(pathToFileURL(file).href);
  const nodes = Array.from({ length: N }, () => ({ _active: 0, _at: 0 }));
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const out = { fill: [], churn: [], drain: [] };
  for (let r = 0; r < R + 1; r++) {
    const heap = new TimerHeap();
    let t0 = performance.now();
    for (const n of nodes) {
      n._at = rand() * 100;
      heap.insert(n);
    }
    const fill = performance.now() - t0;
    // timeout-per-request: remove a random element, insert a later one
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const n = nodes[(rand() * N) | 0];
      heap.remove(n);
      n._at = 100 + i / N;
      heap.insert(n);
    }
    const churn = performance.now() - t0;
    t0 = performance.now();
    while (heap.n > 0) heap.remove(heap.top());
    const drain = performance.now() - t0;
    if (r > 0) {
      out.fill.push(fill / 1000);
      out.churn.push(churn / 1000);
      out.drain.push(drain / 1000);
    }
  }
  return out;
}

if (process.argv[2]) {
  console.log(
    JSON.stringify(
      await measure(process.argv[2], Number(process.argv[3]), Number(process.argv[4])),
    ),
  );
  process.exit(0);
}

const { build } = await import('tsup');
const dir = mkdtempSync(join(tmpdir(), 'g-ev-heap-'));
const N = Number(process.env.HEAP_N ?? 1_000_000);
const R = Number(process.env.HEAP_R ?? 5);
const result = {};
try {
  for (const arity of [2, 4]) {
    await build({
      entry: { [`heap${arity}`]: join(here, '..', 'src', 'heap.ts') },
      format: ['esm'],
      outDir: dir,
      outExtension: () => ({ js: '.mjs' }),
      define: { __EV_HEAP_ARITY__: String(arity) },
      dts: false,
      silent: true,
      config: false,
      platform: 'node',
      target: 'node20',
    });
  }
  // Interleave the two arities, one fresh process each, twice.
  for (const round of [0, 1]) {
    for (const arity of [2, 4]) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), join(dir, `heap${arity}.mjs`), String(N), String(R)],
        { encoding: 'utf8' },
      );
      const m = JSON.parse(out);
      const acc = (result[arity] ??= { fill: [], churn: [], drain: [] });
      for (const k of Object.keys(acc)) acc[k].push(...m[k]);
      void round;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ N, result }));
