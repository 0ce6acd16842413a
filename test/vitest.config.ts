import { defineConfig } from 'vitest/config';

/**
 * `hookline/...` imports inside the repository (the example handlers, the configs) resolve to the
 * sources, not to the built `dist/` (package.json `exports`, condition `hookline-source`): a test
 * never runs stale build output.
 */
const conditions = ['hookline-source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local and one SQS emulator for the whole run (test/helpers/shared-emulators.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker runs its files one after another in one module graph instead of a fresh one per file:
    // each file no longer loads the AWS SDK, zod and vitest anew. Measured on 2 cores, the whole run
    // went from 185–221 s to about 120 s. The files may therefore share module state: none may
    // leave the environment, timers or globals changed (stubbed variables are undone after each
    // test), and a run in shuffled file order (--sequence.shuffle.files) must pass as well.
    isolate: false,
    unstubEnvs: true,
    // Most test files wait on timers, sockets and child processes rather than on the CPU. Measured on
    // 2 cores: test/integration took 3.4 min one file at a time (the default here, cores − 1),
    // 2.3–2.6 min four at a time, and no less with six.
    maxWorkers: 4,
  },
});
