import { describe, expect, it } from 'vitest';
import { agentPids, agentSession, descendants, indexTable, paneRoot, provenRoot, rootMembers } from '../../../src/monitor/membership.js';
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

describe('roots and pids given out again', () => {
  // 100 was an agent's pane process (start time 1). Its pid may since belong to another process.
  const index = indexTable(t);
  // the same pid, now a new tmux server (session leader, start time 9) with panes below it
  const reused = indexTable(
    new Map([
      ...t,
      [100, { pid: 100, ppid: 1, sid: 100, pgrp: 100, state: 'S', ticks: 0, rss: 0, starttime: 9, comm: 'tmux' }],
    ]),
  );
  // 100 is gone; 103, double-forked from it, still holds its session
  const gone = indexTable(new Map([...t].filter(([pid]) => pid !== 100 && pid !== 101 && pid !== 102)));

  it.each([
    { why: 'a proven root that is still the same process: tree and session', idx: index, root: { pid: 100, starttime: 1 }, want: [100, 101, 102, 103] },
    { why: 'a proven root whose pid was given out again: nothing', idx: reused, root: { pid: 100, starttime: 1 }, want: [] },
    { why: 'an ended root while its pid is free: what still holds its session', idx: gone, root: { pid: 100, starttime: null }, want: [103] },
    { why: 'an ended root whose pid someone else holds: nothing', idx: reused, root: { pid: 100, starttime: null }, want: [] },
  ])('$why', ({ idx, root, want }) => {
    expect(rootMembers(idx, root)).toEqual(want);
  });

  it('cgroup members count whatever the root', () => {
    expect(rootMembers(reused, { pid: 100, starttime: 1 }, [201, 104])).toEqual([104, 201]);
  });

  it('provenRoot takes the start time the table shows', () => {
    expect(provenRoot(t, 100)).toEqual({ pid: 100, starttime: 1 });
    expect(provenRoot(t, 999)).toEqual({ pid: 999, starttime: null });
  });

  it('paneRoot proves a live pane and takes a dead one as ended', () => {
    expect(paneRoot(t, 100, false)).toEqual({ pid: 100, starttime: 1 });
    expect(paneRoot(t, 100, true)).toEqual({ pid: 100, starttime: null });
  });
});
