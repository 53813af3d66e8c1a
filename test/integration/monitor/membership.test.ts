import { afterEach, describe, expect, it } from 'vitest';
import { agentPids, descendants, indexTable } from '../../../src/monitor/membership.js';
import { readProcTable, type ProcTable } from '../../../src/monitor/proc-table.js';
import { Processes, waitFor } from './processes.js';

const procs = new Processes();
afterEach(() => procs.killAll());

describe('membership of real processes', () => {
  it('counts a double-forked grandchild through the session id', async () => {
    const leader = procs.sh('(sleep 300 &) ; sleep 300');
    // Wait for: the leader, its direct `sleep`, and the reparented `sleep`.
    const table = await waitFor<ProcTable>(() => {
      const t = readProcTable();
      const inSession = [...t.values()].filter((r) => r.sid === leader.pid && r.comm === 'sleep');
      return inSession.length === 2 ? t : undefined;
    }, 5000, 'both sleeps');
    const sleeps = [...table.values()].filter((r) => r.sid === leader.pid && r.comm === 'sleep');
    const orphan = sleeps.find((r) => r.ppid !== leader.pid);
    const direct = sleeps.find((r) => r.ppid === leader.pid);
    expect(orphan).toBeDefined();
    expect(direct).toBeDefined();
    procs.track(orphan!.pid);

    const index = indexTable(table);
    // The grandchild left the parent-pid tree…
    expect(descendants(index, leader.pid)).not.toContain(orphan!.pid);
    expect(descendants(index, leader.pid)).toContain(direct!.pid);
    // …but still belongs to the agent.
    const pids = agentPids(index, leader.pid);
    expect(pids).toEqual([leader.pid, direct!.pid, orphan!.pid].sort((a, b) => a - b));
    expect(pids).not.toContain(process.pid);
  });

  it('does not take the whole session of a root that is not a session leader', async () => {
    const child = procs.start('sleep', ['300']);
    await waitFor(() => readProcTable().get(child.pid), 5000, 'the child');
    const index = indexTable(readProcTable());
    const pids = agentPids(index, child.pid);
    expect(pids).toContain(child.pid);
    expect(pids).not.toContain(process.pid);
  });
});
