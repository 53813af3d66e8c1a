/**
 * The git operations behind agents' worktrees (docs/worktrees.md), as one small
 * interface: the worktree modules beside it (worktree-prepare, -land, -discard, -inspect) decide
 * with the pure rules of worktree-policy.ts; this one only runs git (argument arrays, porcelain
 * output) and parses what it says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError, runGit, type GitResult } from './git-run.js';
import { lastHeadFromReflog } from './reflog.js';
import { sleep } from '../sys/time.js';
import {
  parseLeftRight,
  parseMergeTreeZ,
  parseNumstatZ,
  parseStatusZ,
  parseWorktreeList,
  type MergeTreeResult,
  type NumstatEntry,
  type StatusEntry,
  type WorktreeEntry,
} from './porcelain.js';

export type { MergeTreeResult, NumstatEntry, StatusEntry, WorktreeEntry } from './porcelain.js';

/** What merging two commits would give, computed without touching any checkout. */
export type MergePreview = MergeTreeResult | { unrelated: true };

export interface WorktreeGit {
  /** the top of the work tree holding `dir`, or null when it is in no repository */
  toplevel(dir: string): Promise<string | null>;
  /** the repository's shared git folder (`.git` of the main checkout), absolute */
  commonDir(repo: string): Promise<string>;
  /** a checkout's own git folder (`.git/worktrees/<name>` for a linked worktree), absolute */
  gitDir(checkout: string): Promise<string>;
  /** the commit `rev` names, or null */
  commitOf(repo: string, rev: string): Promise<string | null>;
  /** the branch a checkout is on (short name), or null when detached or unborn */
  currentBranch(checkout: string): Promise<string | null>;
  /** the commit of `refs/heads/<branch>`, or null when there is no such branch */
  branchHead(repo: string, branch: string): Promise<string | null>;
  /** every branch (short name) and its commit, in one git call */
  branchHeads(repo: string): Promise<Map<string, string>>;
  listWorktrees(repo: string): Promise<WorktreeEntry[]>;
  /** `git worktree add`: a new branch at `startPoint`, or (startPoint null) the existing branch */
  addWorktree(repo: string, dir: string, branch: string, startPoint: string | null): Promise<void>;
  removeWorktree(repo: string, dir: string, force: boolean): Promise<void>;
  pruneWorktrees(repo: string): Promise<void>;
  unlockWorktree(repo: string, dir: string): Promise<void>;
  /** creates `refs/heads/<branch>` at `commit`; fails when it exists */
  createBranch(repo: string, branch: string, commit: string): Promise<void>;
  /** deletes `refs/heads/<branch>` if it still points at `expected` */
  deleteBranch(repo: string, branch: string, expected: string): Promise<void>;
  /** commits only `head` has (ahead) and only `base` has (behind) */
  aheadBehind(repo: string, base: string, head: string): Promise<{ ahead: number; behind: number }>;
  mergeBase(repo: string, a: string, b: string): Promise<string | null>;
  isAncestor(repo: string, ancestor: string, of: string): Promise<boolean>;
  /** lines changed from `from` to `to`, or to the checkout's files (tracked) when `to` is null; only `paths` when given */
  diffNumstat(checkout: string, from: string, to: string | null, paths?: readonly string[]): Promise<NumstatEntry[]>;
  /** changed, staged and untracked paths of a checkout (ignored files left out) */
  status(checkout: string, untracked?: boolean): Promise<StatusEntry[]>;
  /** subjects of the commits in `from..to`, oldest first */
  subjects(repo: string, from: string, to: string): Promise<string[]>;
  mergePreview(repo: string, ours: string, theirs: string): Promise<MergePreview>;
  commitTree(repo: string, tree: string, parents: readonly string[], message: string): Promise<string>;
  /** moves `ref` to `to` if it still points at `from` (false when it moved meanwhile) */
  updateRef(repo: string, ref: string, to: string, from: string, reason: string): Promise<boolean>;
  /** `git merge --ff-only COMMIT` in a checkout (a checkout of new files, never a merge in progress) */
  fastForward(checkout: string, commit: string): Promise<GitResult>;
  /** untracked files of a checkout that match gitignore-style `patterns` (relative to its top) */
  untrackedMatching(checkout: string, patterns: readonly string[]): Promise<string[]>;
  /** those of `files` that the checkout's ignore rules ignore */
  ignored(checkout: string, files: readonly string[]): Promise<string[]>;
  /**
   * git's own record of the linked worktree at `dir` (`<common>/worktrees/<id>`, found by
   * its `gitdir` file, read without running git) and its lock reason (`initializing` while
   * a `git worktree add` is at work), or null.
   */
  registrationOf(commonDir: string, dir: string): { admin: string; locked: string | null } | null;
  /** the commit a worktree's HEAD last had, from its own reflog (kept when its branch is deleted) */
  reflogHead(adminDir: string): string | null;
}

/** A path with links resolved as far as its folders exist (git records real paths; the folder may be gone). */
function realThroughParents(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realThroughParents(parent), path.basename(abs));
  }
}

const lines = (r: GitResult) => r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);

async function absolute(cwd: string, text: string): Promise<string> {
  const p = path.resolve(cwd, text.trim());
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The real git. */
export const cliWorktreeGit: WorktreeGit = {
  async toplevel(dir) {
    if (!fs.existsSync(dir)) return null;
    const r = await runGit(dir, ['rev-parse', '--show-toplevel'], { ok: [0, 128] });
    return r.code === 0 && r.stdout.trim() !== '' ? absolute(dir, r.stdout) : null;
  },
  async commonDir(repo) {
    return absolute(repo, (await runGit(repo, ['rev-parse', '--git-common-dir'])).stdout);
  },
  async gitDir(checkout) {
    return absolute(checkout, (await runGit(checkout, ['rev-parse', '--git-dir'])).stdout);
  },
  async commitOf(repo, rev) {
    const r = await runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { ok: [0, 1, 128] });
    return r.code === 0 ? r.stdout.trim() || null : null;
  },
  async currentBranch(checkout) {
    const r = await runGit(checkout, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { ok: [0, 1, 128] });
    return r.code === 0 ? r.stdout.trim() || null : null;
  },
  async branchHead(repo, branch) {
    const r = await runGit(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { ok: [0, 1, 128] });
    return r.code === 0 ? r.stdout.trim() || null : null;
  },
  async branchHeads(repo) {
    const out = (await runGit(repo, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'])).stdout;
    const heads = new Map<string, string>();
    for (const line of out.split('\n')) {
      const m = /^([0-9a-f]{40,64}) refs\/heads\/(.+)$/.exec(line);
      if (m) heads.set(m[2] as string, m[1] as string);
    }
    return heads;
  },
  async listWorktrees(repo) {
    // A `git worktree add` of another process may be writing a record: read again a moment later.
    for (let attempt = 1; ; attempt++) {
      try {
        return parseWorktreeList((await runGit(repo, ['worktree', 'list', '--porcelain', '-z'])).stdout);
      } catch (err) {
        if (attempt >= 5 || !(err instanceof GitError) || !/failed to read/.test(err.result.stderr)) throw err;
        await sleep(100 * attempt);
      }
    }
  },
  async addWorktree(repo, dir, branch, startPoint) {
    const args = startPoint === null ? ['worktree', 'add', '--quiet', dir, branch] : ['worktree', 'add', '--quiet', '-b', branch, dir, startPoint];
    await runGit(repo, args, { timeoutMs: 600_000 });
  },
  async removeWorktree(repo, dir, force) {
    await runGit(repo, ['worktree', 'remove', ...(force ? ['--force', '--force'] : []), dir]);
  },
  async pruneWorktrees(repo) {
    await runGit(repo, ['worktree', 'prune']);
  },
  async unlockWorktree(repo, dir) {
    await runGit(repo, ['worktree', 'unlock', dir], { ok: [0, 128] });
  },
  async createBranch(repo, branch, commit) {
    await runGit(repo, ['update-ref', '-m', 'muster: branch recreated', `refs/heads/${branch}`, commit, '']);
  },
  async deleteBranch(repo, branch, expected) {
    await runGit(repo, ['update-ref', '-m', 'muster discard', '-d', `refs/heads/${branch}`, expected]);
  },
  async aheadBehind(repo, base, head) {
    const { left, right } = parseLeftRight((await runGit(repo, ['rev-list', '--left-right', '--count', `${base}...${head}`])).stdout);
    return { behind: left, ahead: right };
  },
  async mergeBase(repo, a, b) {
    const r = await runGit(repo, ['merge-base', a, b], { ok: [0, 1] });
    return r.code === 0 ? r.stdout.trim() || null : null;
  },
  async isAncestor(repo, ancestor, of) {
    return (await runGit(repo, ['merge-base', '--is-ancestor', ancestor, of], { ok: [0, 1] })).code === 0;
  },
  async diffNumstat(checkout, from, to, paths = []) {
    const args = ['diff', '--no-ext-diff', '--no-renames', '--numstat', '-z', from, ...(to === null ? [] : [to]), '--', ...paths.map((p) => `:(literal)${p}`)];
    return parseNumstatZ((await runGit(checkout, args)).stdout);
  },
  async status(checkout, untracked = true) {
    const args = ['status', '--porcelain=v1', '-z', '--no-renames', untracked ? '--untracked-files=all' : '--untracked-files=no'];
    return parseStatusZ((await runGit(checkout, args)).stdout);
  },
  async subjects(repo, from, to) {
    return lines(await runGit(repo, ['log', '--reverse', '--format=%s', `${from}..${to}`, '--']));
  },
  async mergePreview(repo, ours, theirs) {
    const r = await runGit(repo, ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', ours, theirs], { ok: [0, 1, 128] });
    if (r.code === 128) {
      if (/unrelated histories/.test(r.stderr)) return { unrelated: true };
      throw new Error(`git merge-tree failed: ${r.stderr.trim().split('\n')[0] ?? ''} (git 2.38 or newer is needed to land a merge)`);
    }
    return parseMergeTreeZ(r.stdout, r.code);
  },
  async commitTree(repo, tree, parents, message) {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    return (await runGit(repo, args, { input: message })).stdout.trim();
  },
  async updateRef(repo, ref, to, from, reason) {
    const r = await runGit(repo, ['update-ref', '-m', reason, ref, to, from], { ok: [0, 128] });
    return r.code === 0;
  },
  async fastForward(checkout, commit) {
    return runGit(checkout, ['merge', '--ff-only', '--no-edit', '--quiet', commit], { ok: [0, 1, 128] });
  },
  async untrackedMatching(checkout, patterns) {
    if (patterns.length === 0) return [];
    const args = ['ls-files', '-z', '--others', '--ignored', ...patterns.flatMap((p) => ['-x', p])];
    return (await runGit(checkout, args)).stdout.split('\0').filter(Boolean);
  },
  async ignored(checkout, files) {
    if (files.length === 0) return [];
    const r = await runGit(checkout, ['check-ignore', '-z', '--stdin'], { ok: [0, 1], input: `${files.join('\0')}\0` });
    return r.stdout.split('\0').filter(Boolean);
  },
  registrationOf(commonDir, dir) {
    const records = path.join(commonDir, 'worktrees');
    let names: string[];
    try {
      names = fs.readdirSync(records);
    } catch {
      return null;
    }
    const want = new Set([path.resolve(dir, '.git'), path.join(realThroughParents(dir), '.git')]);
    for (const name of names) {
      const admin = path.join(records, name);
      try {
        if (!want.has(path.resolve(fs.readFileSync(path.join(admin, 'gitdir'), 'utf8').trim()))) continue;
      } catch {
        continue; // not a worktree record, or one being written
      }
      let locked: string | null = null;
      try {
        locked = fs.readFileSync(path.join(admin, 'locked'), 'utf8').trim();
      } catch {
        // not locked
      }
      return { admin, locked };
    }
    return null;
  },
  reflogHead(adminDir) {
    try {
      return lastHeadFromReflog(fs.readFileSync(path.join(adminDir, 'logs', 'HEAD'), 'utf8'));
    } catch {
      return null;
    }
  },
};
