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
import { PS_TICKS_PER_SECOND, readPsEnvirons, readPsTable, readPsTableAsync } from './ps-table.js';

export interface ProcessSource {
  kind: 'proc' | 'ps';
  /** ticks per second of ProcRow.ticks */
  ticksPerSecond: number;
  /** the smallest step of CPU time the source shows, in ms (procps prints whole seconds) */
  cpuResolutionMs: number;
  /** every process of the machine: with ps, the last reading (a new one is taken in the background) */
  table(): ProcTable;
  /** every process of the machine now, waiting for a reading if need be (commands that run once, e.g. cleanup) */
  tableNow(): ProcTable;
  /** just these processes (those that exist) */
  rows(pids: Iterable<number>): ProcTable;
  /** one process, or null */
  row(pid: number): ProcRow | null;
  /** the start time of a process tmux just reported alive (to prove it later), or null when it is gone */
  startOf(pid: number): number | null;
  /** CPU use of processes read often (duty cycling): may be up to a second old with ps */
  usage(pids: readonly number[]): Map<number, { ticks: number; starttime: number }>;
  /** machine-wide CPU and memory counters */
  machine(): MachineStat;
  /** a process's environment (NUL-separated), or null when it cannot be read */
  environ(pid: number): string | null;
}

/** The /proc source (Linux). */
export const procSource: ProcessSource = {
  kind: 'proc',
  get ticksPerSecond() {
    return clockTicks();
  },
  get cpuResolutionMs() {
    return 1000 / clockTicks();
  },
  table: () => readProcTable(),
  tableNow: () => readProcTable(),
  rows: (pids) => {
    const table: ProcTable = new Map();
    for (const pid of pids) {
      const row = readProcRow(pid);
      if (row) table.set(pid, row);
    }
    return table;
  },
  row: (pid) => readProcRow(pid),
  startOf: (pid) => readProcRow(pid)?.starttime ?? null,
  usage: (pids) => {
    const usage = new Map<number, { ticks: number; starttime: number }>();
    for (const pid of pids) {
      const row = readProcRow(pid);
      if (row) usage.set(pid, { ticks: row.ticks, starttime: row.starttime });
    }
    return usage;
  },
  machine: () => readProcMachine(),
  environ: (pid) => readProcEnviron(pid),
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

const selfStart = Math.floor((performance.timeOrigin) / 1000);

/** This process as a ps row, from Node's own counters (ticks in hundredths of a second). */
function selfRow(): ProcRow {
  const cpu = process.cpuUsage();
  return {
    pid: process.pid,
    ppid: process.ppid,
    pgrp: 0, // not needed: the supervisor's own row only gives its cost
    sid: 0,
    state: 'R',
    ticks: Math.round((cpu.user + cpu.system) / 10_000),
    rss: process.memoryUsage.rss(),
    starttime: selfStart,
    comm: 'node',
  };
}

/** Options of the ps source; each defaults to the real thing. */
export interface PsSourceOptions {
  /** a reading that waits (only when there is none, or the last is too old to hand out) */
  readTable?: () => ProcTable;
  /** a reading in the background */
  readTableAsync?: () => Promise<ProcTable>;
  readEnvirons?: () => Map<number, string>;
  now?: () => number;
  /** a table older than this is read again (in the background) */
  maxAgeMs?: number;
  /** duty cycling reads usage every period: a table younger than this serves it */
  usageMaxAgeMs?: number;
  /** a table older than this is not handed out: the caller waits for a new one */
  staleLimitMs?: number;
  /** the CPU time resolution of this system's ps (procps on Linux: whole seconds; macOS, BSD: 10 ms) */
  cpuResolutionMs?: number;
}

/**
 * The ps source. A ps run costs a process start (tens of ms, far more on a loaded
 * machine), so callers never wait for one but the first: each gets the last table and,
 * when it is older than `maxAgeMs`, a new one is read in the background (so a pulse sees
 * the table read after the previous pulse). Start times come from `lstart` (whole seconds,
 * computed by ps from the boot time, which may move a second between runs): a pid keeps the
 * start time first seen while a new reading is within 2 s of it, so the same process is
 * recognised across runs. A process just launched, not yet in a table, is given the
 * current second as its start time, which its first reading then confirms.
 */
export function createPsSource(options: PsSourceOptions = {}): ProcessSource {
  const readTable = options.readTable ?? (() => readPsTable());
  const readTableAsync = options.readTableAsync ?? (() => readPsTableAsync());
  const readEnvirons = options.readEnvirons ?? (() => readPsEnvirons());
  const now = options.now ?? (() => performance.now());
  const wallSeconds = () => Math.floor(Date.now() / 1000);
  const maxAge = options.maxAgeMs ?? 100;
  const usageMaxAge = options.usageMaxAgeMs ?? 1000;
  const staleLimit = options.staleLimitMs ?? 5000;
  let cached: { at: number; table: ProcTable } | null = null;
  let started = new Map<number, number>();
  let refreshing = false;
  let environs: { at: number; all: Map<number, string> } | null = null;

  const take = (table: ProcTable, at: number): ProcTable => {
    const seen = new Map<number, number>();
    for (const row of table.values()) {
      const before = started.get(row.pid);
      if (before !== undefined && Math.abs(before - row.starttime) <= 2) row.starttime = before;
      seen.set(row.pid, row.starttime);
    }
    // processes given a start time at launch and not listed yet stay known a little longer
    for (const [pid, t] of started) if (!seen.has(pid) && wallSeconds() - t <= 5) seen.set(pid, t);
    started = seen;
    cached = { at, table };
    return table;
  };
  const refreshInBackground = () => {
    if (refreshing) return;
    refreshing = true;
    const at = now();
    readTableAsync().then(
      (table) => {
        refreshing = false;
        if (!cached || cached.at < at) take(table, at);
      },
      () => {
        refreshing = false;
      },
    );
  };
  const current = (age: number): ProcTable => {
    const t = now();
    if (cached && t - cached.at <= age) return cached.table;
    if (cached && t - cached.at <= staleLimit) {
      refreshInBackground();
      return cached.table;
    }
    return take(readTable(), t);
  };
  const pick = (pids: Iterable<number>): ProcTable => {
    const list = [...pids];
    const out: ProcTable = new Map();
    // this process's own row from Node: exact, and no ps run for a pulse that measures only it
    if (list.includes(process.pid)) out.set(process.pid, selfRow());
    const others = list.filter((pid) => pid !== process.pid);
    if (others.length === 0) return out;
    const table = current(maxAge);
    for (const pid of others) {
      const row = table.get(pid);
      if (row) out.set(pid, row);
    }
    return out;
  };
  return {
    kind: 'ps',
    ticksPerSecond: PS_TICKS_PER_SECOND,
    cpuResolutionMs: options.cpuResolutionMs ?? (process.platform === 'linux' ? 1000 : 10),
    table: () => current(maxAge),
    tableNow: () => take(readTable(), now()),
    rows: (pids) => pick(pids),
    row: (pid) => current(maxAge).get(pid) ?? null,
    startOf: (pid) => {
      const known = current(maxAge).get(pid)?.starttime ?? started.get(pid);
      if (known !== undefined) return known;
      const t = wallSeconds();
      started.set(pid, t);
      refreshInBackground();
      return t;
    },
    usage: (pids) => {
      const table = current(usageMaxAge);
      const usage = new Map<number, { ticks: number; starttime: number }>();
      for (const pid of pids) {
        const row = table.get(pid);
        if (row) usage.set(pid, { ticks: row.ticks, starttime: row.starttime });
      }
      return usage;
    },
    machine: osMachine,
    environ: (pid) => {
      // One ps run serves the whole scan of a cleanup round. Its age counts from the end of
      // the run: a run slower than maxAge (a loaded machine) must not start another for the
      // next pid of the same scan, and the next, which blocked the supervisor for seconds.
      if (!environs || now() - environs.at > maxAge) {
        const all = readEnvirons();
        environs = { at: now(), all };
      }
      return environs.all.get(pid) ?? null;
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
