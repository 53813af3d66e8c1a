#!/usr/bin/env node
/**
 * TUI benchmark (run after `npm run build`): for crews of 10, 50 and 200 agents
 * (`exec sleep 600`, pulse 2s) the real `muster up` runs in a pty whose output feeds a
 * terminal emulator (@xterm/headless). Measured:
 *   - the TUI process's CPU, % of one core, from /proc/<pid>/stat over ~20 s;
 *   - keypress to visible effect: `j`/`k` is written to the pty and the clock stops when
 *     the emulator's screen shows the selection on another row (median of ~20 presses).
 * Targets: < 100 ms at 200 agents; TUI CPU < 5 % at 50 agents.
 *
 *   node bench/tui-bench.mjs [--agents 10,50,200] [--cpu-seconds 20] [--presses 20]
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const { socketNameFor } = await import(path.join(ROOT, 'dist/tmux/crew-server.js'));

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '10,50,200' },
    'cpu-seconds': { type: 'string', default: '20' },
    presses: { type: 'string', default: '20' },
  },
});
const SIZES = opts.agents.split(',').map(Number);
const CPU_SECONDS = Number(opts['cpu-seconds']);
const PRESSES = Number(opts.presses);
const COLS = 160;
const ROWS = 50;
const TICKS = 100; // USER_HZ on Linux

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function env() {
  const e = { ...process.env, TERM: 'xterm-256color' };
  for (const k of ['TMUX', 'TMUX_PANE', 'CLAUDECODE', 'CI', 'CONTINUOUS_INTEGRATION', 'NO_COLOR']) delete e[k];
  return e;
}

function run(file, args) {
  return new Promise((resolve) => execFile(file, args, { env: env(), timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })));
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function makeProject(n) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `muster-tuibench-${n}-`)));
  fs.mkdirSync(path.join(dir, 'teams'));
  fs.writeFileSync(path.join(dir, 'muster.yaml'), 'pulse: 2s\n');
  const perTeam = 50;
  for (let t = 0; t * perTeam < n; t++) {
    const lines = [`name: t${t}`, 'agents:'];
    for (let i = t * perTeam; i < Math.min(n, (t + 1) * perTeam); i++) lines.push(`  a${String(i).padStart(3, '0')}:`, '    run: exec sleep 600');
    fs.writeFileSync(path.join(dir, 'teams', `t${t}.yaml`), `${lines.join('\n')}\n`);
  }
  return dir;
}

class Screen {
  constructor(dir) {
    this.term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0 });
    this.child = pty.spawn(process.execPath, [MAIN, '-C', dir, 'up'], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: dir, env: env() });
    this.parsed = [];
    this.child.onData((d) => this.term.write(d, () => this.parsed.forEach((fn) => fn())));
    this.exited = new Promise((r) => this.child.onExit(r));
  }
  lines() {
    const b = this.term.buffer.active;
    return Array.from({ length: this.term.rows }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
  }
  selected() {
    const row = this.lines().find((l) => l.startsWith('> '));
    return row ? row.split(/\s+/)[2] ?? null : null;
  }
  async waitFor(what, check, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.lines().join('\n'))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.lines().join('\n')}`);
      await sleep(200);
    }
  }
  /** Writes `key`; resolves with the ms until the screen shows another selected agent. */
  press(key) {
    const before = this.selected();
    return new Promise((resolve, reject) => {
      const check = () => {
        const now = this.selected();
        if (now !== null && now !== before) {
          this.parsed = this.parsed.filter((fn) => fn !== check);
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      };
      const timer = setTimeout(() => {
        this.parsed = this.parsed.filter((fn) => fn !== check);
        reject(new Error(`the selection did not move from ${before}`));
      }, 10_000);
      this.parsed.push(check);
      const t0 = performance.now();
      this.child.write(key);
    });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(n) {
  const dir = makeProject(n);
  const socket = socketNameFor(dir);
  let screen;
  try {
    const started = Date.now();
    screen = new Screen(dir);
    await screen.waitFor(`${n} agents running`, (t) => new RegExp(`${n} agents: ${n} running`).test(t), 300_000);
    const startS = (Date.now() - started) / 1000;
    await sleep(5000); // settle: the first pulses after the start
    const pid = screen.child.pid;
    const t0 = performance.now();
    const c0 = cpuTicks(pid);
    await sleep(CPU_SECONDS * 1000);
    const cpu = ((cpuTicks(pid) - c0) / TICKS / ((performance.now() - t0) / 1000)) * 100;
    const latencies = [];
    for (let i = 0; i < PRESSES; i++) {
      latencies.push(await screen.press(i % 2 === 0 ? 'j' : 'k'));
      await sleep(250 + Math.random() * 250);
    }
    screen.child.write('q');
    await Promise.race([screen.exited, sleep(10_000)]);
    return { n, startS, cpu, median: median(latencies), max: Math.max(...latencies), min: Math.min(...latencies) };
  } finally {
    try {
      screen?.child.kill('SIGKILL');
    } catch {}
    await run(process.execPath, [MAIN, '-C', dir, 'cleanup', '--yes']);
    await run('tmux', ['-L', socket, 'kill-server']);
    fs.rmSync(dir, { recursive: true, force: true });
    // tmux leaves its socket file behind; this one belongs to the throwaway project
    fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  }
}

const results = [];
for (const n of SIZES) {
  process.stderr.write(`tui-bench: ${n} agents…\n`);
  results.push(await measure(n));
}
const pad = (s, w) => String(s).padStart(w);
console.log(`TUI benchmark (pulse 2s, ${COLS}x${ROWS} terminal, ${os.cpus().length} cores, Node ${process.version})`);
console.log(`${'agents'.padEnd(8)}${pad('up (s)', 8)}${pad('TUI CPU %', 11)}${pad('key→frame median ms', 21)}${pad('min', 7)}${pad('max', 7)}`);
for (const r of results) {
  console.log(`${String(r.n).padEnd(8)}${pad(r.startS.toFixed(1), 8)}${pad(r.cpu.toFixed(2), 11)}${pad(r.median.toFixed(1), 21)}${pad(r.min.toFixed(1), 7)}${pad(r.max.toFixed(1), 7)}`);
}
console.log('targets: key→frame < 100 ms at 200 agents; TUI CPU < 5 % at 50 agents');
