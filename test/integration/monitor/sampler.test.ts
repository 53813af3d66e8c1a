import { afterEach, describe, expect, it } from 'vitest';
import { clockTicks, readProcRow } from '../../../src/monitor/proc-table.js';
import { Sampler } from '../../../src/monitor/sampler.js';
import { Processes, sleep } from './processes.js';

const procs = new Processes();
afterEach(() => procs.killAll());

describe('Sampler on real processes', () => {
  it('reads a busy loop near one core and an idle sleep near zero', async () => {
    const busy = procs.sh('while :; do :; done');
    const idle = procs.sh('exec sleep 300');
    const sampler = new Sampler();
    const roots = new Map([
      ['t/busy', { pid: busy.pid }],
      ['t/idle', { pid: idle.pid }],
    ]);
    const t0 = performance.now();
    const first = sampler.sample(roots, t0);
    const ticks0 = first.table.get(busy.pid)?.ticks ?? 0;
    expect(first.agents.get('t/busy')?.cpu).toBe(0); // no previous scan: no spike
    await sleep(1200);
    const t1 = performance.now();
    const s = sampler.sample(roots, t1);
    const b = s.agents.get('t/busy');
    const i = s.agents.get('t/idle');
    expect(b?.pids).toEqual([busy.pid]);
    // The same ticks read directly, over the same window.
    const direct = (((readProcRow(busy.pid)?.ticks ?? 0) - ticks0) / clockTicks() / ((t1 - t0) / 1000)) * 100;
    console.log(`sampler: busy loop ${b?.cpu.toFixed(1)}% (direct ${direct.toFixed(1)}%), idle ${i?.cpu.toFixed(1)}%, machine ${s.machine.cpu.toFixed(1)}%`);
    expect(Math.abs((b?.cpu ?? 0) - direct)).toBeLessThan(10);
    // About one core; the machine is shared (2 cores), so the band is wide.
    expect(b?.cpu).toBeGreaterThan(25);
    expect(b?.cpu).toBeLessThan(130);
    expect(i?.cpu).toBeLessThan(10);
    expect(i?.memory).toBeGreaterThan(0);
    expect(s.machine.cpu).toBeGreaterThan(0);
    expect(s.machine.memory.total).toBeGreaterThan(s.machine.memory.used);
    expect(s.self.memory).toBeGreaterThan(10 * 1024 * 1024);
    expect(sampler.history('t/busy').cpu).toHaveLength(2);
  });
});
