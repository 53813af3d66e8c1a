#!/usr/bin/env node
/**
 * `npm run bench`: muster's resource-limit benchmark, peers in the same run.
 *
 *   node bench/run.mjs [--only overhead,memory,throttle,portable,coordination,worktrees,hooks,transcripts,tui,agents] [--sizes 10,50,200] [--overhead-window 30] [--window 20] [--agent-runs 20] [--agent-clis claude,codex,…]
 *
 * Prints each table and writes the sections it ran as Markdown into bench/results.md (the
 * other sections stay as an earlier run left them: bench/lib/results-file.mjs). Needs Linux,
 * tmux and a built dist/ (`npm run bench` builds first). pm2 is installed into
 * bench/.cache/ on first use; cpulimit with apt-get when running as root.
 * `agents` (activity detection with the real agent CLIs, bench/agents.mjs) needs them
 * installed (`npm run agents:install`); it is skipped, with a note, when they are not.
 * Runs bench/tui-bench.mjs afterwards as a separate section when that file exists.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { toMarkdown, toText } from './lib/table.mjs';
import { ensurePm2 } from './lib/pm2.mjs';
import { MAIN } from './lib/muster.mjs';
import { mergeResults } from './lib/results-file.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CACHE = join(HERE, '.cache');
const RESULTS = join(HERE, 'results.md');
const TUI_BENCH = join(HERE, 'tui-bench.mjs');

/** Every section, in the order of bench/results.md. */
const SECTIONS = ['overhead', 'memory', 'throttle', 'portable', 'coordination', 'needs-you', 'worktrees', 'hooks', 'transcripts', 'tui', 'agents'];

function parseArgs(argv) {
  const opts = { only: SECTIONS.filter((s) => s !== 'needs-you'), sizes: [10, 50, 200], windowS: 20, overheadWindowS: 30, agentRuns: 20, agentClis: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') opts.only = next().split(',');
    else if (a === '--sizes') opts.sizes = next().split(',').map(Number);
    else if (a === '--window') opts.windowS = Number(next());
    else if (a === '--overhead-window') opts.overheadWindowS = Number(next());
    else if (a === '--agent-runs') opts.agentRuns = Number(next());
    else if (a === '--agent-clis') opts.agentClis = next().split(',');
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/run.mjs [--only overhead,memory,throttle,portable,coordination,worktrees,hooks,transcripts,tui,agents] [--sizes 10,50,200] [--overhead-window SECONDS (30)] [--window SECONDS (throttle, 20)] [--agent-runs N (20)] [--agent-clis claude,codex,gemini,qwen,opencode]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const log = (line) => process.stderr.write(`${line}\n`);

/** Everything started and not yet torn down, so Ctrl-C or a crash still cleans up. */
const live = new Set();
const track = (x) => {
  live.add(x);
  return x;
};
track.done = (x) => live.delete(x);

async function teardownAll() {
  for (const x of [...live]) {
    live.delete(x);
    try {
      await (x.destroy ? x.destroy() : x.kill());
    } catch (err) {
      log(`cleanup: ${err.message}`);
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    log(`\n${sig}: cleaning up…`);
    void teardownAll().finally(() => process.exit(130));
  });
}

function machineLine() {
  const tmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).stdout?.trim() ?? 'tmux ?';
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${tmux}, ${process.platform} ${process.arch}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux') throw new Error('the benchmark reads /proc: Linux only');
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run bench` (it builds first)');
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const windowMs = opts.windowS * 1000;
  /** section name → its tables, as Markdown */
  const sections = new Map();
  const show = (section, t) => {
    sections.set(section, [...(sections.get(section) ?? []), toMarkdown(t)]);
    ended.set(section, Date.now());
    console.log(`\n${toText(t)}\n`);
  };
  const begun = new Map();
  const ended = new Map();
  const begin = (section) => begun.set(section, { at: Date.now(), load: loadavg()[0] });

  const pm2 = opts.only.includes('overhead') || opts.only.includes('memory') ? await ensurePm2(CACHE, log) : null;
  if (pm2?.error) log(`pm2 unavailable: ${pm2.error}`);

  if (opts.only.includes('overhead')) {
    begin('overhead');
    const { runOverhead } = await import('./overhead.mjs');
    show('overhead', await runOverhead({ sizes: opts.sizes, windowMs: opts.overheadWindowS * 1000, settleMs: 20_000, pulseWindowMs: 10_000, pm2, cacheDir: CACHE, log, track }));
  }
  if (opts.only.includes('memory')) {
    begin('memory');
    const { runMemory } = await import('./memory.mjs');
    show('memory', await runMemory({ pm2, cacheDir: CACHE, log, track }));
  }
  if (opts.only.includes('throttle')) {
    begin('throttle');
    const { runThrottle } = await import('./throttle.mjs');
    show('throttle', await runThrottle({ windowMs, log, track }));
  }
  if (opts.only.includes('portable')) {
    begin('portable');
    const { runPortable } = await import('./portable.mjs');
    show('portable', await runPortable({ agents: 50, windowMs: opts.overheadWindowS * 1000, settleMs: 20_000, cacheDir: CACHE, log, track }));
  }

  if (opts.only.includes('coordination')) {
    begin('coordination');
    const { runCoordinationBench } = await import('./coordination.mjs');
    log('coordination: start-up of 20 agents, check-in and handoff latency…');
    show('coordination', await runCoordinationBench({ runs: 5 }));
  }

  if (opts.only.includes('needs-you')) {
    begin('needs-you');
    const { runNeedsYouBench } = await import('./needs-you.mjs');
    log('needs-you: 20 permission prompts, prompt drawn → notify command started…');
    show('needs-you', (await runNeedsYouBench({ prompts: 20 })).table);
  }

  if (opts.only.includes('worktrees')) {
    begin('worktrees');
    const { runWorktreeBench } = await import('./worktrees.mjs');
    show('worktrees', await runWorktreeBench({ rounds: 3, log }));
  }

  if (opts.only.includes('hooks')) {
    begin('hooks');
    const { runHooksBench } = await import('./hooks.mjs');
    log('hooks: cost per hook event, supervisor CPU per event, hook vs screen latency…');
    show('hooks', await runHooksBench({ runs: 10, log }));
  }

  if (opts.only.includes('transcripts')) {
    begin('transcripts');
    const { runTranscripts } = await import('./transcripts.mjs');
    show('transcripts', await runTranscripts({ windowMs: 60_000, log, track }));
  }

  if (opts.only.includes('agents')) {
    begin('agents');
    const check = spawnSync(process.execPath, [join(HERE, '..', 'scripts', 'install-agent-clis.mjs'), '--check'], { encoding: 'utf8' });
    if (check.status !== 0) log('agents: the pinned agent CLIs are not installed (npm run agents:install): skipped');
    else {
      const { runAgentsBench } = await import('./agents.mjs');
      log(`agents: detection latency and confusion matrix with the real CLIs, ${opts.agentRuns} runs each…`);
      for (const t of await runAgentsBench({ runs: opts.agentRuns, ...(opts.agentClis ? { clis: opts.agentClis } : {}), log })) show('agents', t);
    }
  }

  if (opts.only.includes('tui') && existsSync(TUI_BENCH)) {
    begin('tui');
    console.log('\n== TUI benchmark (bench/tui-bench.mjs) ==\n');
    const r = await runEcho(process.execPath, [TUI_BENCH]);
    if (r.code !== 0) log(`bench/tui-bench.mjs exited with ${r.code}`);
    // Markdown tables go in as they are; anything else as preformatted text.
    const body = /^\|.*\|\s*$/m.test(r.stdout) ? [r.stdout.trimEnd()] : ['```text', r.stdout.trimEnd(), '```'];
    let tui = ['### TUI benchmark (bench/tui-bench.mjs)', '', ...body].join('\n');
    if (r.code !== 0) tui += `\n\n- bench/tui-bench.mjs exited with ${r.code}.`;
    sections.set('tui', [tui]);
    ended.set('tui', Date.now());
  }

  const args = process.argv.slice(2);
  const command = args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
  const runLine = (section) => {
    const b = begun.get(section) ?? { at: started, load: loadBefore };
    return [
      `\`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machineLine()}${pm2?.version && ['overhead', 'memory'].includes(section) ? `, pm2 ${pm2.version}` : ''}.`,
      `This section took ${Math.round(((ended.get(section) ?? Date.now()) - b.at) / 1000)} s of the run; 1-minute load average ${b.load.toFixed(2)} when it began (other work on the machine shares its cores).`,
    ].join('\n');
  };
  const fresh = new Map([...sections].map(([name, parts]) => [name, [runLine(name), ...parts].join('\n\n').replace(/\n{3,}/g, '\n\n')]));
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  writeFileSync(RESULTS, mergeResults(old, fresh, SECTIONS));
  log(`wrote ${RESULTS}`);
}

/** Runs a child, echoing its output live; resolves with its exit code and stdout. */
function runEcho(cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.on('error', (err) => resolve({ code: 1, stdout: `${stdout}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout }));
  });
}

main()
  .catch(async (err) => {
    log(`bench failed: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  })
  .finally(teardownAll);
