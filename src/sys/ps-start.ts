/**
 * A process's start time as `ps` tells it (`lstart`), for systems without /proc: whole
 * seconds since the epoch, computed by ps from the boot time (it may move a second between
 * runs, so compare with a tolerance: PS_START_TOLERANCE_S).
 */
import { execFileSync } from 'node:child_process';

/** ps's environment: the C locale, so `lstart` names its months in English (parseLstart). */
export const psEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: 'C' });

/** Two readings of one process's `lstart` may differ by this much. */
export const PS_START_TOLERANCE_S = 2;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `lstart` (`Wed Dec  2 10:04:27 2026`, local time) as seconds since the epoch; null when it is not one. */
export function parseLstart(words: readonly string[]): number | null {
  const [, month = '', day = '', time = '', year = ''] = words;
  const mon = MONTHS.indexOf(month);
  const hms = /^(\d+):(\d+):(\d+)$/.exec(time);
  if (mon < 0 || !hms || !/^\d+$/.test(day) || !/^\d{4}$/.test(year)) return null;
  const at = new Date(Number(year), mon, Number(day), Number(hms[1]), Number(hms[2]), Number(hms[3]));
  return Math.round(at.getTime() / 1000);
}

/** The start time of `pid` from one `ps` run; null when it is gone, a zombie, or ps fails. */
export function psStartTime(pid: number): number | null {
  try {
    const out = execFileSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: psEnv() });
    const words = out.trim().split(/\s+/);
    if (words.length < 6 || /^Z/.test(words[0] ?? '')) return null;
    return parseLstart(words.slice(1));
  } catch {
    return null;
  }
}
