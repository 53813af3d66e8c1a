/**
 * cgroups through systemd user scopes, for ordinary hosts where PID 1 is systemd and
 * the user's cgroup subtree is delegated to the user manager.
 *
 * An agent's shell joins a transient scope `muster-<name>-<agent>.scope` by asking the
 * user manager over D-Bus to start one holding its own pid (what `systemd-run --scope`
 * does for itself); limits, freeze and kill go through `systemctl --user`. This path is
 * kept small on purpose: the build machine has no systemd, so only the commands it
 * issues are tested, not their effect.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MusterError } from '../errors.js';
import { sleep } from '../sys/time.js';
import { shellQuote } from '../text/shell-quote.js';
import { groupName, parseOomKills, parsePids, parsePidsRefused, type CgroupLimits } from './cgroup-paths.js';
import type { CgroupDriver, CgroupHandle } from './cgroups.js';

/** The outcome of one command. */
export interface CommandResult {
  code: number;
  stdout: string;
}

/** Runs commands without a shell (async and, for `pids()`, sync). */
export interface CommandRunner {
  run(cmd: string, args: string[]): Promise<CommandResult>;
  runSync(cmd: string, args: string[]): CommandResult;
}

/** The real runner; a missing program is exit code 127. */
export const runCommand: CommandRunner = {
  run: (cmd, args) =>
    new Promise((resolve) => {
      execFile(cmd, args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
        resolve({ code, stdout });
      });
    }),
  runSync: (cmd, args) => {
    try {
      return { code: 0, stdout: execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }) };
    } catch (err) {
      const status = (err as { status?: number | null }).status;
      return { code: typeof status === 'number' ? status : 127, stdout: '' };
    }
  },
};


/** The D-Bus call (for `busctl`) that starts a scope holding the calling shell (`$$`). */
export function startScopeArgs(unit: string, limits: CgroupLimits): string[] {
  const props: string[][] = [['PIDs', 'au', '1', '$$'], ['CollectMode', 's', 'inactive-or-failed']];
  if (limits.cpu !== null) props.push(['CPUQuotaPerSecUSec', 't', String(Math.round(limits.cpu * 10_000))]);
  if (limits.memory !== null) props.push(['MemoryMax', 't', String(Math.floor(limits.memory))]);
  if (limits.pids !== null && limits.pids !== undefined) props.push(['TasksMax', 't', String(Math.floor(limits.pids))]);
  return [
    '--user', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager',
    'StartTransientUnit', 'ssa(sv)a(sa(sv))', unit, 'fail', String(props.length), ...props.flat(), '0',
  ];
}

/** `systemctl --user set-property` arguments for limits. */
export function setPropertyArgs(unit: string, limits: CgroupLimits): string[] {
  return [
    '--user', 'set-property', '--runtime', unit,
    `CPUQuota=${limits.cpu === null ? '' : `${limits.cpu}%`}`,
    `MemoryMax=${limits.memory === null ? 'infinity' : Math.floor(limits.memory)}`,
    ...(limits.pids === undefined ? [] : [`TasksMax=${limits.pids === null ? 'infinity' : Math.floor(limits.pids)}`]),
  ];
}

class SystemdHandle implements CgroupHandle {
  private cgroupDir: string | null = null;

  constructor(
    readonly agentId: string,
    private readonly unit: string,
    private limits: CgroupLimits,
    private readonly v2Mount: string,
    private readonly runner: CommandRunner,
  ) {}

  get paths(): string[] {
    return [this.unit];
  }

  joinScript(): string {
    const call = ['busctl', ...startScopeArgs(this.unit, this.limits)]
      .map((arg) => (arg === '$$' ? arg : shellQuote(arg)))
      .join(' ');
    return `${call} >/dev/null 2>&1 || echo ${shellQuote(`muster: could not join ${this.unit}; running without it`)} >&2`;
  }

  private dir(): string | null {
    if (this.cgroupDir) return this.cgroupDir;
    const r = this.runner.runSync('systemctl', ['--user', 'show', '-p', 'ControlGroup', '--value', this.unit]);
    const group = r.stdout.trim();
    if (r.code === 0 && group.startsWith('/')) this.cgroupDir = join(this.v2Mount, group);
    return this.cgroupDir;
  }

  pids(): number[] {
    const dir = this.dir();
    if (!dir) return [];
    try {
      return parsePids(readFileSync(join(dir, 'cgroup.procs'), 'utf8'));
    } catch {
      return [];
    }
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    this.limits = limits;
    if (this.pids().length === 0) return; // not started yet: the join carries the limits
    const r = await this.runner.run('systemctl', setPropertyArgs(this.unit, limits));
    if (r.code !== 0) throw new MusterError(`cannot set the limits of ${this.unit} (systemctl exit ${r.code})`);
  }

  async freeze(): Promise<void> {
    await this.runner.run('systemctl', ['--user', 'freeze', this.unit]);
  }

  async thaw(): Promise<void> {
    await this.runner.run('systemctl', ['--user', 'thaw', this.unit]);
  }

  oomKills(): number {
    const dir = this.dir();
    if (!dir) return 0;
    try {
      return parseOomKills(readFileSync(join(dir, 'memory.events'), 'utf8'));
    } catch {
      return 0;
    }
  }

  pidsRefused(): number {
    const dir = this.dir();
    if (!dir) return 0;
    try {
      return parsePidsRefused(readFileSync(join(dir, 'pids.events'), 'utf8'));
    } catch {
      return 0;
    }
  }

  isFrozen(): boolean {
    const dir = this.dir();
    if (!dir) return false;
    try {
      return readFileSync(join(dir, 'cgroup.freeze'), 'utf8').trim() === '1';
    } catch {
      return false;
    }
  }

  async kill(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.runner.run('systemctl', ['--user', 'kill', '--signal=SIGKILL', this.unit]);
    while (this.pids().length > 0) {
      if (Date.now() > deadline) throw new MusterError(`${this.unit} still has processes after SIGKILL`);
      await sleep(10);
    }
  }

  async remove(timeoutMs = 5000): Promise<void> {
    if (this.pids().length > 0) await this.kill(timeoutMs);
    await this.runner.run('systemctl', ['--user', 'stop', this.unit]);
    this.cgroupDir = null;
  }
}

/** Driver handing out systemd user scopes. */
export class SystemdDriver implements CgroupDriver {
  readonly kind = 'systemd' as const;
  readonly controls = { cpu: true, memory: true, freeze: true, pids: true };

  constructor(
    private readonly name: string,
    private readonly runner: CommandRunner,
    private readonly v2Mount: string = '/sys/fs/cgroup',
  ) {}

  describe(): string {
    return `systemd user scopes (muster-${this.name}-*.scope)`;
  }

  /** The scope exists once the agent's shell runs `joinScript()`. */
  async create(agentId: string, limits: CgroupLimits): Promise<CgroupHandle | null> {
    const unit = `muster-${this.name}-${groupName(agentId)}.scope`;
    return new SystemdHandle(agentId, unit, limits, this.v2Mount, this.runner);
  }

  async removeAll(): Promise<void> {
    await this.runner.run('systemctl', ['--user', 'kill', '--signal=SIGKILL', `muster-${this.name}-*.scope`]);
    await this.runner.run('systemctl', ['--user', 'stop', `muster-${this.name}-*.scope`]);
  }
}

/** A systemd driver when PID 1 is systemd and the user manager and busctl answer; else null. */
export async function detectSystemd(
  name: string,
  procRoot: string,
  runner: CommandRunner,
  v2Mount: string | null,
): Promise<SystemdDriver | null> {
  let pid1: string;
  try {
    pid1 = readFileSync(join(procRoot, '1', 'comm'), 'utf8').trim();
  } catch {
    return null;
  }
  if (pid1 !== 'systemd' || v2Mount === null) return null;
  if ((await runner.run('systemctl', ['--user', 'show-environment'])).code !== 0) return null;
  if ((await runner.run('busctl', ['--version'])).code !== 0) return null;
  return new SystemdDriver(name, runner, v2Mount);
}
