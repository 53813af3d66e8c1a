import { describe, expect, it } from 'vitest';
import { agentPids, agentSession, descendants, indexTable } from '../../../src/monitor/membership.js';
import type { ProcRow, ProcTable } from '../../../src/monitor/proc-table.js';

function table(rows: Array<Pick<ProcRow, 'pid' | 'ppid' | 'sid'>>): ProcTable {
  return new Map(rows.map((r) => [r.pid, { ...r, pgrp: r.pid, state: 'S', ticks: 0, rss: 0, starttime: 1, comm: 'x' }]));
}

// 1 init; 10 tmux server (session 10); 100 pane shell (session leader) → 101 → 102;
// 103 double-forked from 101 (reparented to 1, session 100); 104 called setsid (session 104, ppid 101… gone → 1);
// 200 another pane; 300 the supervisor (session 300, not related).
const t = table([
  { pid: 1, ppid: 0, sid: 1 },
  { pid: 10, ppid: 1, sid: 10 },
  { pid: 100, ppid: 10, sid: 100 },
  { pid: 101, ppid: 100, sid: 100 },
  { pid: 102, ppid: 101, sid: 100 },
  { pid: 103, ppid: 1, sid: 100 },
  { pid: 104, ppid: 1, sid: 104 },
  { pid: 200, ppid: 10, sid: 200 },
  { pid: 201, ppid: 200, sid: 200 },
  { pid: 300, ppid: 1, sid: 300 },
  { pid: 301, ppid: 300, sid: 300 },
]);

describe('membership', () => {
  const index = indexTable(t);

  it('walks the parent-pid tree', () => {
    expect(descendants(index, 100).sort()).toEqual([100, 101, 102]);
    expect(descendants(index, 10).sort()).toEqual([10, 100, 101, 102, 200, 201]);
  });

  it('adds double-forked processes that kept the session', () => {
    expect(agentPids(index, 100)).toEqual([100, 101, 102, 103]);
    expect(agentPids(index, 200)).toEqual([200, 201]);
  });

  it('adds cgroup members (a child that called setsid) without duplicates', () => {
    expect(agentPids(index, 100, [104, 102])).toEqual([100, 101, 102, 103, 104]);
  });

  it('does not take the session of a root that does not lead it', () => {
    expect(agentSession(index, 301)).toBeNull();
    expect(agentPids(index, 301)).toEqual([301]);
  });

  it('still finds the session of a root that is gone', () => {
    const gone = indexTable(table([{ pid: 103, ppid: 1, sid: 100 }, { pid: 1, ppid: 0, sid: 1 }]));
    expect(agentPids(gone, 100)).toEqual([103]);
    expect(agentPids(gone, 555)).toEqual([]);
  });
});
