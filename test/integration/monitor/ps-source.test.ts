/**
 * The ps source on this machine's real ps, against /proc: the same processes with the
 * same parents, groups and sessions, memory and CPU time close; a double-forked child
 * found by its session; environments read; a Sampler on ps measures a busy loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { agentPids, indexTable } from '../../../src/monitor/membership.js';
import { createPsSource, procSource } from '../../../src/monitor/process-source.js';
import { Sampler } from '../../../src/monitor/sampler.js';
import { waitFor } from '../../helpers/wait.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function start(script: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const c = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  children.push(c);
  return c;
}

describe('the ps source on the real ps', () => {
  it('agrees with /proc on parents, groups, sessions, memory and CPU time', async () => {
    const leader = start('sleep 300 & exec sleep 301');
    const pid = leader.pid as number;
    const ps = createPsSource({ maxAgeMs: 0 });
    const child = await waitFor('the child', () => [...ps.table().values()].find((r) => r.ppid === pid && r.comm === 'sleep'));
    const fromPs = ps.tableNow();
    const fromProc = procSource.table();
    for (const p of [pid, child.pid]) {
      const a = fromPs.get(p)!;
      const b = fromProc.get(p)!;
      expect({ ppid: a.ppid, pgrp: a.pgrp, sid: a.sid, state: a.state }).toEqual({ ppid: b.ppid, pgrp: b.pgrp, sid: b.sid, state: b.state });
      expect(Math.abs(a.rss - b.rss)).toBeLessThan(1 << 20);
    }
    const self = fromPs.get(process.pid)!;
    const selfSeconds = procSource.row(process.pid)!.ticks / procSource.ticksPerSecond;
    expect(Math.abs(self.ticks / ps.ticksPerSecond - selfSeconds)).toBeLessThanOrEqual(1.01);
  });

  it('finds a double-forked child by its session, and reads environments', async () => {
    const leader = start('(sleep 302 &) ; exec sleep 303', { MUSTER_PS_TEST: 'yes' });
    const pid = leader.pid as number;
    const ps = createPsSource({ maxAgeMs: 0 });
    const pids = await waitFor('the escaped child', () => {
      const found = agentPids(indexTable(ps.table()), pid);
      return found.length >= 2 ? found : null;
    });
    const escaped = pids.find((p) => p !== pid)!;
    expect(ps.row(escaped)!.ppid).not.toBe(pid);
    expect(ps.environ(escaped)?.split('\0')).toContain('MUSTER_PS_TEST=yes');
  });

  it('a Sampler reading ps measures a busy loop near a core and a sleep near zero', async () => {
    const busy = start('while :; do :; done');
    const idle = start('exec sleep 304');
    const ps = createPsSource({ maxAgeMs: 0 });
    const sampler = new Sampler({ readTable: () => ps.tableNow(), readMachine: ps.machine, clockTicks: ps.ticksPerSecond });
    const roots = new Map([
      ['busy', { pid: busy.pid as number }],
      ['idle', { pid: idle.pid as number }],
    ]);
    sampler.sample(roots, Date.now());
    await new Promise((r) => setTimeout(r, 4000)); // ps on Linux counts whole seconds of CPU
    const s = sampler.sample(roots, Date.now());
    expect(s.agents.get('busy')!.cpu).toBeGreaterThan(20);
    expect(s.agents.get('idle')!.cpu).toBeLessThan(5);
    expect(s.machine.memory.total).toBeGreaterThan(0);
  });
});
