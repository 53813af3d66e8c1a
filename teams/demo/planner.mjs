// Demo agent "planner": stands in for a PM agent that thinks for a while, writes
// a plan, hands it to the builder and finishes. It "plans" for ~8 s, writes
// $MUSTER_DIR/<team>/plan.md, runs `muster handoff builder … --file plan.md`,
// then `muster done`, and exits 0 (1 if muster refused the handoff).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { log, muster, sleep, team } from './common.mjs';

const parts = ['parse the input', 'build the core', 'wire up the output'];

log('planner', 'planning…');
for (let i = 1; i <= 4; i += 1) {
  await sleep(2_000);
  log('planner', `thinking (${i}/4)`);
}

const folder = join(resolve(process.env.MUSTER_DIR || '.muster'), team);
const plan = join(folder, 'plan.md');
mkdirSync(folder, { recursive: true });
const text = ['# Plan', '', ...parts.map((part, i) => `${i + 1}. ${part}`), ''].join('\n');
writeFileSync(plan, text);
log('planner', `wrote ${plan}`);

const handedOff = await muster('planner', 'handoff', 'builder', `Plan ready: ${parts.length} parts to build, see the file`, '--file', plan);
if (!handedOff) process.exit(1);
await muster('planner', 'done', 'plan written and handed to builder');
log('planner', 'finished');
