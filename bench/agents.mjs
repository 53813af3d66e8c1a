#!/usr/bin/env node
/**
 * Activity detection with the real agent CLIs (issue contract: README "Agent CLIs under
 * test"): per CLI, how long after the scripted model server changes state muster's status
 * follows (median and p95), and a confusion matrix of what status said after each
 * scripted state change. The measuring runs in test/agents/bench/detection.measure.ts
 * (the agents suite's harness: pinned CLIs from the cache, the scripted model server);
 * this file runs it and prints the tables.
 *
 *   node bench/agents.mjs [--runs 20] [--clis claude,codex,gemini,qwen,opencode]
 *   node bench/agents.mjs --print     (the tables of the last run, bench/.cache/agents-results.json)
 *
 * Each run makes five state changes, so 20 runs give 100 per CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toText } from './lib/table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const AGENT_CLIS = ['claude', 'codex', 'gemini', 'qwen', 'opencode'];
const STATES = ['busy', 'idle', 'waiting'];

/** The nearest-rank percentile of the figures (nulls left out); null when there are none. */
export function percentile(values, p) {
  const s = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const ms = (v) => (v === null ? '—' : `${Math.round(v)} ms`);

/** The tables of the measurements (an array of CliMeasure, see detection.measure.ts). */
export function agentTables(results) {
  const latency = {
    title: 'Activity detection with the real agent CLIs: scripted server changes state → status shows it',
    columns: ['CLI', 'pulse', 'runs', 'kind', 'median', 'p95', 'max', 'missed', '≤ 1 pulse'],
    rows: [],
    notes: [
      'busy: the request reaches the model server → status busy (0 when status already said busy: typing makes an agent busy);',
      'idle: the server ends the stream → idle; waiting: the server sends the shell tool call → waiting (includes the CLI drawing its prompt).',
      'Times are from the server clock to the first status snapshot the supervisor pushes with the new activity; missed: not seen within 60 s.',
      'needs-you: the first look at the pane (every 50 ms) that shows the permission prompt → the notify command started (docs/needs-you.md); negative: the CLI\'s hook told muster before the prompt was drawn; missed: no notify within 30 s.',
    ],
  };
  const confusion = {
    title: 'Confusion matrix with the real agent CLIs: truth (rows) vs status (columns), read 2.5 pulses after each scripted change',
    columns: ['CLI', 'truth', ...STATES, 'other', 'right', 'typed into a prompt', 'held send not once'],
    rows: [],
    notes: ['A round: send → busy (first token held), stream ends → idle, shell tool asks → waiting (a send made then must wait), approved → busy, all answered → idle.'],
  };
  for (const r of results) {
    if (r.error) latency.notes.push(`${r.cli}: stopped after ${r.runs} runs: ${r.error}`);
    for (const kind of ['busy', 'idle', 'waiting', 'needs-you']) {
      const xs = kind === 'needs-you' ? (r.needsYou ?? []) : r.latency[kind];
      if (kind === 'needs-you' && xs.length === 0) continue;
      const within = xs.filter((v) => v !== null && v <= r.pulseMs).length;
      latency.rows.push([
        r.cli,
        `${r.pulseMs} ms`,
        String(r.runs),
        kind === 'busy' ? `busy (${r.busyBeforeRequest} already)` : kind,
        ms(percentile(xs, 50)),
        ms(percentile(xs, 95)),
        ms(percentile(xs, 100)),
        String(xs.filter((v) => v === null).length),
        xs.length ? `${within}/${xs.length}` : '—',
      ]);
    }
    let right = 0;
    let total = 0;
    for (const truth of STATES) {
      const said = r.confusion[truth] ?? {};
      const n = Object.values(said).reduce((a, b) => a + b, 0);
      const other = n - STATES.reduce((a, s) => a + (said[s] ?? 0), 0);
      right += said[truth] ?? 0;
      total += n;
      confusion.rows.push([r.cli, truth, ...STATES.map((s) => String(said[s] ?? 0)), String(other), '', '', '']);
    }
    confusion.rows.push([r.cli, 'all', '', '', '', '', total ? `${right}/${total} (${((100 * right) / total).toFixed(1)} %)` : '—', String(r.typedIntoPrompt), String(r.notOnce)]);
  }
  return [latency, confusion];
}

/** Runs the measurements (vitest, the agents config) and returns the tables. */
export async function runAgentsBench({ runs = 20, clis = AGENT_CLIS, log = (l) => process.stderr.write(`${l}\n`) } = {}) {
  // kept in bench/.cache/ (written after each CLI), so a run cut short still shows what it measured
  const dir = join(ROOT, 'bench', '.cache');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'agents-results.json');
  rmSync(out, { force: true });
  {
    const vitest = join(ROOT, 'node_modules', '.bin', 'vitest');
    const code = await new Promise((resolve) => {
      const child = spawn(vitest, ['run', '-c', 'vitest.agents.config.ts'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, MUSTER_AGENTS_BENCH: '1', MUSTER_AGENTS_BENCH_OUT: out, MUSTER_AGENTS_BENCH_RUNS: String(runs), MUSTER_AGENTS_BENCH_CLIS: clis.join(',') },
      });
      child.on('error', (err) => {
        log(`agents bench: ${err.message}`);
        resolve(1);
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (!existsSync(out)) throw new Error(`the measurements wrote nothing (vitest exited with ${code})`);
    const tables = agentTables(JSON.parse(readFileSync(out, 'utf8')));
    if (code !== 0) tables[0].notes.push(`the measuring run exited with ${code}: see its output above`);
    return tables;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--print') {
    // the tables of the last run's measurements (bench/.cache/agents-results.json), even a cut-off one
    for (const t of agentTables(JSON.parse(readFileSync(join(ROOT, 'bench', '.cache', 'agents-results.json'), 'utf8')))) console.log(`\n${toText(t)}\n`);
    process.exit(0);
  }
  const args = process.argv.slice(2);
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') opts.runs = Number(args[++i]);
    else if (args[i] === '--clis') opts.clis = args[++i].split(',');
    else throw new Error(`unknown argument ${args[i]}`);
  }
  for (const t of await runAgentsBench(opts)) console.log(`\n${toText(t)}\n`);
}
