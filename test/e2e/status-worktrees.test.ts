/**
 * `muster status --json` shows each agent's worktree with and without a running
 * supervisor (docs/status-json.md): the same view from the supervisor, after it was
 * killed (the crew's tmux server still up), and after `cleanup` (no server), read from
 * the worktrees' records and git; no `worktree` field for an agent without one. Real
 * binary, real tmux server, real repository.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

interface WorktreeView {
  owner: string;
  branch: string;
  path: string;
  state: string;
  head: string | null;
  into: string | null;
  ahead: number;
  behind: number;
  files: number;
  uncommitted: number;
  merged: boolean;
}
type Status = { supervisor: { running: boolean }; agents: { id: string; worktree?: WorktreeView | null }[] };

let p: TestProject;
let sup: Headless;

const logOf = (agent: string) => {
  const f = path.join(p.dir, '.muster/logs/web', `${agent}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};
const worktreesOf = (s: Status) => Object.fromEntries(s.agents.map((a) => [a.id, 'worktree' in a ? a.worktree : 'absent']));

beforeAll(async () => {
  p = makeProject('status-worktrees');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/web.yaml',
    `name: web
defaults:
  preset: shell
agents:
  dev:
    worktree: own
    run: 'echo v1 > a.txt && git add a.txt && git commit -qm "dev step" && echo two > b.txt && echo dev-done; exec sleep 600'
  review:
    worktree: { share: dev }
    run: exec sleep 600
  plain:
    run: exec sleep 600
`,
  );
  makeRepo(p.dir, { 'README.md': 'the project\n', '.gitignore': '.muster/\n' });
  sup = p.headless();
  await waitFor('the dev to commit', () => logOf('dev').includes('dev-done'), 90_000);
}, 120_000);

afterAll(async () => {
  await p.destroy();
});

describe('status --json shows worktrees with and without a supervisor', () => {
  it('the same worktree views from the supervisor, after a crash and after cleanup', async () => {
    const head = git(p.dir, 'rev-parse', 'muster/web/dev');
    const expected: WorktreeView = {
      owner: 'web/dev',
      branch: 'muster/web/dev',
      path: path.join(p.dir, '.muster/worktrees/web/dev'),
      state: 'ready',
      head,
      into: 'main',
      ahead: 1,
      behind: 0,
      files: 2,
      uncommitted: 1,
      merged: false,
    };
    const online = await waitFor('the supervisor to read the worktree', async () => {
      const s = (await p.status()) as unknown as Status;
      return s.supervisor.running && s.agents.find((a) => a.id === 'web/dev')?.worktree?.ahead === 1 ? s : null;
    }, 60_000);
    expect(worktreesOf(online)).toEqual({ 'web/dev': expected, 'web/review': expected, 'web/plain': 'absent' });

    sup.child.kill('SIGKILL');
    await sup.exited;
    const crashed = (await p.status()) as unknown as Status;
    expect(crashed.supervisor.running).toBe(false);
    expect(worktreesOf(crashed)).toEqual(worktreesOf(online));

    const c = await p.muster(['cleanup', '--yes']);
    expect(c.code, c.stderr).toBe(0);
    const none = (await p.status()) as unknown as Status;
    expect(none.supervisor.running).toBe(false);
    expect(worktreesOf(none)).toEqual(worktreesOf(online));
  }, 180_000);

  it('without a supervisor the view is read now: a commit made since shows, a removed folder shows as missing', async () => {
    const wt = path.join(p.dir, '.muster/worktrees/web/dev');
    git(wt, 'add', '-A');
    git(wt, 'commit', '-qm', 'by hand');
    const s = (await p.status()) as unknown as Status;
    expect(s.agents.find((a) => a.id === 'web/review')?.worktree).toMatchObject({ ahead: 2, uncommitted: 0, files: 2, head: git(wt, 'rev-parse', 'HEAD') });
    fs.rmSync(wt, { recursive: true, force: true });
    const gone = (await p.status()) as unknown as Status;
    expect(gone.agents.find((a) => a.id === 'web/dev')?.worktree).toMatchObject({ state: 'folder missing', ahead: 2 });
    expect(gone.agents.find((a) => a.id === 'web/plain')).not.toHaveProperty('worktree');
  }, 60_000);
});
