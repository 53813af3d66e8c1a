// Demo agent "worker": stands in for a long-lived coding agent (a Claude Code or
// Codex session) that works through tasks step by step and reports progress.
// It prints a progress line every 2 s, checks in with muster every 20 s, and
// answers anything typed into it (a nudge, a message) by checking in at once.
// Runs until stopped.
import { exitOnSignals, log, muster, readLines, scaled } from './common.mjs';

const STEPS_PER_TASK = 5;
let task = 1;
let step = 0;
let done = 0;

function progress() {
  return `task ${task}, step ${step}/${STEPS_PER_TASK}, ${done} task(s) finished`;
}

exitOnSignals('worker');
log('worker', 'starting work');

setInterval(() => {
  step += 1;
  log('worker', `task ${task}: step ${step}/${STEPS_PER_TASK} ${'#'.repeat(step)}${'.'.repeat(STEPS_PER_TASK - step)}`);
  if (step === STEPS_PER_TASK) {
    log('worker', `task ${task} finished`);
    done += 1;
    task += 1;
    step = 0;
  }
}, scaled(2_000));

setInterval(() => void muster('worker', 'checkin', `working: ${progress()}`), scaled(20_000));

readLines((line) => {
  log('worker', `got: ${line}`);
  void muster('worker', 'checkin', `asked for news: ${progress()}`);
});
