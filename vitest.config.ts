import { defineConfig } from 'vitest/config';

// One root command runs every package's and app's tests: each has its own small
// vitest.config.ts (defineProject, `name: '<pkg>'`), listed here as a project.
// scripts/test.mjs (`pnpm test`) runs vitest twice over these projects: every file except
// `*.os.test.*` with files in parallel, then the `*.os.test.*` files (sockets, processes,
// signals, real time) one file at a time. A bare `npx vitest run` here runs everything in
// parallel; use `pnpm test` for the real order.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
