import { afterEach, describe, expect, it } from 'vitest';
import { DutyCycler, pause, resume } from '../../../src/monitor/duty-cycle.js';
import { clockTicks, readProcRow } from '../../../src/monitor/proc-table.js';
import { cpuOver, Processes, sleep, waitFor } from './processes.js';

const procs = new Processes();
const cycler = new DutyCycler();
afterEach(() => {
  cycler.stopAll();
  procs.killAll();
});

describe('DutyCycler on a real busy loop', () => {
  it('holds a busy loop limited to 30% well under twice that, and clear() leaves it running', async () => {
    const busy = procs.sh('while :; do :; done');
    cycler.set('t/busy', [busy.pid], 30);
    await sleep(500);
    const used = await cpuOver([busy.pid], 2500, clockTicks());
    console.log(`duty cycle: limit 30%, measured ${used.toFixed(1)}%, on-share ${cycler.status('t/busy')?.onShare.toFixed(3)}`);
    expect(used).toBeLessThan(60);
    expect(used).toBeGreaterThan(5);

    cycler.clear('t/busy');
    expect(cycler.agents()).toEqual([]);
    expect(readProcRow(busy.pid)?.state).not.toBe('T');
    expect(await cpuOver([busy.pid], 500, clockTicks())).toBeGreaterThan(40);
  });

  it('pause() stops and resume() continues', async () => {
    const busy = procs.sh('while :; do :; done');
    pause([busy.pid]);
    await waitFor(() => readProcRow(busy.pid)?.state === 'T', 2000, 'state T');
    expect(await cpuOver([busy.pid], 300, clockTicks())).toBeLessThan(5);
    resume([busy.pid]);
    await waitFor(() => readProcRow(busy.pid)?.state !== 'T', 2000, 'not T');
  });
});
