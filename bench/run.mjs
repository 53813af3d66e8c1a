#!/usr/bin/env node
/**
 * `npm run bench`: muster's resource-limit benchmark, peers in the same run.
 *
 *   node bench/run.mjs [--only overhead,memory,throttle,portable,coordination,worktrees,hooks,transcripts,tui,agents] [--sizes 10,50,200] [--overhead-window 30] [--window 20] [--agent-runs 20] [--agent-clis claude,codex,…]
 *
 * Prints each table and writes them all as Markdown to bench/results.md. Needs Linux,
 * tmux and a built dist/ (`npm run bench` builds first). pm2 is installed into
 * bench/.cache/ on first use; cpulimit with apt-get when running as root.
 * `agents` (activity detection with the real agent CLIs, bench/agents.mjs) needs them
 * installed (`npm run agents:install`); it is skipped, with a note, when they are not.
 * Runs bench/tui-bench.mjs afterwards as a separate section when that file exists.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { toMarkdown, toText } from './lib/table.mjs';
import { ensurePm2 } from './lib/pm2.mjs';
import { MAIN } from './lib/muster.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CACHE = join(HERE, '.cache');
const RESULTS = join(HERE, 'results.md');
const TUI_BENCH = join(HERE, 'tui-bench.mjs');

function parseArgs(argv) {
  const opts = { only: ['overhead', 'memory', 'throttle', 'portable', 'coordination', 'worktrees', 'hooks', 'transcripts', 'tui', 'agents'], sizes: [10, 50, 200], windowS: 20, overheadWindowS: 30, agentRuns: 20, agentClis: null };
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
  const tables = [];
  const show = (t) => {
    tables.push(t);
    console.log(`\n${toText(t)}\n`);
  };

  const pm2 = opts.only.includes('overhead') || opts.only.includes('memory') ? await ensurePm2(CACHE, log) : null;
  if (pm2?.error) log(`pm2 unavailable: ${pm2.error}`);

  if (opts.only.includes('overhead')) {
    const { runOverhead } = await import('./overhead.mjs');
    show(await runOverhead({ sizes: opts.sizes, windowMs: opts.overheadWindowS * 1000, settleMs: 20_000, pulseWindowMs: 10_000, pm2, cacheDir: CACHE, log, track }));
  }
  if (opts.only.includes('memory')) {
    const { runMemory } = await import('./memory.mjs');
    show(await runMemory({ pm2, cacheDir: CACHE, log, track }));
  }
  if (opts.only.includes('throttle')) {
    const { runThrottle } = await import('./throttle.mjs');
    show(await runThrottle({ windowMs, log, track }));
  }
  if (opts.only.includes('portable')) {
    const { runPortable } = await import('./portable.mjs');
    show(await runPortable({ agents: 50, windowMs: opts.overheadWindowS * 1000, settleMs: 20_000, cacheDir: CACHE, log, track }));
  }

  if (opts.only.includes('coordination')) {
    const { runCoordinationBench } = await import('./coordination.mjs');
    log('coordination: start-up of 20 agents, check-in and handoff latency…');
    show(await runCoordinationBench({ runs: 5 }));
  }

  if (opts.only.includes('needs-you')) {
    const { runNeedsYouBench } = await import('./needs-you.mjs');
    log('needs-you: 20 permission prompts, prompt drawn → notify command started…');
    show((await runNeedsYouBench({ prompts: 20 })).table);
  }

  if (opts.only.includes('worktrees')) {
    const { runWorktreeBench } = await import('./worktrees.mjs');
    show(await runWorktreeBench({ rounds: 3, log }));
  }

  if (opts.only.includes('hooks')) {
    const { runHooksBench } = await import('./hooks.mjs');
    log('hooks: cost per hook event, supervisor CPU per event, hook vs screen latency…');
    show(await runHooksBench({ runs: 10, log }));
  }

  if (opts.only.includes('transcripts')) {
    const { runTranscripts } = await import('./transcripts.mjs');
    show(await runTranscripts({ windowMs: 60_000, log, track }));
  }

  if (opts.only.includes('agents')) {
    const check = spawnSync(process.execPath, [join(HERE, '..', 'scripts', 'install-agent-clis.mjs'), '--check'], { encoding: 'utf8' });
    if (check.status !== 0) log('agents: the pinned agent CLIs are not installed (npm run agents:install): skipped');
    else {
      const { runAgentsBench } = await import('./agents.mjs');
      log(`agents: detection latency and confusion matrix with the real CLIs, ${opts.agentRuns} runs each…`);
      for (const t of await runAgentsBench({ runs: opts.agentRuns, ...(opts.agentClis ? { clis: opts.agentClis } : {}), log })) show(t);
    }
  }

  let tuiSection = null;
  if (opts.only.includes('tui') && existsSync(TUI_BENCH)) {
    console.log('\n== TUI benchmark (bench/tui-bench.mjs) ==\n');
    const r = await runEcho(process.execPath, [TUI_BENCH]);
    if (r.code !== 0) log(`bench/tui-bench.mjs exited with ${r.code}`);
    // Markdown tables go in as they are; anything else as preformatted text.
    const body = /^\|.*\|\s*$/m.test(r.stdout) ? [r.stdout.trimEnd()] : ['```text', r.stdout.trimEnd(), '```'];
    tuiSection = ['### TUI benchmark (bench/tui-bench.mjs)', '', ...body].join('\n');
    if (r.code !== 0) tuiSection += `\n\n- bench/tui-bench.mjs exited with ${r.code}.`;
  }

  const args = process.argv.slice(2);
  const command = args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
  const header = [
    '## Benchmark results',
    '',
    `\`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machineLine()}${pm2?.version ? `, pm2 ${pm2.version}` : ''}.`,
    `Took ${Math.round((Date.now() - started) / 1000)} s; 1-minute load average ${loadBefore.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (other work on the machine shares its cores).`,
  ];
  const sections = [...tables.map(toMarkdown), ...(tuiSection ? [tuiSection] : [])];
  writeFileSync(RESULTS, `${[...header, '', ...sections].join('\n\n').replace(/\n{3,}/g, '\n\n')}\n`);
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
