#!/usr/bin/env node
/**
 * Agents' hooks (README, "Sessions, resume and hooks"), printed as tables:
 *   - the cost of one hook event: muster's hook command (a shell that keeps 1 KiB of the
 *     payload and appends one line) against a Node start doing the same, wall time and CPU;
 *   - the supervisor's CPU per hook event: a crew whose agent's hooks fire 50 times a second,
 *     against the same crew quiet;
 *   - hook-reported vs screen-detected state latency: an agent that works for 3 s and then
 *     shows its prompt, firing its `Stop` hook at that moment (with hooks) or not (screen
 *     rules only); the time from that moment until status shows it idle, median and p95.
 *
 *   node bench/hooks.mjs [--runs 10]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MusterProject } from './lib/muster.mjs';
import { toText } from './lib/table.mjs';

const { hookCommand, hookReportFile } = await import(new URL('../dist/supervisor/agent-hooks.js', import.meta.url).href);
const { statePaths } = await import(new URL('../dist/supervisor/paths.js', import.meta.url).href);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const ms = (v) => (v === null ? '—' : `${v.toFixed(1)} ms`);
const TICK_MS = 10; // USER_HZ = 100

/** CPU time (ms) of this process's waited-for children so far. */
function childrenCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** CPU time (ms) of process `pid` so far. */
function cpuMs(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

const PAYLOAD = JSON.stringify({ session_id: '0123abcd-0000-4000-8000-000000000000', hook_event_name: 'PreToolUse', tool_input: { command: 'x'.repeat(2000) } });

function costPerEvent(n, file) {
  const runs = [];
  const cmd = hookCommand(file, 'b/a', 1, 'busy', 'PreToolUse');
  const cpu0 = childrenCpuMs();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    spawnSync('/bin/sh', ['-c', cmd], { input: PAYLOAD, env: { PATH: process.env.PATH, MUSTER_AGENT: 'b/a' } });
    runs.push(performance.now() - t);
  }
  const cpu = (childrenCpuMs() - cpu0) / n;
  const nodeRuns = [];
  const nodeN = Math.max(5, Math.round(n / 10));
  const script = `const fs=require('fs');let d='';process.stdin.on('data',c=>d+=c).on('end',()=>fs.appendFileSync(${JSON.stringify(file)},d.slice(0,1024).replace(/\\n/g,' ')+'\\n'))`;
  const ncpu0 = childrenCpuMs();
  for (let i = 0; i < nodeN; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', script], { input: PAYLOAD });
    nodeRuns.push(performance.now() - t);
  }
  const nodeCpu = (childrenCpuMs() - ncpu0) / nodeN;
  return { runs, cpu, nodeRuns, nodeCpu, n, nodeN };
}

function hookedPreset(dir) {
  writeFileSync(
    join(dir, 'presets', 'hooked.yaml'),
    `extends: shell
hooks:
  env: { HOOK_SETTINGS: '{file}' }
  events:
    - { on: Busy, state: busy }
    - { on: Stop, state: idle }
`,
  );
}

async function supervisorCpu(rate, seconds) {
  const p = new MusterProject('hooks-cpu', { teams: { 'b.yaml': 'name: b\nagents:\n  a:\n    run: exec sleep 3600\n    preset: hooked\n' }, project: 'pulse: 2s\n', env: { MUSTER_CGROUPS: 'off' } });
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(p.dir, 'presets'), { recursive: true });
    hookedPreset(p.dir);
    await p.start();
    await p.waitRunning(1, 30_000);
    const pid = await p.supervisorPid();
    const file = hookReportFile(statePaths(p.dir), 'b/a');
    await sleep(3000);
    const q0 = cpuMs(pid);
    await sleep(seconds * 1000);
    const quiet = cpuMs(pid) - q0;
    const cmds = ['busy', 'idle'].map((s) => hookCommand(file, 'b/a', 1, s, s === 'busy' ? 'Busy' : 'Stop'));
    const h0 = cpuMs(pid);
    const end = Date.now() + seconds * 1000;
    let events = 0;
    while (Date.now() < end) {
      const t = Date.now();
      spawnSync('/bin/sh', ['-c', cmds[events % 2]], { input: PAYLOAD, env: { PATH: process.env.PATH, MUSTER_AGENT: 'b/a' } });
      events++;
      const wait = 1000 / rate - (Date.now() - t);
      if (wait > 0) await sleep(wait);
    }
    const hooked = cpuMs(pid) - h0;
    const s = await p.status();
    const a = s.agents.find((x) => x.id === 'b/a');
    return { quiet, hooked, events, seconds, source: a?.activitySource ?? null };
  } finally {
    await p.destroy();
  }
}

/** From the moment the agent shows its prompt (and fires Stop) until status says idle; ms per run. */
async function latency(withHooks, runs) {
  const script = (file) =>
    `i=0; while [ $i -lt ${runs + 1} ]; do
  read -r go
  ${withHooks ? 'sh "$HOOKS/busy.sh" </dev/null' : ':'}
  n=0; while [ $n -lt 30 ]; do echo "working $i $n"; sleep 0.1; n=$((n+1)); done
  date +%s%3N > "$MARK"
  printf 'done\\n$ '
  ${withHooks ? 'sh "$HOOKS/idle.sh" </dev/null' : ':'}
  i=$((i+1))
done
exec sleep 3600`;
  const p = new MusterProject(`hooks-lat-${withHooks ? 'hook' : 'screen'}`, { teams: {}, project: 'pulse: 2s\n', env: { MUSTER_CGROUPS: 'off' } });
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(p.dir, 'presets'), { recursive: true });
    hookedPreset(p.dir);
    const file = hookReportFile(statePaths(p.dir), 'b/a');
    writeFileSync(join(p.dir, 'agent.sh'), script(file));
    writeFileSync(join(p.dir, 'busy.sh'), `${hookCommand(file, 'b/a', 1, 'busy', 'Busy')}\n`);
    writeFileSync(join(p.dir, 'idle.sh'), `${hookCommand(file, 'b/a', 1, 'idle', 'Stop')}\n`);
    const mark = join(p.dir, 'mark');
    writeFileSync(join(p.dir, 'teams', 'b.yaml'), `name: b\nagents:\n  a:\n    run: sh ${join(p.dir, 'agent.sh')}\n    preset: ${withHooks ? 'hooked' : 'shell'}\n    env: { MARK: ${JSON.stringify(mark)}, HOOKS: ${JSON.stringify(p.dir)} }\n`);
    await p.start();
    const s0 = await p.waitRunning(1, 30_000);
    const pane = s0.agents[0].pane;
    const out = [];
    for (let i = 0; i <= runs; i++) {
      writeFileSync(mark, '');
      spawnSync('tmux', ['-S', p.socket, 'send-keys', '-t', pane, 'go', 'Enter']);
      // wait for it to be seen busy, then for the prompt moment and the idle that follows
      const t0 = Date.now();
      let shown = null;
      while (Date.now() - t0 < 20_000) {
        const m = readFileSync(mark, 'utf8').trim();
        const st = await p.status();
        const a = st.agents[0];
        if (m && a.activity === 'idle') {
          shown = Date.now() - Number(m);
          break;
        }
        await sleep(20);
      }
      if (shown === null && process.env.MUSTER_BENCH_DEBUG) {
        const st = await p.status();
        process.stderr.write(`no idle: ${JSON.stringify(st.agents[0])}\n${spawnSync('tmux', ['-S', p.socket, 'capture-pane', '-p', '-t', pane], { encoding: 'utf8' }).stdout}\n`);
      }
      if (i > 0 && shown !== null) out.push(shown); // the first run warms up
      await sleep(500);
    }
    return out;
  } finally {
    await p.destroy();
  }
}

export async function runHooksBench({ runs = 10, log = () => undefined } = {}) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const tmp = mkdtempSync(join(tmpdir(), 'muster-bench-hookcost-'));
  let cost;
  try {
    log('hooks: cost of one hook event…');
    cost = costPerEvent(200, join(tmp, 'r.log'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log('hooks: supervisor CPU per hook event…');
  const cpu = await supervisorCpu(50, 10);
  log('hooks: hook-reported vs screen-detected latency…');
  const hooked = await latency(true, runs);
  const screen = await latency(false, runs);
  const perEvent = cpu.events > 0 ? (cpu.hooked - cpu.quiet) / cpu.events : null;
  return {
    title: 'Agent hooks: cost per event and state latency',
    columns: ['measure', 'median', 'p95', 'runs'],
    rows: [
      ["muster's hook command (sh, 2 KiB payload): wall time", ms(pick(cost.runs, 0.5)), ms(pick(cost.runs, 0.95)), String(cost.n)],
      ["muster's hook command: CPU per event", ms(cost.cpu), '—', String(cost.n)],
      ['a Node start doing the same: wall time', ms(pick(cost.nodeRuns, 0.5)), ms(pick(cost.nodeRuns, 0.95)), String(cost.nodeN)],
      ['a Node start doing the same: CPU per event', ms(cost.nodeCpu), '—', String(cost.nodeN)],
      [`supervisor CPU per hook event (${cpu.events} events in ${cpu.seconds} s, minus a quiet ${cpu.seconds} s)`, ms(perEvent), '—', String(cpu.events)],
      ['prompt shown → status idle, hooks (`Stop` hook)', ms(pick(hooked, 0.5)), ms(pick(hooked, 0.95)), String(hooked.length)],
      ['prompt shown → status idle, screen rules (shell preset, 1.5 s quiet)', ms(pick(screen, 0.5)), ms(pick(screen, 0.95)), String(screen.length)],
    ],
    notes: [
      `CPU from /proc (10 ms ticks): per-event figures are totals divided by the count. Supervisor: ${cpu.quiet} ms quiet, ${cpu.hooked} ms with hooks; activity source at the end: ${cpu.source}.`,
      'Latency uses a scripted agent (works 3 s, prints its prompt, fires the hook) so that both sides see the same moment; the real CLIs are checked for hook states in test/agents/sessions/.',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
  const table = await runHooksBench({ runs, log: (l) => process.stderr.write(`${l}\n`) });
  console.log(toText(table));
}
