/**
 * `muster cleanup` is the emergency brake: it kills everything the crew owns, including
 * a grandchild that double-forked out of the pane's tree and one that left the session
 * with setsid, kills the crew's tmux server, and touches nothing else. Run on /proc, and
 * on the portable path of machines without it (MUSTER_SAMPLER=ps, MUSTER_CGROUPS=off):
 * the process table and the environments read with ps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { alive, killTestServer, serverAnswers, tmuxOn, uniqueSocket } from '../helpers/tmux.js';

const PATHS = [
  { path: '/proc', env: {} },
  { path: 'ps', env: { MUSTER_SAMPLER: 'ps', MUSTER_CGROUPS: 'off' } },
] as const;

describe.each(PATHS)('on $path', ({ path: label, env }) => {
  let p: TestProject;
  const bystanderSocket = uniqueSocket('bystander');
  let bystander: ChildProcess;

  beforeAll(async () => {
    p = makeProject(label === 'ps' ? 'cleanps' : 'cleanup');
    p.write(
      'teams/crew.yaml',
      `name: crew
agents:
  forker:
    # a grandchild that double-forks away (keeps the session), one that calls setsid
    run: (sleep 600 & echo $! > grandchild.pid); (setsid sleep 601 & echo $! > escaped.pid); exec sleep 600
  plain:
    run: exec sleep 600
`,
    );
    const r = await tmuxOn(bystanderSocket, ['new-session', '-d', '-s', 'mine', 'sleep 600']);
    expect(r.code).toBe(0);
    bystander = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
  });

  afterAll(async () => {
    if (bystander.pid && alive(bystander.pid)) process.kill(bystander.pid, 'SIGKILL');
    if (await serverAnswers(bystanderSocket)) await killTestServer(bystanderSocket);
    await p.destroy();
  });

  const readPid = (file: string) => {
    const f = path.join(p.dir, file);
    return fs.existsSync(f) && fs.readFileSync(f, 'utf8').trim() ? Number(fs.readFileSync(f, 'utf8').trim()) : null;
  };

  describe('muster cleanup', () => {
    it('refuses without --yes when there is no terminal to ask', async () => {
      const r = await p.muster(['cleanup'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--yes');
    });

    it('kills the crew (double-forked grandchildren included) and nothing else', async () => {
      const sup = p.headless([], env);
      const status = await waitFor('the crew', async () => {
        const s = await p.status();
        return s.agents.every((a) => a.state === 'running') ? s : null;
      });
      const grandchild = await waitFor('grandchild pid', () => readPid('grandchild.pid'));
      const escaped = await waitFor('escaped pid', () => readPid('escaped.pid'));
      const panes = ['crew/forker', 'crew/plain'].map((id) => agentOf(status, id).pid as number);
      const named: [string, number][] = [['grandchild', grandchild], ['escaped', escaped], ['forker pane', panes[0] as number], ['plain pane', panes[1] as number]];
      for (const [what, pid] of named) expect(alive(pid), `${what} (pid ${pid}) alive before cleanup; ${JSON.stringify(status.agents)}`).toBe(true);
      // the grandchild really left the pane's tree
      const ppid = Number(fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      expect(panes).not.toContain(ppid);

      const r = await p.muster(['cleanup', '--yes'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/supervisor \(pid \d+\) killed/);
      await sup.exited;
      for (const pid of [grandchild, escaped, ...panes]) expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(await serverAnswers(p.socket)).toBe(false);
      expect(fs.existsSync(path.join(p.dir, '.muster/supervisor.lock'))).toBe(false);
      expect(fs.existsSync(path.join(p.dir, '.muster/state.json'))).toBe(true);
      expect(fs.existsSync(path.join(p.dir, '.muster/events.jsonl'))).toBe(true);

      // bystanders untouched
      expect(await serverAnswers(bystanderSocket)).toBe(true);
      expect(alive(bystander.pid as number)).toBe(true);
    });

    it('a new `up` after cleanup starts the crew afresh', async () => {
      p.headless([], env);
      const s = await waitFor('the crew again', async () => {
        const st = await p.status();
        return st.supervisor.running && st.agents.every((a) => a.state === 'running') ? st : null;
      });
      expect(agentOf(s, 'crew/plain').restarts).toBe(0);
    });
  });

});
