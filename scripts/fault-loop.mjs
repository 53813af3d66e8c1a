#!/usr/bin/env node
/**
 * `npm run test:faults [-- RUNS]`: the fault-injection test (test/e2e/typing-crash.test.ts,
 * kill -9 of the supervisor at seeded random moments) run RUNS times in a row (10 by
 * default), each with a fresh seed. Prints one line per run with its seed and result, and
 * exits 1 at the first failure (replay it with MUSTER_FAULT_SEED=<seed>).
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const runs = Number(process.argv[2] ?? 10);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: node scripts/fault-loop.mjs [RUNS]   (a whole number, 10 by default)');
  process.exit(2);
}
const started = Date.now();
for (let i = 1; i <= runs; i++) {
  const seed = randomInt(2 ** 31);
  const t = Date.now();
  const r = spawnSync('npx', ['vitest', 'run', 'test/e2e/typing-crash.test.ts', '-t', 'kill -9 of the supervisor at random moments'], {
    env: { ...process.env, MUSTER_FAULT_SEED: String(seed) },
    encoding: 'utf8',
  });
  const secs = Math.round((Date.now() - t) / 1000);
  if (r.status !== 0) {
    process.stdout.write(r.stdout + r.stderr);
    console.log(`run ${i}/${runs}: seed ${seed}: FAILED after ${secs} s (replay: MUSTER_FAULT_SEED=${seed} npx vitest run test/e2e/typing-crash.test.ts)`);
    process.exit(1);
  }
  console.log(`run ${i}/${runs}: seed ${seed}: passed in ${secs} s`);
}
console.log(`${runs} runs in a row passed in ${Math.round((Date.now() - started) / 1000)} s`);
