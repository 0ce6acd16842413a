import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local and one SQS emulator for the whole run (test/helpers/shared-emulators.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on timers, sockets and child processes rather than on the CPU. Measured on
    // 2 cores: test/integration took 3.4 min one file at a time (the default here, cores − 1),
    // 2.3–2.6 min four at a time, and no less with six.
    maxWorkers: 4,
  },
});
