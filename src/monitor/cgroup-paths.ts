/**
 * Pure helpers for the cgroup drivers: finding the mounted hierarchies, naming groups,
 * formatting limit values, quoting for the join snippet.
 */

/** CPU and memory limits of one agent's group. */
/** The `oom_kill N` line of v1 `memory.oom_control` or v2 `memory.events`; 0 when absent. */
export function parseOomKills(text: string | null): number {
  const m = text?.match(/^oom_kill (\d+)$/m);
  return m ? Number(m[1]) : 0;
}

export interface CgroupLimits {
  /** percent of one core (200 = two cores), or null for none */
  cpu: number | null;
  /** bytes, or null for none */
  memory: number | null;
  /** processes and threads at once (the pids controller), or null / absent for none */
  pids?: number | null;
}

/** The `max N` line of `pids.events` (v1 and v2): forks the pids limit refused so far; 0 when absent. */
export function parsePidsRefused(text: string | null): number {
  const m = text?.match(/^max (\d+)$/m);
  return m ? Number(m[1]) : 0;
}

/** The `pids.max` value for a limit. */
export function pidsMax(pids: number | null | undefined): string {
  return pids === null || pids === undefined ? 'max' : String(Math.floor(pids));
}

/** The cgroup hierarchies mounted on this machine. */
export interface CgroupMounts {
  /** mount point of the cgroup2 hierarchy, if any */
  v2: string | null;
  /** mount points of the v1 controllers muster uses, if mounted */
  v1: { cpu: string | null; memory: string | null; freezer: string | null; pids: string | null };
}

/** Finds the cgroup mounts in the text of `/proc/self/mounts`. */
export function parseCgroupMounts(text: string): CgroupMounts {
  const mounts: CgroupMounts = { v2: null, v1: { cpu: null, memory: null, freezer: null, pids: null } };
  for (const line of text.split('\n')) {
    const [, target, type, options] = line.split(' ');
    if (target === undefined || type === undefined || options === undefined) continue;
    const dir = target.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
    if (type === 'cgroup2') {
      mounts.v2 ??= dir;
    } else if (type === 'cgroup') {
      const opts = new Set(options.split(','));
      for (const controller of ['cpu', 'memory', 'freezer', 'pids'] as const) {
        if (opts.has(controller)) mounts.v1[controller] ??= dir;
      }
    }
  }
  return mounts;
}

/**
 * A cgroup directory name from an agent id or a project hash: `team/agent` →
 * `team.agent`; anything outside `[A-Za-z0-9_.-]` becomes `_`. Names the kernel reserves
 * (`.`, `..`, `cgroup.*`, and controller-file prefixes) get an `m-` prefix, and so do
 * names already starting with `m-`, which keeps the mapping one-to-one.
 */
export function groupName(id: string): string {
  let name = id.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_');
  if (name === '' || /^\.+$/.test(name) || name.startsWith('m-') || /^(cgroup|cpu|memory|freezer|io|pids|notify_on_release|release_agent|tasks)\b/.test(name)) {
    name = `m-${name}`;
  }
  return name.slice(0, 200);
}

/** The CFS period muster uses, microseconds. */
export const CPU_PERIOD_US = 100_000;

/** The CFS quota for a CPU limit in percent of one core (the kernel's minimum is 1000 µs). */
export function cpuQuotaUs(percent: number): number {
  return Math.max(1000, Math.round((percent / 100) * CPU_PERIOD_US));
}

/** The v2 `cpu.max` value for a limit. */
export function cpuMaxV2(percent: number | null): string {
  return percent === null ? `max ${CPU_PERIOD_US}` : `${cpuQuotaUs(percent)} ${CPU_PERIOD_US}`;
}

/** The v1 `cpu.cfs_quota_us` value for a limit (-1 = none). */
export function cfsQuotaV1(percent: number | null): string {
  return percent === null ? '-1' : String(cpuQuotaUs(percent));
}

/** The v2 `memory.max` value for a limit. */
export function memoryMaxV2(bytes: number | null): string {
  return bytes === null ? 'max' : String(Math.floor(bytes));
}

/** The v1 `memory.limit_in_bytes` value for a limit (-1 = none). */
export function memoryLimitV1(bytes: number | null): string {
  return bytes === null ? '-1' : String(Math.floor(bytes));
}

/** Parses a `cgroup.procs` file's text into pids. */
export function parsePids(text: string): number[] {
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    const pid = Number.parseInt(line, 10);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}
