import { defineConfig } from 'tsup';

// An application, not a library: one ESM entry (bin/demo-server.mjs imports it), no types.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
