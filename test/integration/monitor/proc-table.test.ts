import { afterEach, describe, expect, it } from 'vitest';
import { clockTicks, pageSize, readMachine, readProcRow, readProcTable } from '../../../src/monitor/proc-table.js';
import { allocateScript, Processes, waitFor } from './processes.js';

const procs = new Processes();
afterEach(() => procs.killAll());

describe('readProcTable on the real /proc', () => {
  it('sees a spawned child with its parent and session', async () => {
    const child = procs.start('sleep', ['300']);
    const table = await waitFor(() => {
      const t = readProcTable();
      return t.get(child.pid)?.comm === 'sleep' ? t : undefined;
    }, 5000, 'sleep to exec');
    const row = table.get(child.pid);
    const self = table.get(process.pid);
    expect(self).toBeDefined();
    expect(row).toMatchObject({ pid: child.pid, ppid: process.pid, sid: self?.sid, comm: 'sleep' });
    expect(row?.state).toMatch(/^[SR]$/);
    expect(row?.rss).toBeGreaterThan(0);
    expect(row?.starttime).toBeGreaterThan(0);
  });

  it('sees a detached child as its own session and group leader', () => {
    const child = procs.start('sleep', ['300'], { detached: true });
    const row = readProcTable().get(child.pid);
    expect(row).toMatchObject({ pid: child.pid, ppid: process.pid, sid: child.pid, pgrp: child.pid });
  });

  it('reports RSS growing when a process allocates 200 MB', async () => {
    const child = procs.start(process.execPath, ['-e', allocateScript(200)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const before = readProcRow(child.pid)?.rss ?? 0;
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('done'), 20_000, 'the allocation');
    const after = readProcTable().get(child.pid)?.rss ?? 0;
    expect(after - before).toBeGreaterThan(180 * 1024 * 1024);
  });

  it('reads the machine counters and constants', () => {
    const m = readMachine();
    expect(m.cpus).toBeGreaterThanOrEqual(1);
    expect(m.totalJiffies).toBeGreaterThan(m.idleJiffies);
    expect(m.memTotal).toBeGreaterThan(m.memAvailable);
    expect(m.memAvailable).toBeGreaterThan(0);
    expect(clockTicks()).toBeGreaterThan(0);
    expect(pageSize() % 1024).toBe(0);
  });
});
