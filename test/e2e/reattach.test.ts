/**
 * Agents outlive the supervisor: after a kill -9 of the supervisor, a new one picks the
 * crew up with the same pids and counters and restarts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { alive } from '../helpers/tmux.js';

let p: TestProject;

beforeAll(() => {
  p = makeProject('reattach');
  p.write(
    'teams/crew.yaml',
    `name: crew
agents:
  once-flaky:
    # fails on its first run, then runs for good: leaves restarts = 1
    run: if [ ! -f flaked ]; then touch flaked; exit 1; fi; exec sleep 600
    restart: { backoff: 200ms }
  steady:
    run: exec sleep 600
  pending:
    after: [steady]
    run: exec sleep 600
`,
  );
});

afterAll(async () => {
  await p.destroy();
});

describe('kill -9 of the supervisor', () => {
  it('a new supervisor reattaches: same pids, counters kept, nothing restarted', async () => {
    const first = p.headless();
    const before = await waitFor('both running', async () => {
      const s = await p.status();
      const ok = agentOf(s, 'crew/once-flaky').state === 'running' && agentOf(s, 'crew/steady').state === 'running';
      return ok && agentOf(s, 'crew/once-flaky').restarts === 1 ? s : null;
    });
    const supervisorPid = before.supervisor.pid as number;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(supervisorPid)).toBe(false);

    const offline = await p.status();
    expect(offline.supervisor.running).toBe(false);
    expect(agentOf(offline, 'crew/steady').pid).toBe(agentOf(before, 'crew/steady').pid);

    const second = p.headless();
    const after = await waitFor('the new supervisor', async () => {
      const s = await p.status();
      return s.supervisor.running && s.supervisor.pid !== supervisorPid ? s : null;
    });
    for (const id of ['crew/once-flaky', 'crew/steady', 'crew/pending']) {
      const a = agentOf(after, id);
      const b = agentOf(before, id);
      expect({ id, pid: a.pid, restarts: a.restarts, state: a.state }).toEqual({ id, pid: b.pid, restarts: b.restarts, state: b.state });
    }
    expect(second.output()).toMatch(/picked up 2 running agent/);
    expect(second.output()).not.toMatch(/started \(attempt/);
  });

  it('a second supervisor for the same project refuses and names the first pid', async () => {
    const running = await waitFor('a supervisor', async () => (await p.status()).supervisor.pid);
    const r = await p.muster(['up', '--headless']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pid ${running}`);
  });
});
