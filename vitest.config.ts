import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // the real agent CLIs have their own suite (vitest.agents.config.ts, `npm run test:agents`)
    exclude: [...configDefaults.exclude, 'test/agents/**'],
    // on a failure, prints what the test's projects left behind (supervisor output, logs)
    setupFiles: ['test/helpers/failure-report.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start their own tmux server; two cores are shared.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
