/**
 * The process table from `ps`, for machines without `/proc` (macOS, the BSDs) or when
 * asked for (`MUSTER_SAMPLER=ps`, docs/commands.md#environment): one `ps` run for the
 * whole machine, parsed into the same rows the /proc scan gives (proc-table.ts). CPU time
 * is in hundredths of a second (`ticks` at 100 per second), whatever resolution the
 * system's ps prints (procps on Linux: whole seconds; macOS and the BSDs: hundredths).
 */
import { execFile, execFileSync } from 'node:child_process';
import type { ProcRow, ProcTable } from './proc-table.js';
import { parseLstart, psEnv } from '../sys/ps-start.js';

/** `ticks` of ps rows are hundredths of a second. */
export const PS_TICKS_PER_SECOND = 100;

/**
 * The session column: Linux and the BSDs print the session id as `sid`; macOS has no
 * session id keyword (its `sess` is a kernel address), so there the process group stands
 * in for it (a pane's shell leads both, and double-forked children keep both).
 */
function sessionKeyword(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'pgid' : 'sid';
}

/** The `ps` arguments that list every process with the columns parsePsLine reads. */
export function psArgs(platform: NodeJS.Platform = process.platform): string[] {
  return ['-A', '-o', `pid=,ppid=,pgid=,${sessionKeyword(platform)}=,stat=,time=,rss=,lstart=,comm=`];
}

/**
 * CPU time as ps prints it, in seconds: `[DD-]HH:MM:SS` (procps), `[[DD-]HH:]MM:SS.cc`
 * (macOS, BSD). Null when it is not a time.
 */
export function parseCpuTime(text: string): number | null {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = m;
  return Number(days) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}

/**
 * One line of `ps -o pid=,ppid=,pgid=,sid=,stat=,time=,rss=,lstart=,comm=`. `lstart` is
 * five words; `comm` is the rest (it may hold spaces). A session of 0 (macOS) is replaced
 * by the process group.
 */
export function parsePsLine(line: string): ProcRow | null {
  const words = line.trim().split(/\s+/);
  if (words.length < 13) return null;
  const [pid, ppid, pgrp, sid] = words.slice(0, 4).map((w) => Number.parseInt(w, 10));
  const state = words[4]?.[0];
  const seconds = parseCpuTime(words[5] ?? '');
  const rssKiB = Number(words[6]);
  const started = parseLstart(words.slice(7, 12));
  if ([pid, ppid, pgrp].some((n) => n === undefined || !Number.isInteger(n)) || state === undefined || seconds === null || !Number.isFinite(rssKiB) || started === null) return null;
  const group = pgrp as number;
  return {
    pid: pid as number,
    ppid: ppid as number,
    pgrp: group,
    sid: sid !== undefined && Number.isInteger(sid) && sid > 0 ? sid : group,
    state,
    ticks: Math.round(seconds * PS_TICKS_PER_SECOND),
    rss: rssKiB * 1024,
    starttime: started,
    comm: words.slice(12).join(' '),
  };
}

/** Parses the whole output of psArgs(). */
export function parsePsTable(text: string): ProcTable {
  const table: ProcTable = new Map();
  for (const line of text.split('\n')) {
    const row = parsePsLine(line);
    if (row) table.set(row.pid, row);
  }
  return table;
}

/** Runs ps once for the whole machine, waiting for it (the first reading only: see process-source.ts). */
export function readPsTable(platform: NodeJS.Platform = process.platform): ProcTable {
  return parsePsTable(execFileSync('ps', psArgs(platform), { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'], env: psEnv() }));
}

/** Runs ps once for the whole machine without blocking the event loop. */
export function readPsTableAsync(platform: NodeJS.Platform = process.platform): Promise<ProcTable> {
  return new Promise((resolve, reject) => {
    execFile('ps', psArgs(platform), { encoding: 'utf8', maxBuffer: 64 << 20, env: psEnv() }, (err, stdout) => (err ? reject(err) : resolve(parsePsTable(stdout))));
  });
}

/** The ps arguments that print every process's command line followed by its environment. */
export function psEnvironArgs(platform: NodeJS.Platform = process.platform): string[] {
  // procps takes the BSD-style modifier `e`; macOS spells it -E, the BSDs -e
  const env = platform === 'linux' ? ['e'] : platform === 'darwin' ? ['-E'] : ['-e'];
  return ['-A', '-ww', ...env, '-o', 'pid=,command='];
}

/**
 * Environments from `ps … e`: each line is `PID COMMAND ARGS NAME=value …`. The words that
 * start a `NAME=` begin a variable; the result is NUL-separated as in /proc/PID/environ
 * (the command line comes first, as one more entry).
 */
export function parsePsEnvirons(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!m) continue;
    out.set(Number(m[1]), (m[2] ?? '').split(/ (?=[A-Za-z_][A-Za-z0-9_]*=)/).join('\0'));
  }
  return out;
}

/** Every process's environment (those ps may show: this user's), in one ps run. */
export function readPsEnvirons(platform: NodeJS.Platform = process.platform): Map<number, string> {
  return parsePsEnvirons(execFileSync('ps', psEnvironArgs(platform), { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
}
