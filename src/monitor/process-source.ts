/**
 * Where the machine's processes are read from: `/proc` (one scan of /proc/PID/stat, the
 * default where it exists) or `ps` (macOS, the BSDs, or `MUSTER_SAMPLER=ps`; see
 * docs/commands.md#environment). Both give the same rows; everything that reads the
 * process table (sampling, duty cycling, stopping, cleanup) asks the chosen source.
 * The composition root chooses once with selectProcessSource().
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { clockTicks, readMachine as readProcMachine, readProcEnviron, readProcRow, readProcTable, type MachineStat, type ProcRow, type ProcTable } from './proc-table.js';
import { PS_TICKS_PER_SECOND, readPsEnvirons, readPsTable } from './ps-table.js';

export interface ProcessSource {
  kind: 'proc' | 'ps';
  /** ticks per second of ProcRow.ticks */
  ticksPerSecond: number;
  /** every process of the machine now */
  table(): ProcTable;
  /** just these processes (those that exist) */
  rows(pids: Iterable<number>): ProcTable;
  /** one process, or null */
  row(pid: number): ProcRow | null;
  /** CPU use of processes read often (duty cycling): may be up to a second old with ps */
  usage(pids: readonly number[]): Map<number, { ticks: number; starttime: number }>;
  /** machine-wide CPU and memory counters */
  machine(): MachineStat;
  /** a reader of processes' environments (NUL-separated) as they are now */
  environs(): (pid: number) => string | null;
}

/** The /proc source (Linux). */
export const procSource: ProcessSource = {
  kind: 'proc',
  get ticksPerSecond() {
    return clockTicks();
  },
  table: () => readProcTable(),
  rows: (pids) => {
    const table: ProcTable = new Map();
    for (const pid of pids) {
      const row = readProcRow(pid);
      if (row) table.set(pid, row);
    }
    return table;
  },
  row: (pid) => readProcRow(pid),
  usage: (pids) => {
    const usage = new Map<number, { ticks: number; starttime: number }>();
    for (const pid of pids) {
      const row = readProcRow(pid);
      if (row) usage.set(pid, { ticks: row.ticks, starttime: row.starttime });
    }
    return usage;
  },
  machine: () => readProcMachine(),
  environs: () => (pid) => readProcEnviron(pid),
};

/** Machine counters from Node (portable: /proc/stat on Linux, the kernel's counters elsewhere), in 10 ms jiffies. */
export function osMachine(): MachineStat {
  let total = 0;
  let idle = 0;
  const cpus = os.cpus();
  for (const c of cpus) {
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
    idle += c.times.idle;
  }
  return { totalJiffies: total / 10, idleJiffies: idle / 10, cpus: Math.max(1, cpus.length), memTotal: os.totalmem(), memAvailable: os.freemem() };
}

/** Options of the ps source; each defaults to the real thing. */
export interface PsSourceOptions {
  readTable?: () => ProcTable;
  readEnvirons?: () => Map<number, string>;
  now?: () => number;
  /** a table younger than this is reused (concurrent stops poll every 50 ms) */
  maxAgeMs?: number;
  /** duty cycling reads usage every period; a table younger than this serves it */
  usageMaxAgeMs?: number;
}

/**
 * The ps source. One `ps` run serves every caller within `maxAgeMs`. Start times come from
 * `lstart` (whole seconds, computed by ps from the boot time, which may move a second
 * between runs): a pid keeps the start time first seen while a new reading is within 2 s
 * of it, so the same process is recognised across runs.
 */
export function createPsSource(options: PsSourceOptions = {}): ProcessSource {
  const readTable = options.readTable ?? (() => readPsTable());
  const readEnvirons = options.readEnvirons ?? (() => readPsEnvirons());
  const now = options.now ?? (() => performance.now());
  const maxAge = options.maxAgeMs ?? 100;
  const usageMaxAge = options.usageMaxAgeMs ?? 1000;
  let cached: { at: number; table: ProcTable } | null = null;
  let started = new Map<number, number>();

  const fresh = (age: number): ProcTable => {
    const t = now();
    if (cached && t - cached.at <= age) return cached.table;
    const table = readTable();
    const seen = new Map<number, number>();
    for (const row of table.values()) {
      const before = started.get(row.pid);
      if (before !== undefined && Math.abs(before - row.starttime) <= 2) row.starttime = before;
      seen.set(row.pid, row.starttime);
    }
    started = seen;
    cached = { at: t, table };
    return table;
  };
  const pick = (table: ProcTable, pids: Iterable<number>): ProcTable => {
    const out: ProcTable = new Map();
    for (const pid of pids) {
      const row = table.get(pid);
      if (row) out.set(pid, row);
    }
    return out;
  };
  return {
    kind: 'ps',
    ticksPerSecond: PS_TICKS_PER_SECOND,
    table: () => fresh(maxAge),
    rows: (pids) => pick(fresh(maxAge), pids),
    row: (pid) => fresh(maxAge).get(pid) ?? null,
    usage: (pids) => {
      const table = fresh(usageMaxAge);
      const usage = new Map<number, { ticks: number; starttime: number }>();
      for (const pid of pids) {
        const row = table.get(pid);
        if (row) usage.set(pid, { ticks: row.ticks, starttime: row.starttime });
      }
      return usage;
    },
    machine: osMachine,
    environs: () => {
      const all = readEnvirons();
      return (pid) => all.get(pid) ?? null;
    },
  };
}

/** The source for this machine: ps when asked (`MUSTER_SAMPLER=ps`) or when /proc is missing. */
export function chooseProcessSource(env: NodeJS.ProcessEnv = process.env, hasProc = existsSync('/proc/self/stat')): ProcessSource {
  return env.MUSTER_SAMPLER === 'ps' || !hasProc ? createPsSource() : procSource;
}

let current: ProcessSource | null = null;

/** The source in force: the one selected, else the one chosen from this process's environment. */
export function processSource(): ProcessSource {
  current ??= chooseProcessSource();
  return current;
}

/** Selects the source for this process (the composition root does, once, at start). */
export function selectProcessSource(source: ProcessSource): ProcessSource {
  current = source;
  return source;
}
