import { describe, expect, it } from 'vitest';
import type { MachineStat, ProcRow, ProcTable } from '../../../src/monitor/proc-table.js';
import { machineCpu, Sampler } from '../../../src/monitor/sampler.js';

type Row = Pick<ProcRow, 'pid' | 'ppid' | 'sid' | 'ticks' | 'rss'> & { starttime?: number };
const tableOf = (rows: Row[]): ProcTable =>
  new Map(rows.map((r) => [r.pid, { pgrp: r.pid, state: 'S', comm: 'x', starttime: 1, ...r }]));
const machine = (total: number, idle: number): MachineStat => ({ totalJiffies: total, idleJiffies: idle, cpus: 2, memTotal: 1000, memAvailable: 250 });

/** A sampler fed a fixed sequence of tables and machine readings. */
function scripted(tables: ProcTable[], machines: MachineStat[], historySize?: number): Sampler {
  let i = 0;
  let j = 0;
  return new Sampler({
    readTable: () => tables[Math.min(i++, tables.length - 1)] as ProcTable,
    readMachine: () => machines[Math.min(j++, machines.length - 1)] as MachineStat,
    clockTicks: 100,
    selfPid: 900,
    ...(historySize === undefined ? {} : { historySize }),
  });
}

const roots = new Map([['t/a', { pid: 10 }]]);

describe('Sampler', () => {
  it('turns tick deltas into percent of one core and sums RSS', () => {
    const s = scripted(
      [
        tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: 100, rss: 1000 }, { pid: 11, ppid: 10, sid: 10, ticks: 50, rss: 500 }, { pid: 900, ppid: 1, sid: 900, ticks: 0, rss: 7 }]),
        tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: 150, rss: 1000 }, { pid: 11, ppid: 10, sid: 10, ticks: 150, rss: 600 }, { pid: 900, ppid: 1, sid: 900, ticks: 2, rss: 9 }]),
      ],
      [machine(1000, 800), machine(1400, 1000)],
    );
    const first = s.sample(roots, 0);
    expect(first.agents.get('t/a')).toEqual({ cpu: 0, memory: 1500, pids: [10, 11] });
    expect(first.machine.cpu).toBe(0);
    // 150 ticks in 2 s at 100 ticks/s = 75% of one core.
    const second = s.sample(roots, 2000);
    expect(second.agents.get('t/a')).toEqual({ cpu: 75, memory: 1600, pids: [10, 11] });
    expect(second.self).toEqual({ cpu: 1, memory: 9 });
    expect(second.machine).toEqual({ cpu: 50, cpus: 2, memory: { used: 750, total: 1000 } });
  });

  it('counts new processes from their first appearance and ignores a reused pid', () => {
    const s = scripted(
      [
        tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: 0, rss: 1 }, { pid: 12, ppid: 10, sid: 10, ticks: 9000, rss: 1, starttime: 5 }]),
        tableOf([
          { pid: 10, ppid: 1, sid: 10, ticks: 0, rss: 1 },
          { pid: 11, ppid: 10, sid: 10, ticks: 5000, rss: 1 }, // new since the last scan: no spike
          { pid: 12, ppid: 10, sid: 10, ticks: 9100, rss: 1, starttime: 6 }, // same pid, another process
        ]),
        tableOf([
          { pid: 10, ppid: 1, sid: 10, ticks: 0, rss: 1 },
          { pid: 11, ppid: 10, sid: 10, ticks: 5100, rss: 1 },
          { pid: 12, ppid: 10, sid: 10, ticks: 9100, rss: 1, starttime: 6 },
        ]),
      ],
      [machine(0, 0)],
    );
    s.sample(roots, 0);
    expect(s.sample(roots, 1000).agents.get('t/a')?.cpu).toBe(0);
    expect(s.sample(roots, 2000).agents.get('t/a')?.cpu).toBe(100);
  });

  it('uses cgroup pids and keeps a short history per agent', () => {
    const rows = (ticks: number): ProcTable => tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: 0, rss: 1 }, { pid: 50, ppid: 1, sid: 50, ticks, rss: 2 }]);
    const s = scripted([rows(0), rows(10), rows(30), rows(60)], [machine(0, 0)], 3);
    const withGroup = new Map([['t/a', { pid: 10, cgroupPids: [50] }]]);
    for (let k = 0; k < 4; k++) s.sample(withGroup, k * 1000);
    expect(s.history('t/a')).toEqual({ cpu: [10, 20, 30], memory: [3, 3, 3] });
    expect(s.history('t/b')).toEqual({ cpu: [], memory: [] });
  });

  it('may measure some agents only: each process counts from its own last reading', () => {
    const two = new Map([['t/a', { pid: 10 }], ['t/b', { pid: 20 }]]);
    const rows = (a: number, b: number): ProcTable =>
      tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: a, rss: 1 }, { pid: 20, ppid: 1, sid: 20, ticks: b, rss: 2 }]);
    // the members scope reads only the listed pids: a alone at 2 s, both at 0 and 4 s
    const s = scripted([rows(0, 0), tableOf([{ pid: 10, ppid: 1, sid: 10, ticks: 100, rss: 1 }]), rows(300, 200)], [machine(0, 0)]);
    s.sample(two, 0);
    expect(s.sample(new Map([['t/a', { pid: 10 }]]), 2000).agents.get('t/a')?.cpu).toBe(50);
    const later = s.sample(two, 4000);
    // a: 200 ticks over 2 s; b: 200 ticks over 4 s
    expect(later.agents.get('t/a')?.cpu).toBe(100);
    expect(later.agents.get('t/b')?.cpu).toBe(50);
    expect(s.history('t/b').cpu).toEqual([0, 50]);
  });

  it('machineCpu is the busy share of all cores', () => {
    expect(machineCpu(undefined, machine(10, 5))).toBe(0);
    expect(machineCpu(machine(100, 50), machine(200, 125))).toBe(25);
    expect(machineCpu(machine(100, 50), machine(100, 50))).toBe(0);
  });
});
