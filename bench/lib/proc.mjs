/**
 * Readings from /proc: a process's CPU ticks and RSS, finding processes by their
 * command line, and measuring the CPU a set of processes used over a window.
 * Linux only; every reading tolerates a process that has just gone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux in practice). */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of `/proc/PID/stat` that the benchmark uses, or null when the process is gone. */
export function readStat(pid) {
  const text = read(`/proc/${pid}/stat`);
  if (text === null) return null;
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime 15, starttime 22.
  return {
    state: rest[0],
    ppid: Number(rest[1]),
    sid: Number(rest[3]),
    ticks: Number(rest[11]) + Number(rest[12]),
    starttime: Number(rest[19]),
  };
}

/** utime + stime of a process, in clock ticks; null when it is gone. */
export function cpuTicks(pid) {
  const s = readStat(pid);
  return s && s.state !== 'Z' ? s.ticks : null;
}

/** VmRSS of a process in bytes; null when it is gone (or a zombie). */
export function rssBytes(pid) {
  const text = read(`/proc/${pid}/status`);
  if (text === null) return null;
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** Whether a pid is a live (non-zombie) process. */
export function alive(pid) {
  const s = readStat(pid);
  return s !== null && s.state !== 'Z';
}

/** The command line of a process as one space-joined string; null when it is gone. */
export function cmdline(pid) {
  const text = read(`/proc/${pid}/cmdline`);
  return text === null ? null : text.replace(/\0+$/, '').split('\0').join(' ');
}

/** All pids on the machine. */
export function allPids() {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Live pids whose command line contains `needle`. */
export function findPidsByCmdline(needle) {
  const found = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const line = cmdline(pid);
    if (line !== null && line.includes(needle) && alive(pid)) found.push(pid);
  }
  return found;
}

/** Pids of every live process whose parent is `pid`. */
export function childrenOf(pid) {
  return allPids().filter((p) => readStat(p)?.ppid === pid);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Measures each named process over `ms`: CPU as percent of one core (tick delta over
 * wall time) and RSS (mean and peak of one reading a second). `procs` maps a label to a
 * pid; a process that dies during the window is reported with `gone: true`.
 * `during` (optional) runs alongside the window (e.g. a pulse counter).
 */
export async function measureWindow(procs, ms, during) {
  const start = new Map();
  const machine0 = machineTicks();
  const t0 = process.hrtime.bigint();
  for (const [label, pid] of Object.entries(procs)) start.set(label, cpuTicks(pid));
  const rss = new Map(Object.keys(procs).map((l) => [l, []]));
  const sampleRss = () => {
    for (const [label, pid] of Object.entries(procs)) {
      const r = rssBytes(pid);
      if (r !== null) rss.get(label).push(r);
    }
  };
  sampleRss();
  const timer = setInterval(sampleRss, 1000);
  const side = during ? during() : null;
  await sleep(ms);
  clearInterval(timer);
  sampleRss();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = {};
  for (const [label, pid] of Object.entries(procs)) {
    const a = start.get(label);
    const b = cpuTicks(pid);
    const r = rss.get(label);
    out[label] = {
      pid,
      gone: a === null || b === null,
      cpu: a === null || b === null ? null : ((b - a) / CLK_TCK / seconds) * 100,
      rss: r.length ? r.reduce((x, y) => x + y, 0) / r.length : null,
      rssPeak: r.length ? Math.max(...r) : null,
    };
  }
  return { seconds, procs: out, machineBusy: machineBusy(machine0, machineTicks()), side: side ? await side : null };
}

/** The CPU ticks a process used between two moments, as percent of one core. */
export function cpuPercent(ticksBefore, ticksAfter, seconds) {
  if (ticksBefore === null || ticksAfter === null) return null;
  return ((ticksAfter - ticksBefore) / CLK_TCK / seconds) * 100;
}

/** The machine's `cpu` line of /proc/stat: busy and total ticks over all cores. */
export function machineTicks() {
  const line = (read('/proc/stat') ?? '').split('\n').find((l) => l.startsWith('cpu ')) ?? 'cpu 0 0 0 0';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  const idle = (f[3] || 0) + (f[4] || 0);
  return { busy: total - idle, total };
}

/** How busy the whole machine was between two `machineTicks()` readings, percent of all cores. */
export function machineBusy(a, b) {
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * 100 : null;
}

/** Every live descendant of `root` (children, grandchildren, …), from one /proc scan. */
export function descendantsOf(root) {
  const kids = new Map();
  for (const pid of allPids()) {
    const s = readStat(pid);
    if (!s || s.state === 'Z') continue;
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(pid);
  }
  const out = [];
  const stack = [...(kids.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(kids.get(pid) ?? []));
  }
  return out;
}

/** Proportional set size of a process in bytes (shared pages divided among their users); null when unreadable. */
export function pssBytes(pid) {
  const text = read(`/proc/${pid}/smaps_rollup`);
  const m = text === null ? null : /^Pss:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}
