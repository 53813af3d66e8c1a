/**
 * Limits with real processes, on every path: cgroups (this machine, as root), sampling
 * with stop/continue duty cycling (MUSTER_CGROUPS=off), and the portable path of machines
 * without /proc (MUSTER_SAMPLER=ps: the process table from ps). Bounds are generous:
 * precision is the benchmark's business.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';
import { detectCgroups } from '../../src/monitor/cgroups.js';
import { processState, sessionCpu, sessionMembers } from '../helpers/proc.js';

const TEAM = `name: lim
agents:
  leaky:
    # grows 8 MiB every 100 ms, for good
    run: exec node -e 'const a=[]; setInterval(()=>{ const b=Buffer.alloc(8<<20, 1); a.push(b); }, 100)'
    limits: { memory: 64MiB }
    restart: { backoff: 300ms, max: 50 }
  leaky-stop:
    run: exec node -e 'const a=[]; setInterval(()=>{ a.push(Buffer.alloc(8<<20, 1)); }, 100)'
    limits: { memory: 64MiB, on_memory: stop }
  burner:
    run: exec sh -c 'while :; do :; done'
    limits: { cpu: 20% }
  forker:
    # the busy loop double-forks away from the pane's tree
    run: (sh -c 'while :; do :; done' &) ; exec sleep 600
    limits: { cpu: 20% }
`;

const ENV = {
  cgroups: {},
  'duty cycling': { MUSTER_CGROUPS: 'off' },
  'ps and signals': { MUSTER_SAMPLER: 'ps', MUSTER_CGROUPS: 'off' },
} as const;

for (const path of ['cgroups', 'duty cycling', 'ps and signals'] as const) {
  describe(`limits with ${path}`, () => {
    let p: TestProject;
    let sup: Headless;

    beforeAll(async () => {
      p = makeProject(path === 'cgroups' ? 'limcg' : path === 'duty cycling' ? 'limdc' : 'limps');
      p.write('muster.yaml', 'pulse: 1s\n');
      p.write('teams/lim.yaml', TEAM);
      sup = p.headless([], ENV[path]);
      await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
    });

    afterAll(async () => {
      await p.destroy();
    });

    it('says which mechanism is in force', async () => {
      const s = (await p.status()) as unknown as { enforcement: string };
      // On a machine that allows no cgroups (not root, no delegation) both paths sample.
      const probe = await detectCgroups({ name: `muster-probe-${process.pid}` });
      const usable = probe.kind !== 'none';
      await probe.removeAll();
      expect(s.enforcement).toMatch(path === 'cgroups' && usable ? /cgroup/ : /no cgroups/);
      if (path === 'ps and signals') expect(s.enforcement).toMatch(/processes read with ps/);
    });

    it('restarts a leaking agent after its memory stays over the limit', async () => {
      // with cgroups the kernel kills at the limit (where the machine allows them); sampling acts after two pulses over it
      const restart =
        path === 'cgroups'
          ? /lim\/leaky\s+!\s+(memory [\d.]+ MiB over its 64\.0 MiB limit on 2 pulses|killed by the kernel at its 64\.0 MiB memory limit); restarting/
          : /lim\/leaky\s+!\s+memory [\d.]+ MiB over its 64\.0 MiB limit on 2 pulses; restarting/;
      await waitFor('a memory restart', () => restart.test(sup.output()), 60_000);
      const a = await waitFor('restarts counted', async () => {
        const x = agentOf(await p.status(), 'lim/leaky');
        return x.restarts >= 1 ? x : null;
      });
      expect(a.restarts).toBeGreaterThanOrEqual(1);
    });

    it('stops a leaking agent with on_memory: stop', async () => {
      const a = await waitFor('stopped for memory', async () => {
        const x = agentOf(await p.status(), 'lim/leaky-stop');
        return x.state === 'failed' ? x : null;
      }, 60_000);
      expect(a).toMatchObject({ state: 'failed', reason: 'memory' });
    });

    it('holds a busy loop near its CPU limit and shows it throttled', async () => {
      const a = await waitFor('throttled', async () => {
        const x = agentOf(await p.status(), 'lim/burner');
        return x.state === 'throttled' ? x : null;
      }, 60_000);
      const cpu = await sessionCpu(a.pid as number, 4000);
      expect(cpu).toBeLessThan(40); // 2× the 20% limit; unlimited it would take a whole core
    });

    it('counts and limits a child that double-forked out of the tree', async () => {
      const a = await waitFor('forker throttled', async () => {
        const x = agentOf(await p.status(), 'lim/forker');
        return x.state === 'throttled' ? x : null;
      }, 60_000);
      const members = sessionMembers(a.pid as number);
      expect(members.length).toBeGreaterThanOrEqual(2); // sleep + the escaped loop
      expect(await sessionCpu(a.pid as number, 4000)).toBeLessThan(40);
    });

    it('pause freezes the agent and resume thaws it', async () => {
      const pid = (await waitFor('burner pid', async () => agentOf(await p.status(), 'lim/burner').pid)) as number;
      expect((await p.muster(['pause', 'burner'], { env: ENV[path] })).code).toBe(0);
      expect(agentOf(await p.status(), 'lim/burner').state).toBe('paused');
      expect(await sessionCpu(pid, 1500)).toBeLessThan(5);
      // the loop below the pane's shell is stopped (SIGSTOP) or frozen (cgroup freezer)
      const loop = sessionMembers(pid).find((m) => m !== pid) ?? pid; // the pane's shell waits only where signals are used
      expect(path === 'cgroups' ? ['T', 'D', 'S'] : ['T']).toContain(processState(loop));
      expect((await p.muster(['resume', 'burner'], { env: ENV[path] })).code).toBe(0);
      expect(['running', 'throttled']).toContain(agentOf(await p.status(), 'lim/burner').state);
      expect(await sessionCpu(pid, 2000)).toBeGreaterThan(3);
    });
  });
}
