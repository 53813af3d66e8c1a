import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start their own tmux server; two cores are shared.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
