/**
 * Proving that a pid is still the process we recorded: a pid can be reused by
 * an unrelated process, so a pid is paired with its start time — field 22 of
 * `/proc/PID/stat` (clock ticks since boot), or, without /proc (macOS, the BSDs) or when
 * `MUSTER_SAMPLER=ps` asks for the portable path, `ps`'s `lstart` (seconds since the epoch,
 * matched within a tolerance).
 */
import * as fs from 'node:fs';
import { readProcRow } from './proc-stat.js';
import { PS_START_TOLERANCE_S, psStartTime } from './ps-start.js';

export interface ProcessIdentity {
  /** the start time of `pid`, or null when the process does not exist or is a zombie */
  processStartTime(pid: number): string | null;
  /** true when a process with this pid exists (a zombie counts as gone) */
  isProcessAlive(pid: number): boolean;
  /** true when `pid` is alive and is the very process that had `startTime` (not a later one that reused the pid) */
  isSameProcess(pid: number, startTime: string | null): boolean;
}

/** How liveness is told (/proc, or a signal 0), and where start times come from (/proc, or one `ps` run per question). */
export interface IdentityReaders {
  liveness: 'proc' | 'signal';
  start: 'proc' | 'ps';
  psStart?: (pid: number) => number | null;
}

const validPid = (pid: number) => Number.isInteger(pid) && pid > 0;

/** The /proc start time of a live process; null when it is gone, or a zombie waiting to be reaped. */
function procStart(pid: number): string | null {
  const row = readProcRow(pid);
  return row && row.state !== 'Z' && row.state !== 'X' ? String(row.starttime) : null;
}

export function processIdentity(readers: IdentityReaders): ProcessIdentity {
  const psStart = readers.psStart ?? psStartTime;
  const processStartTime = (pid: number): string | null => {
    if (!validPid(pid)) return null;
    if (readers.start === 'proc') return procStart(pid);
    const t = psStart(pid);
    return t === null ? null : `ps:${t}`;
  };
  const isProcessAlive = (pid: number): boolean => {
    if (!validPid(pid)) return false;
    if (readers.liveness === 'proc') return procStart(pid) !== null;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  // The recorded start time says how it was read (a command run with MUSTER_SAMPLER=ps
  // may have written it): it is checked the same way.
  const isSameProcess = (pid: number, startTime: string | null): boolean => {
    if (startTime === null || !validPid(pid)) return false;
    const ps = /^ps:(\d+)$/.exec(startTime);
    if (ps) {
      const now = psStart(pid);
      // ps computes lstart from the boot time: two readings may differ by a second or two
      return now !== null && Math.abs(now - Number(ps[1])) <= PS_START_TOLERANCE_S;
    }
    // a /proc start time where there is no /proc: liveness is all that can be told
    return readers.liveness === 'proc' ? procStart(pid) === startTime : isProcessAlive(pid);
  };
  return { processStartTime, isProcessAlive, isSameProcess };
}

const HAS_PROC = fs.existsSync('/proc/self/stat');
const machine = processIdentity({ liveness: HAS_PROC ? 'proc' : 'signal', start: HAS_PROC && process.env.MUSTER_SAMPLER !== 'ps' ? 'proc' : 'ps' });

export const { processStartTime, isProcessAlive, isSameProcess } = machine;
