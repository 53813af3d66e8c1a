/**
 * The machine's process table, read from `/proc` in ONE scan per call (never per agent,
 * never by spawning `ps`), plus machine-wide CPU and memory counters.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** One process as seen in `/proc/PID/stat`. */
export interface ProcRow {
  pid: number;
  ppid: number;
  /** process group id */
  pgrp: number;
  /** session id */
  sid: number;
  /** one letter: R S D T t Z X I … */
  state: string;
  /** utime + stime, in clock ticks */
  ticks: number;
  /** resident set size in bytes */
  rss: number;
  /** start time in clock ticks since boot: with the pid, identifies a process across scans */
  starttime: number;
  /** the executable's name as the kernel keeps it (may contain spaces and parentheses) */
  comm: string;
}

/** Every process of the machine at one instant, by pid. */
export type ProcTable = Map<number, ProcRow>;

/** Machine-wide counters from `/proc/stat` and `/proc/meminfo`. */
export interface MachineStat {
  /** all CPU time of all cores, in jiffies (guest time is already inside user) */
  totalJiffies: number;
  /** idle + iowait of all cores, in jiffies */
  idleJiffies: number;
  /** number of cores listed in /proc/stat */
  cpus: number;
  /** bytes */
  memTotal: number;
  /** bytes */
  memAvailable: number;
}

/** The default /proc root. */
export const PROC_ROOT = '/proc';

let cachedClockTicks: number | null = null;
let cachedPageSize: number | null = null;

function getconf(name: string, fallback: number): number {
  try {
    const out = execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const value = Number.parseInt(out.trim(), 10);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/** Clock ticks per second (`getconf CLK_TCK`, asked once per process; 100 if unknown). */
export function clockTicks(): number {
  cachedClockTicks ??= getconf('CLK_TCK', 100);
  return cachedClockTicks;
}

/** Memory page size in bytes (`getconf PAGESIZE`, asked once per process; 4096 if unknown). */
export function pageSize(): number {
  cachedPageSize ??= getconf('PAGESIZE', 4096);
  return cachedPageSize;
}

/**
 * Parses the text of one `/proc/PID/stat`. `comm` is everything between the first `(`
 * and the LAST `)`, so names with spaces or `)` parse correctly. Returns null when the
 * text is not a stat line.
 */
export function parseStat(text: string, bytesPerPage: number): ProcRow | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number.parseInt(text.slice(0, open), 10);
  // Fields after the comm: index 0 is field 3 (state), so field N is at N - 3.
  const rest = text.slice(close + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3]);
  const state = rest[0];
  if (!Number.isInteger(pid) || state === undefined || rest.length < 22) return null;
  const row: ProcRow = {
    pid,
    ppid: field(4),
    pgrp: field(5),
    sid: field(6),
    state,
    ticks: field(14) + field(15),
    rss: field(24) * bytesPerPage,
    starttime: field(22),
    comm: text.slice(open + 1, close),
  };
  if (![row.ppid, row.pgrp, row.sid, row.ticks, row.rss, row.starttime].every(Number.isFinite)) return null;
  return row;
}

/** One stat line is a few hundred bytes; a shared buffer saves an allocation per file. */
const statBuffer = Buffer.allocUnsafe(4096);

/** Reads one process's stat row, or null if it does not exist (any more). */
export function readProcRow(pid: number, procRoot: string = PROC_ROOT, bytesPerPage: number = pageSize()): ProcRow | null {
  let fd: number;
  try {
    fd = openSync(join(procRoot, String(pid), 'stat'), 'r');
  } catch {
    return null;
  }
  try {
    const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return parseStat(statBuffer.toString('utf8', 0, length), bytesPerPage);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Scans `<procRoot>/<pid>/stat` for every process of the machine, once. Processes that
 * vanish during the scan are skipped.
 */
export function readProcTable(procRoot: string = PROC_ROOT, bytesPerPage: number = pageSize()): ProcTable {
  const table: ProcTable = new Map();
  for (const name of readdirSync(procRoot)) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue; // not a pid directory
    const row = readProcRow(Number(name), procRoot, bytesPerPage);
    if (row) table.set(row.pid, row);
  }
  return table;
}

/** Parses the aggregate `cpu` line and counts the `cpuN` lines of `/proc/stat`. */
export function parseCpuStat(text: string): { totalJiffies: number; idleJiffies: number; cpus: number } {
  let totalJiffies = 0;
  let idleJiffies = 0;
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal guest guest_nice
      const v = line.trim().split(/\s+/).slice(1).map(Number);
      totalJiffies = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
      idleJiffies = (v[3] ?? 0) + (v[4] ?? 0);
    } else if (/^cpu\d+ /.test(line)) {
      cpus += 1;
    }
  }
  return { totalJiffies, idleJiffies, cpus: Math.max(cpus, 1) };
}

/** Reads `MemTotal` and `MemAvailable` (in bytes) from the text of `/proc/meminfo`. */
export function parseMeminfo(text: string): { memTotal: number; memAvailable: number } {
  const kib = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  };
  const memTotal = kib('MemTotal') ?? 0;
  // Kernels before 3.14 have no MemAvailable: approximate with MemFree.
  const memAvailable = kib('MemAvailable') ?? kib('MemFree') ?? 0;
  return { memTotal, memAvailable };
}

/** Reads the machine-wide CPU and memory counters. */
export function readMachine(procRoot: string = PROC_ROOT): MachineStat {
  const cpu = parseCpuStat(readFileSync(join(procRoot, 'stat'), 'utf8'));
  const mem = parseMeminfo(readFileSync(join(procRoot, 'meminfo'), 'utf8'));
  return { ...cpu, ...mem };
}

/** A process's environment from `/proc/PID/environ` (NUL-separated), or null when it cannot be read. */
export function readProcEnviron(pid: number, procRoot: string = PROC_ROOT): string | null {
  try {
    return readFileSync(join(procRoot, String(pid), 'environ'), 'latin1');
  } catch {
    return null;
  }
}
