/**
 * The ps path's parsing and its source: ps output of procps (Linux) and of macOS / the BSDs
 * turned into the rows the /proc scan gives; environments from `ps e`; one ps run shared
 * by callers within the cache age; start times kept steady across runs.
 */
import { describe, expect, it } from 'vitest';
import type { ProcTable } from '../../../src/monitor/proc-table.js';
import { chooseProcessSource, createPsSource, procSource } from '../../../src/monitor/process-source.js';
import { parseCpuTime, parsePsEnvirons, parsePsLine, parsePsTable, psArgs, psEnvironArgs } from '../../../src/monitor/ps-table.js';
import { parseLstart } from '../../../src/sys/ps-start.js';

describe('parseCpuTime', () => {
  it.each([
    ['00:00:05', 5],
    ['01:02:03', 3723],
    ['2-01:00:00', 176_400],
    ['0:00.03', 0.03],
    ['12:34.56', 754.56],
    ['1:02:03.50', 3723.5],
  ])('%s → %s s', (text, seconds) => {
    expect(parseCpuTime(text)).toBeCloseTo(seconds, 5);
  });
  it.each(['', '5', 'abc', '1:2:3:4'])('%j is not a time', (text) => {
    expect(parseCpuTime(text)).toBeNull();
  });
});

describe('parseLstart', () => {
  it('reads the local time ps prints', () => {
    expect(parseLstart(['Wed', 'Dec', '2', '10:04:27', '2026'])).toBe(Math.round(new Date(2026, 11, 2, 10, 4, 27).getTime() / 1000));
    expect(parseLstart(['Mon', 'Foo', '2', '10:04:27', '2026'])).toBeNull();
  });
});

describe('parsePsLine', () => {
  it('a procps line (whole seconds of CPU, a session id)', () => {
    expect(parsePsLine('  4242     1  4242  4242 Ss   00:01:05 14492 Wed Dec  2 10:04:27 2026 node server')).toEqual({
      pid: 4242,
      ppid: 1,
      pgrp: 4242,
      sid: 4242,
      state: 'S',
      ticks: 6500,
      rss: 14492 * 1024,
      starttime: parseLstart(['Wed', 'Dec', '2', '10:04:27', '2026']),
      comm: 'node server',
    });
  });

  it('a macOS line (hundredths of CPU; the process group stands in for the session)', () => {
    const row = parsePsLine('  501   500   500   500 R+     0:12.34   2048 Thu Jan  1 09:00:00 2026 /bin/zsh');
    expect(row).toMatchObject({ pid: 501, ppid: 500, pgrp: 500, sid: 500, state: 'R', ticks: 1234, rss: 2048 * 1024, comm: '/bin/zsh' });
  });

  it('a session of 0 falls back to the process group; junk is skipped', () => {
    expect(parsePsLine('  7  1  7  0 S 00:00:00 4 Wed Dec  2 10:04:27 2026 x')?.sid).toBe(7);
    expect(parsePsTable('garbage\n\n  7  1  7  7 S 00:00:00 4 Wed Dec  2 10:04:27 2026 x\n').size).toBe(1);
  });

  it('asks each system for the columns it has', () => {
    expect(psArgs('linux').join(' ')).toContain('pgid=,sid=,stat=');
    expect(psArgs('darwin').join(' ')).toContain('pgid=,pgid=,stat=');
    expect(psEnvironArgs('linux')).toContain('e');
    expect(psEnvironArgs('darwin')).toContain('-E');
    expect(psEnvironArgs('freebsd')).toContain('-e');
  });
});

describe('parsePsEnvirons', () => {
  it('splits the environment after the command, NUL-separated as /proc gives it', () => {
    const envs = parsePsEnvirons('  12 sleep 600 MUSTER_DIR=/p/.muster MUSTER_AGENT=crew/a PATH=/bin\n  13 bash\n');
    expect(envs.get(12)?.split('\0')).toEqual(['sleep 600', 'MUSTER_DIR=/p/.muster', 'MUSTER_AGENT=crew/a', 'PATH=/bin']);
    expect(envs.get(13)).toBe('bash');
  });
});

function row(pid: number, starttime: number, ticks = 0): ProcTable {
  return new Map([[pid, { pid, ppid: 1, pgrp: pid, sid: pid, state: 'S', ticks, rss: 0, starttime, comm: 'x' }]]);
}

describe('the ps source', () => {
  it('waits for the first reading only; later readers get the last table while a new one is read in the background', async () => {
    let syncRuns = 0;
    let asyncRuns = 0;
    let t = 0;
    const source = createPsSource({
      readTable: () => (syncRuns++, row(5, 100, 1)),
      readTableAsync: async () => (asyncRuns++, row(5, 100, 10 + asyncRuns)),
      now: () => t,
    });
    expect(source.table().get(5)?.ticks).toBe(1);
    source.row(5);
    expect([syncRuns, asyncRuns]).toEqual([1, 0]);
    t = 150; // older than 100 ms: handed out, and read again in the background
    expect(source.rows([5, 6]).get(5)?.ticks).toBe(1);
    expect(asyncRuns).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(source.table().get(5)?.ticks).toBe(11);
    t = 900; // duty cycling takes a table up to a second old
    expect(source.usage([5]).get(5)).toEqual({ ticks: 11, starttime: 100 });
    expect(asyncRuns).toBe(1);
    t = 10_000; // too old to hand out: wait for a reading
    expect(source.table().get(5)?.ticks).toBe(1);
    expect(syncRuns).toBe(2);
    expect(source.tableNow().get(5)?.ticks).toBe(1);
    expect(syncRuns).toBe(3);
    expect(source.ticksPerSecond).toBe(100);
  });

  it("reads this process's own row from Node: a pulse that measures no agent runs no ps", () => {
    let runs = 0;
    const source = createPsSource({ readTable: () => (runs++, row(5, 100)), readTableAsync: async () => (runs++, row(5, 100)) });
    const own = source.rows([process.pid]);
    expect(runs).toBe(0);
    expect(own.get(process.pid)?.rss).toBeGreaterThan(0);
    expect(source.rows([process.pid, 5]).size).toBe(2);
    expect(runs).toBe(1);
  });

  it('keeps a process start time steady when ps computes it a second off', () => {
    let t = 0;
    const starts = [100, 101, 99, 250];
    const source = createPsSource({ readTable: () => row(5, starts.shift()!), now: () => (t += 10_000) });
    expect([1, 2, 3].map(() => source.row(5)?.starttime)).toEqual([100, 100, 100]);
    expect(source.row(5)?.starttime).toBe(250); // a new process under the pid
  });

  it('gives a process just launched the current second, which its first reading confirms', async () => {
    const now = Math.floor(Date.now() / 1000);
    let listed = false;
    const source = createPsSource({
      readTable: () => row(5, 100),
      readTableAsync: async () => (listed ? new Map([...row(5, 100), ...row(9, now + 1)]) : row(5, 100)),
      now: () => 0,
    });
    source.table();
    expect(source.startOf(5)).toBe(100);
    const launched = source.startOf(9);
    expect(Math.abs(launched! - now)).toBeLessThanOrEqual(1);
    listed = true;
    await new Promise((r) => setImmediate(r));
    expect(source.startOf(9)).toBe(launched);
  });

  it('one environment run serves a whole scan even when ps is slower than the cache age', () => {
    // a loaded machine: each ps run takes 300 ms, three times the 100 ms the reading is kept
    let t = 0;
    let runs = 0;
    const all = new Map(Array.from({ length: 200 }, (_, i) => [i + 1, `sleep 9\0X=${i}`] as const));
    const source = createPsSource({ readEnvirons: () => ((runs += 1), (t += 300), all), now: () => t });
    for (let pid = 1; pid <= 200; pid += 1) expect(source.environ(pid)).toBe(`sleep 9\0X=${pid - 1}`);
    expect(runs).toBe(1);
    t += 1000;
    source.environ(1);
    expect(runs).toBe(2);
  });

  it('is chosen with MUSTER_SAMPLER=ps or without /proc', () => {
    expect(chooseProcessSource({}, true)).toBe(procSource);
    expect(chooseProcessSource({ MUSTER_SAMPLER: 'ps' }, true).kind).toBe('ps');
    expect(chooseProcessSource({}, false).kind).toBe('ps');
  });
});
