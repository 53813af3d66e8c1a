/**
 * The machine ceiling: while the machine is above it, an agent that may start waits as
 * pending(ceiling), and starts once the machine falls below it. Memory is the lever here
 * (a CPU ceiling on a shared 2-core machine depends on whatever else runs): the hog
 * holds a quarter of the machine's memory, the ceiling sits 10 points above today's use.
 * Touching gigabytes takes long on a busy machine: the deadlines are generous.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

function memoryUsedPercent(): { used: number; total: number } {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(info)?.[1]) * 1024;
  const total = kb('MemTotal');
  return { used: ((total - kb('MemAvailable')) / total) * 100, total };
}

let p: TestProject;
let sup: Headless;

beforeAll(async () => {
  p = makeProject('ceiling');
  const { used, total } = memoryUsedPercent();
  const hogMiB = Math.round(total / 4 / 2 ** 20);
  p.write('muster.yaml', `pulse: 1s\nceiling: { memory: ${Math.min(95, used + 10).toFixed(1)}% }\n`);
  p.write(
    'teams/c.yaml',
    `name: c
agents:
  hog:
    # holds a quarter of the machine's memory, touched so it is really resident
    run: exec node -e 'const a=[]; for (let i=0;i<${Math.ceil(hogMiB / 256)};i++) a.push(Buffer.alloc(256<<20, 1)); require("fs").writeFileSync("hog.ready", ""); setInterval(()=>{}, 1000)'
  gate:
    # lets the waiter become startable only once the hog's memory is in and measured
    run: until [ -f hog.ready ]; do sleep 0.2; done; sleep 2.5
  waiter:
    after: [gate]
    run: exec sleep 600
`,
  );
  sup = p.headless();
});

afterAll(async () => {
  await p.destroy();
});

describe('the machine ceiling', () => {
  it('holds back a pending agent while the machine is above it, then releases it', async () => {
    await waitFor('waiter held by the ceiling', async () => {
      const w = agentOf(await p.status(), 'c/waiter');
      return w.state === 'pending' && w.reason === 'ceiling';
    }, 150_000).catch(async (e) => {
      throw new Error(`${String(e)}\n${sup.output()}\n${JSON.stringify(await p.status())}`);
    });
    expect((await p.muster(['stop', 'hog'])).code).toBe(0);
    const w = await waitFor('waiter started', async () => {
      const a = agentOf(await p.status(), 'c/waiter');
      return a.state === 'running' ? a : null;
    }, 60_000);
    expect(w.pid).not.toBeNull();
    expect(sup.output()).toMatch(/c\/waiter\s+started/);
  }, 300_000);
});
