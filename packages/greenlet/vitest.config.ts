import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'greenlet',
    include: ['test/**/*.test.ts'],
  },
});
