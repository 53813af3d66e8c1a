/**
 * Fork bombs are contained: where the cgroup pids controller exists (this machine, as
 * root), each agent's group gets `pids.max` (`limits.pids`, 4096 by default). An agent
 * forking without end stays within its limit, is reported with reason `pids`, and the rest
 * of the crew stays responsive; when it gives up, its failure is put down to the limit and
 * its group is emptied. The forking loop starts only after it has checked, from inside,
 * that its own group's limit is in force: it is never let loose on the machine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../src/monitor/cgroups.js';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

const LIMIT = 32;
// inside the agent: its own pids group, checked before anything forks
const GUARD = `cg=$(grep ':pids:' /proc/self/cgroup | cut -d: -f3); max=$(cat "/sys/fs/cgroup/pids$cg/pids.max" 2>/dev/null); if [ -z "$cg" ] || [ "$cg" = / ] || [ "$max" != ${LIMIT} ]; then echo "not forking: pids.max is '$max' in '$cg'"; exec sleep 600; fi`;

let p: TestProject;
let sup: Headless;
let group = '';
type Status = { enforcement: string; agents: { id: string; state: string; reason: string | null; pid: number | null; limits: { pids?: number | null } }[] };

const logOf = (agent: string) => {
  const f = path.join(p.dir, '.muster/logs/pl', `${agent}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

/** The pids group of a process, as the kernel says (`/proc/PID/cgroup`), and its files. */
function pidsGroupOf(pid: number): string {
  const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1] === 'pids');
  const rel = line?.split(':')[2];
  if (!rel || rel === '/') throw new Error(`process ${pid} is in no pids group of its own`);
  return path.join('/sys/fs/cgroup/pids', rel);
}

beforeAll(async () => {
  // This test needs the pids controller; where it is missing the test fails here, loudly.
  const probe = await detectCgroups({ name: `muster-probe-${process.pid}` });
  const pids = probe.controls.pids;
  await probe.removeAll();
  if (!pids) throw new Error(`no usable cgroup pids controller here (${probe.describe()}): run the tests as root on a machine with cgroups`);
  p = makeProject('pids');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/pl.yaml',
    `name: pl
agents:
  forker:
    limits: { pids: ${LIMIT} }
    restart: { policy: never }
    run: |
      ${GUARD}
      echo forking
      # children that end after 2 s; a refused fork is tried again (perl's fork returns, never dies), so it never gives up
      exec perl -e '$SIG{CHLD} = "IGNORE"; until (-e "stop-forking") { my $pid = fork; if (defined $pid && $pid == 0) { sleep 2; exit 0 } select(undef, undef, undef, 0.01) unless defined $pid } exit 3'
  talker:
    run: exec sh -c 'while read l; do echo "got:$l"; done'
`,
  );
  sup = p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
}, 180_000);

afterAll(async () => {
  await p?.destroy();
}, 180_000);

describe('the pids limit', () => {
  it('is in status: the limit of each agent, and the mechanism', async () => {
    const s = (await p.status()) as unknown as Status;
    expect(s.enforcement).toMatch(/pids limit/);
    expect(s.agents.find((a) => a.id === 'pl/forker')?.limits.pids).toBe(LIMIT);
    expect(s.agents.find((a) => a.id === 'pl/talker')?.limits.pids).toBe(4096);
  });

  it('holds an agent forking without end to its limit, reported with reason pids', async () => {
    await waitFor('the forker past its guard', () => logOf('forker').includes('forking') || logOf('forker').includes('not forking'), 30_000);
    expect(logOf('forker')).not.toContain('not forking');
    const forker = agentOf(await p.status(), 'pl/forker');
    group = pidsGroupOf(forker.pid as number);
    expect(fs.readFileSync(path.join(group, 'pids.max'), 'utf8').trim()).toBe(String(LIMIT));
    await waitFor('the pids event', () => new RegExp(`pl/forker\\s+!\\s+reached its process limit \\(${LIMIT} processes\\)`).test(sup.output()), 30_000);
    const a = await waitFor('reason pids', async () => {
      const x = agentOf(await p.status(), 'pl/forker');
      return x.reason === 'pids' ? x : null;
    });
    expect(a.state).toBe('running');
    for (let i = 0; i < 10; i++) {
      expect(Number(fs.readFileSync(path.join(group, 'pids.current'), 'utf8'))).toBeLessThanOrEqual(LIMIT);
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = fs.readFileSync(path.join(group, 'pids.events'), 'utf8');
    expect(Number(/^max (\d+)$/m.exec(events)?.[1])).toBeGreaterThan(0);
  });

  it('leaves the rest of the crew and the machine responsive', async () => {
    const r = await p.muster(['send', 'talker', 'still here'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the talker answered', () => logOf('talker').includes('got:still here'), 30_000);
    expect(spawnSync('true').status).toBe(0);
    expect(agentOf(await p.status(), 'pl/talker').reason).toBeNull();
  });

  it('when it gives up, it failed for its limit and every process it made is gone', async () => {
    fs.writeFileSync(path.join(p.dir, 'stop-forking'), '');
    const a = await waitFor('the forker ended', async () => {
      const x = agentOf(await p.status(), 'pl/forker');
      return x.state === 'failed' ? x : null;
    }, 60_000);
    expect(a.reason).toBe('pids');
    expect(sup.output()).toMatch(new RegExp(`pl/forker\\s+!!\\s+exited with code 3 after reaching its process limit \\(${LIMIT}\\); failed`));
    expect(group).not.toBe('');
    await waitFor('the group empty', () => !fs.existsSync(group) || fs.readFileSync(path.join(group, 'cgroup.procs'), 'utf8').trim() === '', 30_000);
  });
});
