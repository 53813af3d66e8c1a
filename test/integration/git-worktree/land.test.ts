/**
 * Land, discard and what a worktree holds, against real git repositories: a land
 * fast-forwards, merges (the base branch moved on: nothing lost) and squashes; each
 * refusal leaves every ref, checkout and file as it was; a branch moved by hand is
 * landed as it is now (or refused when it shares no history); discard refuses unmerged
 * work without --force.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { cliWorktreeGit } from '../../../src/git/worktree-git.js';
import { discard } from '../../../src/git/worktree-discard.js';
import { land, type LandRequest } from '../../../src/git/worktree-land.js';
import { inspectWorktree } from '../../../src/git/worktree-inspect.js';
import { readMeta } from '../../../src/git/worktree-meta.js';
import { WorktreePreparer } from '../../../src/git/worktree-prepare.js';
import { commitFile, git, makeRepo, repoState, writeFile } from '../../helpers/git.js';
import { agent } from '../../helpers/specs.js';

let root: string;
let repo: string;
let stateDir: string;
let dev: AgentSpec;
let wt: string;

beforeEach(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-wt-land-')));
  repo = path.join(root, 'app');
  stateDir = path.join(repo, '.muster');
  makeRepo(repo, { 'README.md': 'hello\n', 'shared.txt': 'one\ntwo\nthree\n', '.gitignore': '.muster/\n' });
  dev = agent('web/dev', { cwd: repo, worktree: { mode: 'own', owner: 'web/dev', base: null, include: [], setup: null } });
  const p = new WorktreePreparer({ git: cliWorktreeGit, stateDir, spec: () => dev, logFile: () => path.join(stateDir, 'dev.log') });
  wt = (await p.prepare(dev)).dir;
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const req = (over: Partial<LandRequest> = {}): LandRequest => ({ owner: dev, squash: false, into: null, checkins: [], ...over });
const info = () => inspectWorktree(cliWorktreeGit, stateDir, dev, []);

describe('land', () => {
  it('fast-forwards main (the user’s checkout follows) and counts as merged', async () => {
    commitFile(wt, 'feature.txt', 'a\nb\n', 'add feature');
    const head = commitFile(wt, 'feature2.txt', 'c\n', 'add feature 2');
    const before = await info();
    expect(before).toMatchObject({ state: 'ready', into: 'main', ahead: 2, behind: 0, merged: false, committed: { files: 2, added: 3, deleted: 0 } });
    const out = await land(cliWorktreeGit, stateDir, req());
    expect(out).toMatchObject({ kind: 'landed', how: 'fast-forward', into: 'main', commit: head });
    expect(out.kind === 'landed' && out.message).toMatch(/muster\/web\/dev fast-forwarded into main \(2 commits; main now at [0-9a-f]{7}\)/);
    expect(git(repo, 'rev-parse', 'main')).toBe(head);
    expect(fs.readFileSync(path.join(repo, 'feature.txt'), 'utf8')).toBe('a\nb\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(await info()).toMatchObject({ ahead: 0, merged: true });
    expect(await land(cliWorktreeGit, stateDir, req())).toMatchObject({ kind: 'nothing' });
  });

  it('merges when main moved on: a merge commit holds both sides, nothing lost', async () => {
    const agentCommit = commitFile(wt, 'feature.txt', 'x\n');
    const userCommit = commitFile(repo, 'user.txt', 'mine\n');
    const out = await land(cliWorktreeGit, stateDir, req());
    expect(out).toMatchObject({ kind: 'landed', how: 'merge' });
    const merge = git(repo, 'rev-parse', 'main');
    expect(git(repo, 'rev-list', '--parents', '-n', '1', merge).split(' ').slice(1)).toEqual([userCommit, agentCommit]);
    expect(git(repo, 'log', '-1', '--format=%s', merge)).toBe("Merge branch 'muster/web/dev' into main");
    expect(fs.readFileSync(path.join(repo, 'feature.txt'), 'utf8')).toBe('x\n');
    expect(fs.readFileSync(path.join(repo, 'user.txt'), 'utf8')).toBe('mine\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(await info()).toMatchObject({ merged: true, ahead: 0, behind: 2 }); // the user's commit and the merge
  });

  it('squashes into one commit whose message holds the check-ins and the commits', async () => {
    const base = git(repo, 'rev-parse', 'main');
    commitFile(wt, 'a.txt', 'a\n', 'first step');
    commitFile(wt, 'b.txt', 'b\n', 'second step');
    const out = await land(cliWorktreeGit, stateDir, req({ squash: true, checkins: ['parser done', 'tests green'] }));
    expect(out).toMatchObject({ kind: 'landed', how: 'squash' });
    const squashed = git(repo, 'rev-parse', 'main');
    expect(git(repo, 'rev-list', '--parents', '-n', '1', squashed).split(' ').slice(1)).toEqual([base]);
    const message = git(repo, 'log', '-1', '--format=%B', squashed);
    expect(message).toContain('web/dev: tests green');
    expect(message).toContain('Squashed from muster/web/dev (2 commits)');
    expect(message).toContain('- first step\n- second step');
    expect(message).toContain('Check-ins:\n- parser done\n- tests green');
    expect(git(repo, 'ls-tree', '--name-only', squashed)).toContain('b.txt');
    expect(await info()).toMatchObject({ ahead: 2, merged: true });
    expect(readMeta(stateDir, 'web/dev')?.landed).toMatchObject({ how: 'squash', into: 'main', result: squashed });
    expect(await land(cliWorktreeGit, stateDir, req({ squash: true }))).toMatchObject({ kind: 'nothing' });
  });

  it('--into a branch nobody has checked out moves only that branch', async () => {
    git(repo, 'branch', 'release');
    const head = commitFile(wt, 'f.txt', 'f\n');
    const main = git(repo, 'rev-parse', 'main');
    expect(await land(cliWorktreeGit, stateDir, req({ into: 'release' }))).toMatchObject({ kind: 'landed', how: 'fast-forward', into: 'release' });
    expect(git(repo, 'rev-parse', 'release')).toBe(head);
    expect(git(repo, 'rev-parse', 'main')).toBe(main);
  });

  describe('refuses, changing nothing', () => {
    async function refused(r: LandRequest, reason: RegExp, exitCode = 1): Promise<void> {
      const before = repoState(repo, [wt]);
      const err = await land(cliWorktreeGit, stateDir, r).then(
        () => null,
        (e: unknown) => e as Error & { exitCode: number; hint: string },
      );
      expect(err?.message).toMatch(reason);
      expect(err?.exitCode).toBe(exitCode);
      expect(err?.hint).toBeTruthy();
      expect(repoState(repo, [wt])).toBe(before);
      expect(readMeta(stateDir, 'web/dev')?.landed).toBeNull();
    }

    it('the agent has uncommitted changes (and a commit nudge is suggested)', async () => {
      commitFile(wt, 'done.txt', 'done\n');
      writeFile(wt, 'wip.txt', 'half\n');
      writeFile(wt, 'README.md', 'edited\n');
      await refused(req(), /web\/dev has uncommitted changes \(2 files: README\.md, wip\.txt\)/);
    });

    it('the user’s checkout of main is dirty', async () => {
      commitFile(wt, 'f.txt', 'f\n');
      writeFile(repo, 'README.md', 'the user is editing\n');
      await refused(req(), /the checkout of main \(.*\) has uncommitted changes \(README\.md\)/);
    });

    it('the merge would conflict: the files are listed', async () => {
      commitFile(wt, 'shared.txt', 'one\nTWO by the agent\nthree\n');
      commitFile(repo, 'shared.txt', 'one\ntwo by the user\nthree\n');
      await refused(req(), /landing muster\/web\/dev into main would conflict in shared\.txt/);
      expect(fs.existsSync(path.join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    });

    it('the user’s checkout is in the middle of a merge of its own', async () => {
      commitFile(wt, 'f.txt', 'f\n');
      git(repo, 'checkout', '-q', '-b', 'other');
      commitFile(repo, 'shared.txt', 'one\nother\nthree\n');
      git(repo, 'checkout', '-q', 'main');
      commitFile(repo, 'shared.txt', 'one\nmain\nthree\n');
      expect(() => git(repo, 'merge', '-q', 'other')).toThrow();
      await refused(req(), /in the middle of a merge/);
    });

    it('an --into branch that does not exist (bad usage)', async () => {
      commitFile(wt, 'f.txt', 'f\n');
      await refused(req({ into: 'nope' }), /there is no branch "nope"/, 2);
    });

    it('a branch force-moved to a history of its own', async () => {
      const orphan = git(wt, 'commit-tree', git(wt, 'write-tree'), '-m', 'unrelated');
      git(repo, 'update-ref', 'refs/heads/muster/web/dev', orphan);
      git(wt, 'reset', '-q', '--hard', orphan);
      await refused(req(), /have no history in common/);
    });

    it('untracked files in the user’s checkout that the land would overwrite', async () => {
      commitFile(wt, 'new.txt', 'from the agent\n');
      commitFile(repo, 'user.txt', 'moved on\n'); // not a fast-forward: a merge commit is built, then checked out
      writeFile(repo, 'new.txt', 'the user’s own untracked file\n');
      await refused(req(), /git refused to move the checkout of main/);
      expect(fs.readFileSync(path.join(repo, 'new.txt'), 'utf8')).toBe('the user’s own untracked file\n');
    });
  });

  it('a branch moved back by hand lands as it is now', async () => {
    const first = commitFile(wt, 'a.txt', 'a\n');
    commitFile(wt, 'b.txt', 'b\n');
    git(wt, 'reset', '-q', '--hard', first);
    expect(await info()).toMatchObject({ ahead: 1 });
    expect(await land(cliWorktreeGit, stateDir, req())).toMatchObject({ kind: 'landed', commit: first });
    expect(fs.existsSync(path.join(repo, 'b.txt'))).toBe(false);
  });
});

describe('discard', () => {
  it('refuses unmerged commits and uncommitted changes without --force, changing nothing', async () => {
    commitFile(wt, 'f.txt', 'f\n');
    writeFile(wt, 'wip.txt', 'wip\n');
    const before = repoState(repo, [wt]);
    await expect(discard(cliWorktreeGit, stateDir, { owner: dev, sharedBy: [], running: [], force: false })).rejects.toThrow(
      "web/dev's worktree holds 1 commit not in main and 1 uncommitted file (wip.txt)",
    );
    expect(repoState(repo, [wt])).toBe(before);
  });

  it('refuses while an agent runs in the worktree, even with --force', async () => {
    await expect(discard(cliWorktreeGit, stateDir, { owner: dev, sharedBy: ['web/review'], running: ['web/review'], force: true })).rejects.toThrow(/web\/review runs in web\/dev's worktree/);
    expect(fs.existsSync(wt)).toBe(true);
  });

  it('removes merged work without --force, and anything with it', async () => {
    commitFile(wt, 'f.txt', 'f\n');
    await land(cliWorktreeGit, stateDir, req());
    expect(await discard(cliWorktreeGit, stateDir, { owner: dev, sharedBy: [], running: [], force: false })).toMatch(/worktree .* and branch muster\/web\/dev removed/);
    expect(fs.existsSync(wt)).toBe(false);
    expect(() => git(repo, 'rev-parse', '--verify', 'refs/heads/muster/web/dev')).toThrow();
    expect(readMeta(stateDir, 'web/dev')).toBeNull();
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('--force throws unmerged work away', async () => {
    commitFile(wt, 'f.txt', 'f\n');
    writeFile(wt, 'wip.txt', 'wip\n');
    await discard(cliWorktreeGit, stateDir, { owner: dev, sharedBy: [], running: [], force: true });
    expect(fs.existsSync(wt)).toBe(false);
    expect(() => git(repo, 'rev-parse', '--verify', 'refs/heads/muster/web/dev')).toThrow();
  });
});

describe('what a worktree holds', () => {
  it('committed and uncommitted files and lines, untracked files counted', async () => {
    commitFile(wt, 'a.txt', '1\n2\n3\n');
    writeFile(wt, 'README.md', 'changed\n');
    writeFile(wt, 'new.txt', 'untracked\n');
    expect(await info()).toMatchObject({
      ahead: 1,
      committed: { files: 1, added: 3, deleted: 0 },
      uncommitted: { files: 2, added: 1, deleted: 1, untracked: 1 },
      changed: { files: 3, added: 4, deleted: 1 },
      dirty: ['README.md', 'new.txt'],
      merged: false,
    });
  });

  it('a folder or a branch gone is said so', async () => {
    fs.rmSync(wt, { recursive: true, force: true });
    expect(await info()).toMatchObject({ state: 'folder missing' });
    git(repo, 'worktree', 'prune');
    git(repo, 'update-ref', '-d', 'refs/heads/muster/web/dev');
    expect(await info()).toMatchObject({ state: 'branch missing', head: null });
  });
});
