// Demo agent "builder": stands in for a Dev agent that waits for work handed to
// it. It starts after the planner (`after: [planner]`); the handoff is typed
// into it, and it echoes every line it receives as "builder got: …". Each batch
// of lines starts a build (a few 2 s steps), after which it checks in. Then it
// stays alive, checking in every 30 s while idle.
import { exitOnSignals, log, muster, readLines, scaled, sleep } from './common.mjs';

const BUILD_STEPS = 4;
let building = false;
let queued = false;
let builds = 0;

async function build() {
  building = true;
  builds += 1;
  log('builder', `build #${builds} starting`);
  for (let step = 1; step <= BUILD_STEPS; step += 1) {
    await sleep(2_000);
    log('builder', `build #${builds}: step ${step}/${BUILD_STEPS}`);
  }
  log('builder', `build #${builds} finished`);
  await muster('builder', 'checkin', `build #${builds} finished`);
  building = false;
  if (queued) {
    queued = false;
    void build();
  }
}

exitOnSignals('builder');
log('builder', 'waiting for a handoff (type a line to start a build)');

let pending = null;
readLines((line) => {
  console.log(`builder got: ${line}`);
  // A pasted block arrives as several lines at once: build once per batch.
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = null;
    if (building) queued = true;
    else void build();
  }, 300);
});

setInterval(() => {
  if (!building) void muster('builder', 'checkin', `idle after ${builds} build(s), waiting for work`);
}, scaled(30_000));
