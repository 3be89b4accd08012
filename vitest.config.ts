import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // What a page or a helper shows comes after a round trip; on a loaded CI machine that can take seconds.
    expect: { poll: { timeout: 5_000 } },
    // Integration and e2e tests start real processes; two cores are enough for two files at a time.
    maxWorkers: 2,
    // Sessions the tests record, and the worlds they open, go beside the other test output, not into the user's folder.
    env: { XPC_LAB_SESSIONS: 'test-output/sessions', XPC_LAB_HOME: 'test-output/home' },
  },
});
