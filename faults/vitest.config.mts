// `npm run test:faults`: the fault tests only, one file at a time (each starts its own server).
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.mts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    root: '.',
    include: ['faults/**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
