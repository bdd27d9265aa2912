import { defineConfig } from 'vitest/config';

// One root command runs every package's tests. Each package (and app) has its own
// vitest.config.ts with two projects: `<pkg>` (pure tests, files in parallel) and
// `<pkg>:os` (sockets, processes, signals, real time: *.os.test.ts, run one file at a time
// by scripts/test.mjs).
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
