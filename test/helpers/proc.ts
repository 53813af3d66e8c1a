/** Reading CPU use of real processes from /proc, for tests that hold agents to limits. */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS = 100; // CLK_TCK on Linux

export function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Pids whose session id is `sid` (a pane's pid leads its session). */
export function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[3]) === sid) out.push(Number(name));
  }
  return out;
}

function ticksOf(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) total += Number(f[11]) + Number(f[12]);
  }
  return total;
}

/** CPU percent of one core that the session of `sid` used over `ms`. */
export async function sessionCpu(sid: number, ms: number): Promise<number> {
  const pids = sessionMembers(sid);
  const before = ticksOf(pids);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const after = ticksOf(pids);
  return ((after - before) / TICKS / ((Date.now() - t0) / 1000)) * 100;
}

export function processState(pid: number): string | null {
  return statFields(pid)?.[0] ?? null;
}

/** One row per process on the machine: pid, parent, state and command line. */
export function processRows(): Array<{ pid: number; ppid: number; state: string; cmd: string[] }> {
  const rows: Array<{ pid: number; ppid: number; state: string; cmd: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    let cmd: string[] = [];
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    rows.push({ pid: Number(name), ppid: Number(f[1]), state: f[0] ?? '?', cmd });
  }
  return rows;
}
