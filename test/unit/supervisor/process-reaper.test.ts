import { describe, expect, it } from 'vitest';
import type { ProcRow, ProcTable } from '../../../src/monitor/proc-table.js';
import { stopProcesses, type ReaperDeps } from '../../../src/supervisor/process-reaper.js';

type Row = Pick<ProcRow, 'pid' | 'ppid' | 'sid'> & { starttime?: number };

/** A process table that signals act on: TERM and KILL remove the process (and what it alone kept alive). */
function machine(rows: Row[]) {
  const live = new Map<number, ProcRow>(rows.map((r) => [r.pid, { pgrp: r.pid, state: 'S', ticks: 0, rss: 0, comm: 'x', starttime: 1, ...r }]));
  const signals: string[] = [];
  let now = 0;
  const deps: ReaperDeps = {
    readTable: () => new Map(live) as ProcTable,
    signal: (pid, signal) => {
      signals.push(`${signal} ${pid}`);
      if ((signal === 'SIGTERM' || signal === 'SIGKILL') && live.has(pid)) live.delete(pid);
    },
    sleep: async (ms) => {
      now += ms;
    },
    now: () => now,
  };
  return { deps, signals, live };
}

describe('stopProcesses', () => {
  it('stops a proven root with its tree and its session', async () => {
    const m = machine([
      { pid: 100, ppid: 10, sid: 100, starttime: 5 },
      { pid: 101, ppid: 100, sid: 100 },
      { pid: 103, ppid: 1, sid: 100 },
      { pid: 500, ppid: 1, sid: 500 },
    ]);
    const r = await stopProcesses({ roots: [{ pid: 100, starttime: 5 }] }, m.deps);
    expect(r.stage).toBe('term');
    expect(m.signals.filter((s) => s.startsWith('SIGTERM')).sort()).toEqual(['SIGTERM 100', 'SIGTERM 101', 'SIGTERM 103']);
    expect([...m.live.keys()]).toEqual([500]);
  });

  it('never signals a process that took an ended root’s pid, nor what runs below it', async () => {
    // 100 was a dead pane's pid; it now belongs to another crew's tmux server (start time 9) and its panes
    const m = machine([
      { pid: 100, ppid: 1, sid: 100, starttime: 9 },
      { pid: 110, ppid: 100, sid: 110 },
      { pid: 111, ppid: 100, sid: 100 },
    ]);
    const r = await stopProcesses({ roots: [{ pid: 100, starttime: null }] }, m.deps);
    expect(r).toEqual({ stage: 'none', remaining: [] });
    expect(m.signals).toEqual([]);
    // the same when the root was proven, but as another process than the one there now
    expect((await stopProcesses({ roots: [{ pid: 100, starttime: 5 }] }, m.deps)).stage).toBe('none');
    expect(m.signals).toEqual([]);
  });

  it('still reaches what double-forked away from an ended root while its pid is free', async () => {
    const m = machine([{ pid: 103, ppid: 1, sid: 100 }]);
    const r = await stopProcesses({ roots: [{ pid: 100, starttime: null }] }, m.deps);
    expect(r.stage).toBe('term');
    expect(m.live.size).toBe(0);
  });
});
