import { defineProject } from 'vitest/config';

// `*.os.test.ts` files (child processes, worker threads, real time) are run one file at a
// time by scripts/test.mjs (`pnpm test`); here: `npx vitest run --exclude '**/*.os.test.*'`
// for the pure tests, `npx vitest run --no-file-parallelism os` for the others. The global
// setup bundles src/ for the child processes of the os tests.
export default defineProject({
  test: {
    name: 'hub',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
