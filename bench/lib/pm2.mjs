/**
 * pm2 as a peer: installed from the npm registry into `bench/.cache/` when missing, run
 * with a private PM2_HOME (never a user's own pm2), killed through that PM2_HOME.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, childrenOf, readStat } from './proc.mjs';

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Installs pm2 into `cacheDir` unless it is there; returns its bin and version, or `{ error }`. */
export async function ensurePm2(cacheDir, log) {
  const bin = join(cacheDir, 'node_modules', 'pm2', 'bin', 'pm2');
  if (!existsSync(bin)) {
    log(`installing pm2@latest into ${cacheDir} (npm install --prefix)…`);
    mkdirSync(cacheDir, { recursive: true });
    const r = await run('npm', ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--no-save', 'pm2@latest'], { timeoutMs: 300_000 });
    if (r.code !== 0 || !existsSync(bin)) return { error: `npm install pm2 failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}` };
  }
  const pkg = JSON.parse(readFileSync(join(cacheDir, 'node_modules', 'pm2', 'package.json'), 'utf8'));
  return { bin, version: pkg.version };
}

/** One private pm2 daemon. */
export class Pm2 {
  /** `bin`: the pm2 script; `home`: a private PM2_HOME (created, and removed by `kill()`). */
  constructor(bin, home) {
    this.bin = bin;
    this.home = home;
    mkdirSync(home, { recursive: true });
    this.env = { ...process.env, PM2_HOME: home, FORCE_COLOR: '0', NO_COLOR: '1' };
    delete this.env.TMUX;
    delete this.env.TMUX_PANE;
  }

  /** Runs the pm2 CLI with this PM2_HOME. */
  cli(args, timeoutMs = 120_000) {
    return run(process.execPath, [this.bin, ...args], { env: this.env, timeoutMs });
  }

  /** Starts the apps of an ecosystem (array of pm2 app objects). Throws with pm2's output on failure. */
  async start(apps) {
    const file = join(this.home, `ecosystem-${Date.now()}.config.cjs`);
    writeFileSync(file, `module.exports = ${JSON.stringify({ apps }, null, 1)};\n`);
    const r = await this.cli(['start', file]);
    if (r.code !== 0) throw new Error(`pm2 start failed: ${(r.stderr || r.stdout).trim().slice(-500)}`);
  }

  /** The God daemon's pid, or null. */
  godPid() {
    try {
      const pid = Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8').trim());
      return pid > 0 && alive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  /** `pm2 jlist` parsed: `[{ name, pid, status, restarts }]`. */
  async list() {
    const r = await this.cli(['jlist'], 30_000);
    if (r.code !== 0) return [];
    const start = r.stdout.indexOf('[');
    try {
      return JSON.parse(r.stdout.slice(start)).map((p) => ({
        name: p.name,
        pid: p.pid,
        status: p.pm2_env?.status,
        restarts: p.pm2_env?.restart_time ?? 0,
      }));
    } catch {
      return [];
    }
  }

  /** `pm2 kill` with this PM2_HOME (stops its apps and its daemon), then removes PM2_HOME. */
  async kill() {
    const god = this.godPid();
    // the daemon's children, remembered with their start times so a reused pid is never hit
    const kids = god === null ? [] : childrenOf(god).map((pid) => ({ pid, start: readStat(pid)?.starttime }));
    if (god !== null || existsSync(join(this.home, 'rpc.sock'))) await this.cli(['kill'], 60_000);
    for (const p of [...(god === null ? [] : [{ pid: god, start: undefined }]), ...kids]) {
      if (!alive(p.pid) || (p.start !== undefined && readStat(p.pid)?.starttime !== p.start)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
