import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // The CJS build has no import.meta: there fd.ts finds the prebuilt helper from __filename.
  esbuildOptions(options, context) {
    if (context.format === 'cjs')
      options.define = { ...options.define, 'import.meta.url': 'undefined' };
  },
});
