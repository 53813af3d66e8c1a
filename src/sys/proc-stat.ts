/**
 * One process's `/proc/PID/stat`, parsed (the one parser of it): its parent, session,
 * state, CPU ticks, memory and start time. Used by the process table of monitor/ and by
 * process identity (sys/process-identity.ts).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
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

