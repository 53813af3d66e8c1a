/**
 * The machine's process table, read from `/proc` in ONE scan per call (never per agent,
 * never by spawning `ps`), plus machine-wide CPU and memory counters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageSize, PROC_ROOT, readProcRow, type ProcRow } from '../sys/proc-stat.js';

export { clockTicks, pageSize, parseStat, PROC_ROOT, readProcRow, type ProcRow } from '../sys/proc-stat.js';



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
