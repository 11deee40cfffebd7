import { defineConfig } from 'vitest/config';

// `npm run chaos`: only the churn test (issue 12, target 7), on its own (it is
// also part of `npm test`); QSIGN_CHAOS_SECONDS shortens it by hand.
export default defineConfig({
  test: {
    include: ['test/chaos.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
