import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['**/*.test.ts'],
    // faults/ starts the production build: `npm run test:faults`, after `next build`.
    exclude: ['node_modules/**', 'e2e/**', '.next/**', 'faults/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // argon2 and PGlite are CPU-heavy; two cores.
    maxWorkers: 2,
  },
});
