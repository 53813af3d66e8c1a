import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCpuStat, parseMeminfo, parseStat, readMachine, readProcTable } from '../../../src/monitor/proc-table.js';

/** A stat line with the given fields after the comm (fields 3..24+). */
function statLine(pid: number, comm: string, f: { state?: string; ppid?: number; pgrp?: number; sid?: number; utime?: number; stime?: number; start?: number; rss?: number }): string {
  const fields = [
    f.state ?? 'S', f.ppid ?? 1, f.pgrp ?? pid, f.sid ?? pid, 0, -1, 4194560, 100, 0, 0, 0,
    f.utime ?? 0, f.stime ?? 0, 0, 0, 20, 0, 1, 0, f.start ?? 1000, 12345678, f.rss ?? 10,
    18446744073709551615n, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0,
  ];
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

const root = mkdtempSync(join(tmpdir(), 'muster-proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function addProcess(pid: number, stat: string | null): void {
  mkdirSync(join(root, String(pid)));
  if (stat !== null) writeFileSync(join(root, String(pid), 'stat'), stat);
}

addProcess(1, statLine(1, 'init', { ppid: 0, sid: 1 }));
addProcess(42, statLine(42, 'my prog', { ppid: 1, sid: 42, utime: 7, stime: 3, rss: 25, start: 555 }));
addProcess(43, statLine(43, 'a) (b) c', { state: 'R', ppid: 42, pgrp: 42, sid: 42, utime: 100, stime: 1 }));
addProcess(44, null); // vanished between readdir and read
mkdirSync(join(root, 'self'));
mkdirSync(join(root, 'sys'));
writeFileSync(
  join(root, 'stat'),
  'cpu  100 5 50 800 20 1 2 3 7 0\ncpu0 50 2 25 400 10 0 1 1 3 0\ncpu1 50 3 25 400 10 1 1 2 4 0\nintr 1 2 3\nctxt 99\n',
);
writeFileSync(join(root, 'meminfo'), 'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\nBuffers: 1 kB\n');

describe('parseStat', () => {
  it('reads comm with spaces and parentheses up to the last parenthesis', () => {
    const row = parseStat(statLine(7, 'x) y (z)', { ppid: 3, pgrp: 5, sid: 6, utime: 11, stime: 4, rss: 3, start: 99 }), 4096);
    expect(row).toEqual({ pid: 7, ppid: 3, pgrp: 5, sid: 6, state: 'S', ticks: 15, rss: 3 * 4096, starttime: 99, comm: 'x) y (z)' });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseStat('', 4096)).toBeNull();
    expect(parseStat('12 (truncated) S 1 2', 4096)).toBeNull();
    expect(parseStat('garbage without parens', 4096)).toBeNull();
  });
});

describe('readProcTable on a fake proc directory', () => {
  it('reads every pid directory once and skips vanished processes and other entries', () => {
    const table = readProcTable(root, 1000);
    expect([...table.keys()].sort((a, b) => a - b)).toEqual([1, 42, 43]);
    expect(table.get(42)).toEqual({ pid: 42, ppid: 1, pgrp: 42, sid: 42, state: 'S', ticks: 10, rss: 25_000, starttime: 555, comm: 'my prog' });
    expect(table.get(43)).toMatchObject({ comm: 'a) (b) c', state: 'R', ppid: 42, ticks: 101 });
  });

  it('reads machine counters: jiffies without guest time, idle with iowait, memory in bytes', () => {
    expect(readMachine(root)).toEqual({
      totalJiffies: 100 + 5 + 50 + 800 + 20 + 1 + 2 + 3,
      idleJiffies: 820,
      cpus: 2,
      memTotal: 1000 * 1024,
      memAvailable: 600 * 1024,
    });
  });
});

describe('parsers', () => {
  it('falls back to MemFree without MemAvailable', () => {
    expect(parseMeminfo('MemTotal: 10 kB\nMemFree: 4 kB\n')).toEqual({ memTotal: 10240, memAvailable: 4096 });
  });
  it('counts at least one cpu', () => {
    expect(parseCpuStat('cpu  1 2 3 4 5 6 7 8 9 10\n').cpus).toBe(1);
  });
});
