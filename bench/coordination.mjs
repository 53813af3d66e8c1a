#!/usr/bin/env node
/**
 * Start-up and coordination latencies (issues 2 and 4), printed as tables:
 *   - `muster up --headless` until a 20-agent team runs (median of 5 runs);
 *   - check-in → visible in status (the agent runs `muster checkin`; the benchmark polls
 *     the supervisor's status on its control socket);
 *   - handoff → typed and submitted into its idle target (the target echoes each line
 *     it reads; the benchmark watches the target's log).
 *
 *   node bench/coordination.mjs [--runs 5]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, MusterProject } from './lib/muster.mjs';
import { toText } from './lib/table.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.floor((s.length - 1) / 2)];
};
const ms = (v) => (v === null ? '—' : `${v.toFixed(0)} ms`);

/** `muster up --headless` until all `n` agents have started; ms. */
async function startup(n) {
  const agents = Array.from({ length: n }, (_, i) => `  a${i}:\n    run: exec sleep 3600`).join('\n');
  const p = new MusterProject('startup', { teams: { 't.yaml': `name: t\nagents:\n${agents}\n` }, project: 'pulse: 2s\n' });
  try {
    const t0 = performance.now();
    const child = spawn(process.execPath, [MAIN, '-C', p.dir, 'up', '--headless'], { env: p.env, cwd: p.dir, stdio: ['ignore', 'pipe', 'inherit'] });
    p.child = child;
    let out = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not all ${n} agents started in 60 s`)), 60_000);
      child.stdout.on('data', (d) => {
        out += d;
        if ((out.match(/started \(attempt/g) ?? []).length >= n) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return performance.now() - t0;
  } finally {
    await p.destroy();
  }
}

async function coordination(runs) {
  const p = new MusterProject('coord', {
    project: 'pulse: 2s\n',
    teams: {
      'c.yaml': [
        'name: c',
        'agents:',
        '  worker:',
        '    run: exec sleep 3600',
        '    checkin: { every: 1h }',
        '  target:',
        '    preset: shell',
        '    run: while read l; do echo "got:$l"; done',
        '',
      ].join('\n'),
    },
  });
  const checkins = [];
  const handoffs = [];
  try {
    await p.start();
    await p.waitRunning(2, 30_000);
    const env = { ...p.env, MUSTER_AGENT: 'c/worker', MUSTER_DIR: p.stateDir };
    const log = join(p.stateDir, 'logs', 'c', 'target.log');
    for (let i = 0; i < runs; i++) {
      const message = `bench checkin ${i}`;
      const t0 = performance.now();
      await runCli(['checkin', message], env);
      for (;;) {
        const s = await p.status();
        if (s.agents.find((a) => a.id === 'c/worker')?.checkin?.message === message) break;
        await sleep(10);
      }
      checkins.push(performance.now() - t0);
    }
    for (let i = 0; i < runs; i++) {
      // let the target go idle again (the shell preset: quiet for a while)
      await sleep(8000);
      const text = `bench handoff ${i}`;
      const t0 = performance.now();
      await runCli(['handoff', 'target', text], env);
      for (;;) {
        if (existsSync(log) && readFileSync(log, 'utf8').includes(`got:Handoff from c/worker: ${text}`)) break;
        await sleep(20);
      }
      handoffs.push(performance.now() - t0);
    }
  } finally {
    await p.destroy();
  }
  return { checkins, handoffs };

  function runCli(args, env) {
    return new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [MAIN, ...args], { env, stdio: 'ignore' });
      c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`muster ${args[0]} exited ${code}`))));
    });
  }
}

export async function runCoordinationBench({ runs = 5 } = {}) {
  const starts = [];
  for (let i = 0; i < runs; i++) starts.push(await startup(20));
  const { checkins, handoffs } = await coordination(runs);
  return {
    title: 'Start-up and coordination latency (median)',
    columns: ['measure', 'median', 'runs'],
    rows: [
      ['`muster up --headless`, 20 agents → all started', ms(median(starts)), starts.map((v) => v.toFixed(0)).join(' ')],
      ['check-in → shown in status', ms(median(checkins)), checkins.map((v) => v.toFixed(0)).join(' ')],
      ['handoff → typed and submitted into an idle target', ms(median(handoffs)), handoffs.map((v) => v.toFixed(0)).join(' ')],
    ],
    notes: [
      'check-in: `muster checkin` (a Node start) → record in .muster/inbox → watcher → ledger → status.',
      'handoff: `muster handoff` → inbox → the core queues it for the idle target and types it at once (paste, 200 ms pause, Enter, read back).',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const table = await runCoordinationBench({ runs });
  console.log(toText(table));
}
