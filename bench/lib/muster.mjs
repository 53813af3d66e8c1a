/**
 * muster as the benchmarked system: a throwaway project folder with generated team files,
 * a headless supervisor (`muster up --headless`, the real binary from dist/), its status
 * over the control socket, and a teardown (`muster cleanup --yes`, then the crew's tmux
 * server by its socket, then the folder).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, childrenOf, cmdline } from './proc.mjs';

export const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const { connectControl } = await import(new URL('../../dist/supervisor/control/control-client.js', import.meta.url).href);
const { socketNameFor } = await import(new URL('../../dist/tmux/crew-server.js', import.meta.url).href);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of ['TMUX', 'TMUX_PANE', 'CLAUDECODE', 'MUSTER_AGENT', 'MUSTER_DIR']) delete env[k];
  return env;
}

/** One throwaway muster project with its headless supervisor. */
export class MusterProject {
  /**
   * `teams`: { fileName: yamlText }; `project`: muster.yaml text; `env`: extra environment
   * of the supervisor (e.g. MUSTER_CGROUPS=off).
   */
  constructor(label, { teams, project, env = {} }) {
    this.dir = realpathSync(mkdtempSync(join(tmpdir(), `muster-bench-${label}-`)));
    this.stateDir = join(this.dir, '.muster');
    this.env = cleanEnv(env);
    mkdirSync(join(this.dir, 'teams'), { recursive: true });
    for (const [file, text] of Object.entries(teams)) writeFileSync(join(this.dir, 'teams', file), text);
    writeFileSync(join(this.dir, 'muster.yaml'), project);
    this.child = null;
    this.output = '';
    this.client = null;
    // the crew's tmux socket (muster names it after the project folder); status confirms it
    const uid = process.getuid?.() ?? 0;
    this.socket = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socketNameFor(this.dir));
  }

  /** Runs `muster -C DIR ARGS` to completion. */
  cli(args, timeoutMs = 60_000) {
    return run(process.execPath, [MAIN, '-C', this.dir, ...args], { env: this.env, cwd: this.dir, timeoutMs });
  }

  /** Starts `muster up --headless` in the background and waits until it answers on its control socket. */
  async start(timeoutMs = 30_000) {
    this.child = spawn(process.execPath, [MAIN, '-C', this.dir, 'up', '--headless'], { env: this.env, cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    this.child.stderr.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`muster up --headless exited (${this.child.exitCode}): ${this.output.trim().slice(-500)}`);
      try {
        this.client = await connectControl(this.stateDir, { timeoutMs: 1000 });
        const s = await this.status();
        if (s.socket) this.socket = s.socket;
        return s;
      } catch (err) {
        this.client?.close();
        this.client = null;
        if (Date.now() > deadline) {
          const tail = this.output.trim().split('\n').slice(-3).join(' | ');
          throw new Error(`the supervisor did not answer within ${timeoutMs / 1000} s (${err.message})${tail ? `; its output: ${tail}` : ''}`);
        }
        await sleep(200);
      }
    }
  }

  /** The status view (docs/status-json.md) from the supervisor. */
  status(timeoutMs = 10_000) {
    return this.client.request('status', undefined, { timeoutMs });
  }

  /** Waits until `count` agents are running with a pid; returns the status, or throws with what is missing. */
  async waitRunning(count, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    for (;;) {
      last = await this.status().catch(() => last);
      const running = last?.agents.filter((a) => (a.state === 'running' || a.state === 'throttled') && a.pid) ?? [];
      if (running.length >= count) return last;
      if (Date.now() > deadline) throw new Error(`only ${running.length} of ${count} agents running after ${timeoutMs / 1000} s`);
      await sleep(500);
    }
  }

  /** The supervisor's pid (from status). */
  async supervisorPid() {
    return (await this.status()).supervisor.pid;
  }

  /** The crew's tmux server pid (asked by socket path) and the supervisor's control-mode tmux client pid. */
  async tmuxPids(supervisorPid) {
    const r = await run('tmux', ['-S', this.socket, 'display-message', '-p', '#{pid}'], { env: this.env });
    const server = Number(r.stdout.trim()) || null;
    const client = childrenOf(supervisorPid).find((p) => (cmdline(p) ?? '').startsWith('tmux ')) ?? null;
    return { server, client };
  }

  /**
   * Subscribes on a second connection and records when each snapshot arrives; `stop()`
   * returns the arrival times (ms, monotonic).
   */
  async countSnapshots() {
    const client = await connectControl(this.stateDir, { timeoutMs: 2000 });
    const times = [];
    await client.subscribe((m) => {
      if (m.type === 'snapshot') times.push(performance.now());
    });
    return {
      stop() {
        client.close();
        return times;
      },
    };
  }

  /** `muster cleanup --yes`, the crew's tmux server by its socket if it still answers, the folder. */
  async destroy() {
    this.client?.close();
    await this.cli(['cleanup', '--yes'], 60_000);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    if (this.socket && existsSync(this.socket)) {
      const r = await run('tmux', ['-S', this.socket, 'display-message', '-p', '#{pid}'], { env: this.env, timeoutMs: 5000 });
      const pid = Number(r.stdout.trim());
      if (r.code === 0 && pid > 0) {
        await run('tmux', ['-S', this.socket, 'kill-server'], { env: this.env, timeoutMs: 5000 });
        for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      }
      rmSync(this.socket, { force: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Team YAML for `agents` ({ name: { run, limits?, restart? } }) with check-ins and commit nudges off. */
export function teamYaml(name, agents) {
  const lines = [`name: ${name}`, 'defaults:', '  checkin: off', '  commit: off', 'agents:'];
  for (const [agent, spec] of Object.entries(agents)) {
    lines.push(`  ${agent}:`);
    lines.push(`    run: ${JSON.stringify(spec.run)}`);
    if (spec.limits) lines.push(`    limits: ${spec.limits}`);
    if (spec.restart) lines.push(`    restart: ${spec.restart}`);
  }
  return `${lines.join('\n')}\n`;
}
