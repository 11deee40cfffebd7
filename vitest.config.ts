import { defineConfig } from 'vitest/config';

// One config for the whole monorepo: unit tests live beside the code
// (packages/*/src/__tests__), cross-package and multi-process tests in test/.
export default defineConfig({
  test: {
    include: ['packages/*/src/__tests__/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Multi-process cluster tests are heavy on a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
