/**
 * Per-agent cgroups: detection of what this machine allows, and one group per agent
 * under `muster/<name>/` in each hierarchy used (never touching any other cgroup).
 *
 * A process can only be moved by writing its pid into `cgroup.procs`, so an agent joins
 * its group from the pane's shell before exec'ing its command (`joinScript()`): every
 * child is born inside.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FsCgroupDriver, type FsPlan } from './cgroup-fs.js';
import { groupName, parseCgroupMounts, type CgroupLimits, type CgroupMounts } from './cgroup-paths.js';
import { detectSystemd, type CommandRunner, runCommand } from './cgroup-systemd.js';

export type { CgroupLimits } from './cgroup-paths.js';

/** Which mechanism a driver uses. */
export type CgroupKind = 'v2' | 'v1' | 'systemd' | 'none';

/** One agent's group (one directory per hierarchy used). */
export interface CgroupHandle {
  readonly agentId: string;
  /** the group's directories (or, for systemd, its unit) */
  readonly paths: string[];
  /** POSIX sh snippet that moves `$$` into the group; put it before `exec`ing the command */
  joinScript(): string;
  /** pids in the group now */
  pids(): number[];
  setLimits(limits: CgroupLimits): Promise<void>;
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** whether the group is frozen (or freezing) */
  isFrozen(): boolean;
  /** how many processes the kernel has killed for the group's memory limit so far */
  oomKills(): number;
  /** how many forks the group's pids limit has refused so far */
  pidsRefused(): number;
  /** kills every member and waits until the group is empty; throws if it is not by the deadline */
  kill(timeoutMs?: number): Promise<void>;
  /** kills what is left, then removes the group */
  remove(timeoutMs?: number): Promise<void>;
}

export interface CgroupControls {
  cpu: boolean;
  memory: boolean;
  freeze: boolean;
  /** a limit on processes (the pids controller): a fork bomb stays inside its group */
  pids: boolean;
}

/** What this machine allows, chosen once at start. */
export interface CgroupDriver {
  readonly kind: CgroupKind;
  /** what the groups enforce: a CPU quota, a memory limit, freezing */
  readonly controls: CgroupControls;
  describe(): string;
  /** creates (or reopens, after a supervisor restart) an agent's group; null if it cannot */
  create(agentId: string, limits: CgroupLimits): Promise<CgroupHandle | null>;
  /** kills and removes every group of this crew */
  removeAll(): Promise<void>;
}

/** Inputs of detection; defaults are the real machine. */
export interface DetectOptions {
  /** the crew's name under `muster/` (a socket or project hash) */
  name: string;
  /** default `/proc/self/mounts` */
  mountsFile?: string;
  /** default `/proc` (for `/proc/1/comm`) */
  procRoot?: string;
  run?: CommandRunner;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

class NoCgroupDriver implements CgroupDriver {
  readonly kind = 'none' as const;
  readonly controls = { cpu: false, memory: false, freeze: false, pids: false };
  constructor(private readonly reason: string) {}
  describe(): string {
    return `no cgroups (${this.reason}): limits by sampling and stop/continue`;
  }
  async create(): Promise<null> {
    return null;
  }
  async removeAll(): Promise<void> {}
}

/** Makes `muster/<name>` in a hierarchy; null if not allowed. Removes what it made on failure. */
async function makeBase(mount: string, name: string): Promise<string | null> {
  const base = join(mount, 'muster', name);
  try {
    await mkdir(base, { recursive: true });
    return base;
  } catch {
    await rmdir(join(mount, 'muster')).catch(() => undefined);
    return null;
  }
}

async function undoBase(base: string): Promise<void> {
  await rmdir(base).catch(() => undefined);
  await rmdir(join(base, '..')).catch(() => undefined);
}

/** v2 with cpu and memory controllers that can be enabled down to `muster/<name>`. */
async function tryV2(mount: string, name: string): Promise<FsPlan | null> {
  const available = (readText(join(mount, 'cgroup.controllers')) ?? '').split(/\s+/);
  if (!available.includes('cpu') || !available.includes('memory')) return null;
  const base = await makeBase(mount, name);
  if (!base) return null;
  try {
    for (const dir of [mount, join(mount, 'muster'), base]) {
      const enabled = (readText(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
      const missing = ['cpu', 'memory'].filter((c) => !enabled.includes(c));
      if (missing.length > 0) await writeFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    }
  } catch {
    await undoBase(base);
    return null;
  }
  const kill = existsSync(join(base, 'cgroup.kill'));
  // pids is optional: enabled down to the base where the hierarchy offers it
  let pids = available.includes('pids');
  if (pids) {
    for (const dir of [mount, join(mount, 'muster'), base]) {
      const enabled = (readText(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
      if (enabled.includes('pids')) continue;
      pids = await writeFile(join(dir, 'cgroup.subtree_control'), '+pids').then(
        () => true,
        () => false,
      );
      if (!pids) break;
    }
  }
  return {
    kind: 'v2',
    cpu: { base, v2: true },
    memory: { base, v2: true },
    pids: pids ? { base, v2: true } : null,
    freezer: existsSync(join(base, 'cgroup.freeze')) ? { base, v2: true } : null,
    unified: { base, kill },
  };
}

/** v1 cpu/memory controllers where we may make groups, plus a controller-less v2 for membership. */
async function tryV1(mounts: CgroupMounts, name: string): Promise<FsPlan | null> {
  const cpu = mounts.v1.cpu ? await makeBase(mounts.v1.cpu, name) : null;
  const memory = mounts.v1.memory ? await makeBase(mounts.v1.memory, name) : null;
  if (!cpu && !memory) return null;
  const unifiedBase = mounts.v2 ? await makeBase(mounts.v2, name) : null;
  const v2Freeze = unifiedBase !== null && existsSync(join(unifiedBase, 'cgroup.freeze'));
  const freezerBase = !v2Freeze && mounts.v1.freezer ? await makeBase(mounts.v1.freezer, name) : null;
  const pids = mounts.v1.pids ? await makeBase(mounts.v1.pids, name) : null;
  return {
    kind: 'v1',
    cpu: cpu ? { base: cpu, v2: false } : null,
    memory: memory ? { base: memory, v2: false } : null,
    pids: pids ? { base: pids, v2: false } : null,
    freezer: v2Freeze && unifiedBase ? { base: unifiedBase, v2: true } : freezerBase ? { base: freezerBase, v2: false } : null,
    unified: unifiedBase ? { base: unifiedBase, kill: existsSync(join(unifiedBase, 'cgroup.kill')) } : null,
  };
}

/** A driver that creates no groups: limits fall back to sampling and signals. */
export function noCgroups(reason: string): CgroupDriver {
  return new NoCgroupDriver(reason);
}

/**
 * Detects, once at start, the best usable mechanism: cgroup v2 with cpu and memory
 * controllers we can enable; else systemd scopes when PID 1 is systemd; else cgroup v1
 * (as root); else none. `name` separates this crew's groups from any other's.
 */
export async function detectCgroups(options: DetectOptions): Promise<CgroupDriver> {
  const name = groupName(options.name);
  const mountsText = readText(options.mountsFile ?? '/proc/self/mounts');
  if (mountsText === null) return new NoCgroupDriver('cannot read the mount table');
  const mounts = parseCgroupMounts(mountsText);
  if (mounts.v2) {
    const plan = await tryV2(mounts.v2, name);
    if (plan) return new FsCgroupDriver(plan);
  }
  const systemd = await detectSystemd(name, options.procRoot ?? '/proc', options.run ?? runCommand, mounts.v2);
  if (systemd) return systemd;
  const plan = await tryV1(mounts, name);
  if (plan) return new FsCgroupDriver(plan);
  const anyMount = mounts.v2 !== null || Object.values(mounts.v1).some((m) => m !== null);
  return new NoCgroupDriver(anyMount ? 'not allowed to create groups' : 'no cgroup hierarchy mounted');
}
