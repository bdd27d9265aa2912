import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'demo-server',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The *.os tests run real servers and browsers on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
