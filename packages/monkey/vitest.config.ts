import { defineProject } from 'vitest/config';

// Every patch is global, so each one is tested in a fresh child process
// (`test/*.os.test.ts`, run one file at a time by scripts/test.mjs); the child processes
// load the built package (`dist/`, rebuilt by the global setup) through its own name.
// `test/*.test.ts` are pure tests of the registry, run in the vitest process.
export default defineProject({
  test: {
    name: 'monkey',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
