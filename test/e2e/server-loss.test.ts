/**
 * The crew's tmux server lost under a running headless supervisor: killed by its socket
 * (as a crash would), or only the supervisor's own control client gone. The supervisor
 * stays up: it reconnects, judges the agents that went with the server as vanished and
 * restarts them per their policy; a one-shot agent that had finished stays done. A server
 * lost again and again makes it give up with an error and exit code 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';
import { processRows } from '../helpers/proc.js';
import { alive, serverAnswers, tmuxOn } from '../helpers/tmux.js';

let p: TestProject;
let sup: Headless;

const running = async (id: string) => {
  const a = agentOf(await p.status(), id);
  return a.state === 'running' && a.pid !== null && alive(a.pid) ? a : null;
};

/** The supervisor's own `tmux -C attach-session` child. */
function controlClientOf(supervisorPid: number): number | null {
  const row = processRows().find((r) => r.ppid === supervisorPid && r.cmd.includes('-C') && r.cmd.includes('attach-session'));
  return row?.pid ?? null;
}

beforeAll(async () => {
  p = makeProject('srvloss');
  p.write(
    'teams/crew.yaml',
    `name: crew
agents:
  keeper:
    run: exec sleep 600
    restart: { policy: on-failure, backoff: 200ms }
  finished:
    run: echo finished-once; exit 0
`,
  );
  sup = p.headless();
  await waitFor('keeper running', () => running('crew/keeper'), 30_000);
  await waitFor('finished done', async () => agentOf(await p.status(), 'crew/finished').state === 'done', 30_000);
});

afterAll(async () => {
  await p.destroy();
});

describe('the crew tmux server lost under the supervisor', () => {
  it('only the control client gone: reconnects, the agents keep their pids', async () => {
    const before = (await running('crew/keeper'))!;
    const client = controlClientOf(sup.child.pid as number);
    expect(client).not.toBeNull();
    process.kill(client as number, 'SIGKILL');
    await waitFor('reconnected', () => /reconnected, the agents kept running/.test(sup.output()), 30_000);
    const after = await waitFor('keeper still running', () => running('crew/keeper'), 30_000);
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(before.restarts);
    expect(sup.child.exitCode).toBeNull();
  });

  it('the server killed: a new one is started, the running agent restarted, the finished one stays done', async () => {
    const before = (await running('crew/keeper'))!;
    // killed by its socket; the supervisor may start the next one at once, so wait on the old pid
    const oldServer = Number((await tmuxOn(p.socket, ['display-message', '-p', '#{pid}'])).stdout.trim());
    expect(oldServer).toBeGreaterThan(0);
    await tmuxOn(p.socket, ['kill-server']);
    await waitFor('the old server gone', () => !alive(oldServer), 10_000);
    await waitFor('the loss reported', () => /tmux server went away/.test(sup.output()), 30_000);
    const after = await waitFor('keeper running again', async () => {
      const a = await running('crew/keeper');
      return a && a.pid !== before.pid ? a : null;
    }, 30_000);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(alive(before.pid as number)).toBe(false);
    expect(agentOf(await p.status(), 'crew/finished').state).toBe('done');
    expect(await serverAnswers(p.socket)).toBe(true);
    expect(sup.child.exitCode).toBeNull();
  });

  it('a server lost again and again: the supervisor gives up with an error and exit code 1', async () => {
    // the two losses above count too: two more within the minute make four
    const losses = () => (sup.output().match(/tmux server went away|server dropped/g) ?? []).length;
    const gaveUp = () => sup.child.exitCode !== null || /stopped trying/.test(sup.output());
    for (let i = 0; i < 4 && !gaveUp(); i++) {
      const seen = losses();
      await waitFor('a server to kill', () => serverAnswers(p.socket), 30_000);
      await tmuxOn(p.socket, ['kill-server']);
      await waitFor('the loss seen', () => losses() > seen || /stopped trying/.test(sup.output()), 30_000);
    }
    expect(await sup.exited).toBe(1);
    expect(sup.output()).toMatch(/lost 4 times within 60 s .*; muster stopped trying/);
    expect(sup.output()).toMatch(/hint: Run `muster status`/);
  });
});
