/**
 * Proving that a pid is still the process we recorded: a pid can be reused by
 * an unrelated process, so a pid is paired with its start time (field 22 of
 * `/proc/PID/stat`, in clock ticks since boot).
 */
import * as fs from 'node:fs';
import { readProcRow } from './proc-stat.js';

const HAS_PROC = fs.existsSync('/proc/self/stat');

/**
 * The start time of `pid` (field 22 of `/proc/PID/stat`), or null when the
 * process does not exist, is a zombie, or `/proc` is not available.
 */
export function processStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const row = readProcRow(pid);
  if (!row || row.state === 'Z' || row.state === 'X') return null; // gone, or exited and waiting to be reaped
  return String(row.starttime);
}

/** True when a process with this pid exists (a zombie counts as gone). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (HAS_PROC) return processStartTime(pid) !== null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and is the very process that had `startTime`
 * (not a later process that reused the pid). Without `/proc` only liveness
 * can be checked.
 */
export function isSameProcess(pid: number, startTime: string | null): boolean {
  if (!HAS_PROC) return isProcessAlive(pid);
  const now = processStartTime(pid);
  return now !== null && now === startTime;
}
