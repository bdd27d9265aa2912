import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'demo-server',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
