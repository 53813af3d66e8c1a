/**
 * Agents in git worktrees with the real binary, a real tmux server and a real repository:
 * two devs commit at once on their own branches while the user's checkout stays as it
 * was; a reviewer shares a dev's worktree; include and setup run; a handoff carries the
 * branch and head; commit cadence reads each worktree's own reflog; land and discard from
 * the command line; a folder deleted under a running agent; and the worktrees survive a
 * supervisor crash, `cleanup` and `down`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

const ECHO = `while read l; do echo "got:$l"; done`;
const commits = (who: string) =>
  `for i in 1 2 3; do echo "v$i" > ${who}-$i.txt; git add ${who}-$i.txt; git commit -qm "${who} step $i"; done; echo ${who}-committed; exec sleep 600`;

let p: TestProject;
let sup: Headless;
let userHead: string;

const wtDir = (agent: string) => path.join(p.dir, '.muster/worktrees/web', agent);
const logOf = (agent: string) => {
  const f = path.join(p.dir, '.muster/logs/web', `${agent}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

interface WorktreeJson {
  agent: string;
  sharedBy: string[];
  path: string;
  branch: string;
  state: string;
  head: string | null;
  ahead: number;
  behind: number;
  into: string | null;
  merged: boolean;
  changed: { files: number };
  uncommitted: { files: number };
}
async function worktrees(): Promise<WorktreeJson[]> {
  const r = await p.muster(['worktrees', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { worktrees: WorktreeJson[] }).worktrees;
}

beforeAll(async () => {
  p = makeProject('worktrees');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/web.yaml',
    `name: web
defaults:
  preset: shell
  worktree: own
  include: [.env]
agents:
  dev1:
    setup: 'echo "setup ran in $PWD"; touch .setup-done'
    commit: { every: 1h }
    run: '${commits('dev1')}'
  dev2:
    run: '${commits('dev2')}'
  review:
    worktree: { share: dev1 }
    run: 'echo "cwd=$PWD"; ${ECHO}'
`,
  );
  makeRepo(p.dir, { 'README.md': 'the user’s project\n', '.gitignore': '.env\n.setup-done\n' });
  fs.writeFileSync(path.join(p.dir, '.env'), 'TOKEN=local\n');
  userHead = git(p.dir, 'rev-parse', 'HEAD');
  // the user's last commit and the agents' fall in different seconds (commit cadence below)
  await new Promise((r) => setTimeout(r, 1100));
  sup = p.headless();
  await waitFor('both devs to commit', () => logOf('dev1').includes('dev1-committed') && logOf('dev2').includes('dev2-committed'), 90_000);
}, 120_000);

afterAll(async () => {
  await p.destroy();
});

describe('agents in worktrees', () => {
  it('two devs commit at once on their own branches; the user’s checkout is untouched', async () => {
    for (const who of ['dev1', 'dev2']) {
      expect(git(p.dir, 'log', '--format=%s', `main..muster/web/${who}`).split('\n')).toEqual([`${who} step 3`, `${who} step 2`, `${who} step 1`]);
      expect(git(wtDir(who), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`muster/web/${who}`);
    }
    expect(git(p.dir, 'rev-parse', 'HEAD')).toBe(userHead);
    expect(git(p.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(p.dir, 'diff', 'HEAD', '--stat')).toBe('');
    const status = git(p.dir, 'status', '--porcelain', '--untracked-files=all');
    expect(status).not.toMatch(/worktrees|dev1-|dev2-/);
    expect(fs.existsSync(path.join(p.dir, 'dev1-1.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(p.dir, '.git/info/exclude'), 'utf8')).toMatch(/^\/\.muster\/worktrees\/$/m);
    expect(fs.readFileSync(path.join(p.dir, '.gitignore'), 'utf8')).toBe('.env\n.setup-done\n');
  });

  it('include and setup ran in the new worktree, the setup’s output in the log', () => {
    expect(fs.readFileSync(path.join(wtDir('dev1'), '.env'), 'utf8')).toBe('TOKEN=local\n');
    expect(fs.readFileSync(path.join(wtDir('dev2'), '.env'), 'utf8')).toBe('TOKEN=local\n');
    expect(fs.existsSync(path.join(wtDir('dev1'), '.setup-done'))).toBe(true);
    expect(logOf('dev1')).toContain(`setup ran in ${wtDir('dev1')}`);
    expect(sup.output()).toMatch(/web\/dev1\s+worktree created: muster\/web\/dev1 from [0-9a-f]{7} \(main\)/);
  });

  it('the reviewer runs in dev1’s worktree', async () => {
    await waitFor('the reviewer’s cwd', () => logOf('review').includes('cwd='), 30_000);
    expect(logOf('review')).toContain(`cwd=${wtDir('dev1')}`);
    expect(git(p.dir, 'worktree', 'list').split('\n')).toHaveLength(3);
  });

  it('status --json and muster worktrees show each branch', async () => {
    const list = await worktrees();
    expect(list.map((w) => [w.agent, w.branch, w.state, w.ahead, w.behind, w.into, w.sharedBy])).toEqual([
      ['web/dev1', 'muster/web/dev1', 'ready', 3, 0, 'main', ['web/review']],
      ['web/dev2', 'muster/web/dev2', 'ready', 3, 0, 'main', []],
    ]);
    expect(list[0]?.changed.files).toBe(3);
    const s = await waitFor('the worktrees in status', async () => {
      const st = (await p.status()) as unknown as { agents: { id: string; worktree?: { ahead: number; branch: string; owner: string } | null }[] };
      return st.agents.every((a) => a.worktree && a.worktree.ahead === 3) ? st : null;
    }, 30_000);
    expect(s.agents.find((a) => a.id === 'web/review')?.worktree).toMatchObject({ owner: 'web/dev1', branch: 'muster/web/dev1' });
  });

  it('commit cadence reads the worktree’s own reflog', async () => {
    const ct = Number(git(p.dir, 'log', '-1', '--format=%ct', 'muster/web/dev1')) * 1000;
    const userCt = Number(git(p.dir, 'log', '-1', '--format=%ct', 'main')) * 1000;
    expect(ct).not.toBe(userCt);
    await waitFor('dev1’s last commit in status', async () => {
      const a = agentOf(await p.status(), 'web/dev1') as unknown as { commit: { last: string | null } | null };
      return a.commit?.last !== null && a.commit?.last !== undefined && Date.parse(a.commit.last) === ct;
    }, 30_000);
  });

  it('a handoff carries the sender’s branch and head, and the typed text says so', async () => {
    const head = git(p.dir, 'rev-parse', 'muster/web/dev1');
    const r = await p.muster(['handoff', 'review', 'please review my branch'], { env: { MUSTER_AGENT: 'web/dev1', MUSTER_DIR: path.join(p.dir, '.muster') } });
    expect(r.code, r.stderr).toBe(0);
    const expected = `got:Handoff from web/dev1 (on branch muster/web/dev1 at ${head.slice(0, 7)}): please review my branch`;
    await waitFor('the handoff typed into the reviewer', () => logOf('review').includes(expected), 60_000);
    const s = (await p.status()) as unknown as { handoffs: { from: string; branch?: string; commit?: string }[] };
    expect(s.handoffs).toEqual([expect.objectContaining({ from: 'web/dev1', branch: 'muster/web/dev1', commit: head })]);
  });

  it('muster diff shows the work against the base', async () => {
    const r = await p.muster(['diff', 'dev2', '--stat']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dev2-1\.txt \| 1 \+/);
    expect(r.stdout).toMatch(/3 files changed, 3 insertions/);
  });

  it('land fast-forwards, then merges once main moved on; discard refuses while agents run in the worktree', async () => {
    const d = await p.muster(['discard', 'dev1']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/web\/dev1 and web\/review run in web\/dev1's worktree/);
    const l2 = await p.muster(['land', 'dev2']);
    expect(l2.code, l2.stderr).toBe(0);
    expect(l2.stdout).toMatch(/web\/dev2 landed: muster\/web\/dev2 fast-forwarded into main \(3 commits/);
    const l1 = await p.muster(['land', 'dev1']);
    expect(l1.code, l1.stderr).toBe(0);
    expect(l1.stdout).toMatch(/merged into main/);
    expect(git(p.dir, 'log', '--format=%s', '-1')).toBe("Merge branch 'muster/web/dev1' into main");
    for (const f of ['dev1-3.txt', 'dev2-3.txt']) expect(fs.existsSync(path.join(p.dir, f))).toBe(true);
    expect(git(p.dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    const again = await p.muster(['land', 'dev1']);
    expect(again.stdout).toMatch(/nothing to land/);
    const bad = await p.muster(['land', 'dev1', '--into', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/there is no branch "nope"/);
    // the report: per agent its branch, commits, lines and whether it landed
    const report = await p.muster(['report', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const agents = (JSON.parse(report.stdout) as { agents: { id: string; worktree: { branch: string; commits: number; added: number; landed: { how: string } | null } | null }[] }).agents;
    expect(agents.find((a) => a.id === 'web/dev2')?.worktree).toMatchObject({ branch: 'muster/web/dev2', commits: 3, added: 3, landed: { how: 'fast-forward' } });
    expect(agents.find((a) => a.id === 'web/review')?.worktree).toMatchObject({ branch: 'muster/web/dev1', landed: { how: 'merge' } });
  }, 240_000);

  it('a worktree folder deleted under a running agent: shown, then checked out again at its restart', async () => {
    const before = git(p.dir, 'rev-parse', 'muster/web/dev2');
    fs.rmSync(wtDir('dev2'), { recursive: true, force: true });
    expect((await worktrees()).find((w) => w.agent === 'web/dev2')?.state).toBe('folder missing');
    const r = await p.muster(['restart', 'dev2'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the folder back', () => fs.existsSync(path.join(wtDir('dev2'), 'dev2-3.txt')), 60_000);
    expect(git(wtDir('dev2'), 'rev-parse', 'HEAD')).toBe(before);
    await waitFor('the event', () => /web\/dev2\s+its worktree folder was gone \(removed by hand\)/.test(sup.output()), 30_000);
    expect((await worktrees()).find((w) => w.agent === 'web/dev2')?.state).toBe('ready');
  }, 180_000);

  it('the worktrees survive a supervisor crash, cleanup and down, and are used again', async () => {
    const heads = () => ['dev1', 'dev2'].map((a) => git(wtDir(a), 'rev-parse', 'HEAD')).join(' ');
    const kept = heads();
    const survives = () => {
      expect(heads()).toBe(kept);
      expect(fs.existsSync(path.join(wtDir('dev1'), '.env'))).toBe(true);
      expect(git(p.dir, 'worktree', 'list').split('\n')).toHaveLength(3);
    };
    sup.child.kill('SIGKILL');
    await sup.exited;
    survives();
    sup = p.headless();
    await waitFor('the crew picked up', async () => (await p.status()).supervisor.running, 60_000);
    expect((await p.muster(['cleanup', '--yes'])).code).toBe(0);
    survives();
    await sup.exited;
    sup = p.headless();
    await waitFor('the agents started again', async () => agentOf(await p.status(), 'web/dev2').state === 'running', 60_000);
    expect(sup.output()).not.toMatch(/worktree created/);
    expect(agentOf(await p.status(), 'web/review').state).toBe('running');
    const down = await p.muster(['down'], { timeoutMs: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    survives();
  }, 240_000);
});
