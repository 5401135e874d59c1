import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Infra tests bundle every Lambda once per file; e2e tests start the local runtime.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    allowOnly: false,
  },
});
