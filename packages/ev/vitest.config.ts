import { defineConfig } from 'vitest/config';

// Two projects: `ev` (pure tests, virtual clock and no OS: files run in parallel) and `ev:os`
// (sockets, child processes, signals, files, real time: one file at a time).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'ev',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.os.test.ts'],
        },
      },
      {
        test: {
          name: 'ev:os',
          include: ['test/**/*.os.test.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
