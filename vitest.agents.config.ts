import { defineConfig } from 'vitest/config';

/**
 * The agents suite (`npm run test:agents`): the real agent CLIs pinned in
 * test/agents/clis.json, installed by the global setup, driven in tmux against the scripted
 * model server. `npm run agents:capture` runs the screen capture with this config
 * (MUSTER_AGENTS_CAPTURE=1), `npm run bench -- --only agents` the detection measurements
 * (MUSTER_AGENTS_BENCH=1). See test/agents/README.md.
 */
const capture = process.env.MUSTER_AGENTS_CAPTURE === '1';
/** `npm run bench -- --only agents` (bench/agents.mjs): the measurements, one file, alone */
const bench = process.env.MUSTER_AGENTS_BENCH === '1';
/** `npm run test:agents:muster`: only the muster binary driving each real CLI end to end (test/agents/muster/) */
const musterE2e = process.env.MUSTER_AGENTS_MUSTER === '1';

export default defineConfig({
  test: {
    include: capture
      ? ['test/agents/capture/**/*.capture.ts']
      : bench
        ? ['test/agents/bench/*.measure.ts']
        : musterE2e
          ? ['test/agents/muster/*.test.ts']
          : ['test/agents/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/agents/global-setup.ts'],
    setupFiles: ['test/helpers/failure-report.ts'],
    // a CLI's first start can take half a minute on a loaded two-core machine
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: !capture && !bench,
    maxWorkers: 2,
  },
});
