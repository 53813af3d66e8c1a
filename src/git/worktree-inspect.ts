/**
 * What an agent's worktree holds (docs/worktrees.md, `muster worktrees --json`): its
 * branch and base, commits ahead of and behind the branch it lands into, files and lines
 * changed (committed on the branch, and uncommitted in the folder), and whether it is
 * merged. Read from git; nothing is changed.
 */
import * as fs from 'node:fs';
import type { AgentSpec } from '../config/types.js';
import type { WorktreeReport } from '../report/build-report.js';
import { sumNumstat } from './porcelain.js';
import type { WorktreeGit } from './worktree-git.js';
import { isMerged, type LandedRecord } from './worktree-policy.js';
import { branchFor, readMeta, worktreeDir } from './worktree-meta.js';

export interface ChangeCount {
  files: number;
  /** lines added and deleted (binary files count as files only) */
  added: number;
  deleted: number;
}

export type WorktreeState = 'ready' | 'not created' | 'creating' | 'folder missing' | 'branch missing';

export interface WorktreeInfo {
  /** the owner, `team/agent` */
  agent: string;
  /** agents running in it besides its owner (`worktree: { share: … }`) */
  sharedBy: string[];
  path: string;
  branch: string;
  state: WorktreeState;
  /** the branch's commit, or null */
  head: string | null;
  base: { rev: string | null; commit: string; branch: string | null } | null;
  /** the branch `land` goes into by default (null: none known) */
  into: string | null;
  /** commits the branch has that `into` (or the base) lacks, and the other way round */
  ahead: number;
  behind: number;
  /** on the branch since it left `into` (or the base) */
  committed: ChangeCount;
  /** in the folder, not committed; untracked files count as files */
  uncommitted: ChangeCount & { untracked: number };
  /** files changed in all (committed or not); lines summed */
  changed: ChangeCount;
  /** the uncommitted paths (tracked changes and untracked files) */
  dirty: string[];
  merged: boolean;
  landed: LandedRecord | null;
}

const NONE: ChangeCount = { files: 0, added: 0, deleted: 0 };

/** The agents with a worktree of their own, each with those sharing it. */
export function worktreeOwners(specs: readonly AgentSpec[]): { owner: AgentSpec; sharedBy: string[] }[] {
  return specs
    .filter((s) => s.worktree?.mode === 'own')
    .map((owner) => ({ owner, sharedBy: specs.filter((s) => s.worktree?.mode === 'share' && s.worktree.owner === owner.id).map((s) => s.id) }));
}

/** Every branch head of a repository, read once for many worktrees. */
export type BranchHeads = (repo: string) => Promise<Map<string, string>>;

/** Branch heads asked of git once per repository. */
export function branchHeadsOnce(git: WorktreeGit): BranchHeads {
  const cache = new Map<string, Promise<Map<string, string>>>();
  return (repo) => {
    let heads = cache.get(repo);
    if (!heads) cache.set(repo, (heads = git.branchHeads(repo)));
    return heads;
  };
}

/** More uncommitted paths than this: their lines are counted over the whole checkout. */
const NAMED_PATHS_MAX = 200;

/**
 * Reads one worktree; `into` overrides the branch it is measured against; `heads` gives
 * branch heads read once for many worktrees (else each is asked of git).
 */
export async function inspectWorktree(
  git: WorktreeGit,
  stateDir: string,
  owner: AgentSpec,
  sharedBy: string[],
  into?: string,
  heads?: BranchHeads,
): Promise<WorktreeInfo> {
  const meta = readMeta(stateDir, owner.id);
  const dir = meta?.path ?? worktreeDir(stateDir, owner.id);
  const branch = meta?.branch ?? branchFor(owner.id);
  const info: WorktreeInfo = {
    agent: owner.id,
    sharedBy,
    path: dir,
    branch,
    state: 'not created',
    head: null,
    base: meta?.base ?? null,
    into: into ?? meta?.base.branch ?? null,
    ahead: 0,
    behind: 0,
    committed: { ...NONE },
    uncommitted: { ...NONE, untracked: 0 },
    changed: { ...NONE },
    dirty: [],
    merged: false,
    landed: meta?.landed ?? null,
  };
  if (!meta) return info;
  if (meta.state === 'creating') return { ...info, state: 'creating' };
  const repo = meta.repo;
  const headOf = async (name: string): Promise<string | null> => (heads ? ((await heads(repo)).get(name) ?? null) : git.branchHead(repo, name));
  const [head, against] = await Promise.all([headOf(branch), info.into !== null ? headOf(info.into) : Promise.resolve(null)]);
  info.head = head;
  const folder = fs.existsSync(dir);
  info.state = head === null ? 'branch missing' : folder ? 'ready' : 'folder missing';
  const base = against ?? meta.base.commit;
  const committedPaths = new Set<string>();
  const uncommittedPaths = new Set<string>();
  const readCommitted = async (h: string) => {
    // `base...head`: the diff from where the branch left `base`
    const committed = git.diffNumstat(repo, `${base}...${h}`, null).catch(() => git.diffNumstat(repo, base, h)); // no merge base: a branch moved by hand
    const [counts, entries] = await Promise.all([git.aheadBehind(repo, base, h), committed]);
    info.ahead = counts.ahead;
    info.behind = counts.behind;
    info.committed = sumNumstat(entries);
    for (const e of entries) committedPaths.add(e.path);
  };
  const readUncommitted = async () => {
    const status = await git.status(dir);
    info.dirty = status.map((s) => s.path);
    const tracked = status.filter((s) => s.code !== '??').map((s) => s.path);
    // lines of the changed paths only: the status already looked at every file
    const entries = tracked.length === 0 ? [] : await git.diffNumstat(dir, 'HEAD', null, tracked.length <= NAMED_PATHS_MAX ? tracked : []);
    const lines = sumNumstat(entries);
    info.uncommitted = { files: status.length, added: lines.added, deleted: lines.deleted, untracked: status.length - tracked.length };
    for (const s of status) uncommittedPaths.add(s.path);
  };
  if (head !== null) await Promise.all([readCommitted(head), folder ? readUncommitted() : Promise.resolve()]);
  const all = new Set([...committedPaths, ...uncommittedPaths]);
  info.changed = { files: all.size, added: info.committed.added + info.uncommitted.added, deleted: info.committed.deleted + info.uncommitted.deleted };
  const landed = info.landed?.into === info.into ? info.landed : null;
  info.merged = info.dirty.length === 0 && isMerged({ ahead: info.ahead, branchHead: info.head, baseCommit: meta.base.commit, landed });
  return info;
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every worktree of the project. */
export async function inspectAll(git: WorktreeGit, stateDir: string, specs: readonly AgentSpec[], limit = 6): Promise<WorktreeInfo[]> {
  const heads = branchHeadsOnce(git);
  return mapLimit(worktreeOwners(specs), limit, ({ owner, sharedBy }) => inspectWorktree(git, stateDir, owner, sharedBy, undefined, heads));
}

/** What the run report says of a worktree: commits and lines since its base commit, and its last land. */
export async function reportOf(git: WorktreeGit, stateDir: string, owner: AgentSpec): Promise<WorktreeReport | null> {
  const meta = readMeta(stateDir, owner.id);
  if (!meta || meta.state !== 'ready') return null;
  const info = await inspectWorktree(git, stateDir, owner, []);
  let commits = 0;
  let lines = { files: 0, added: 0, deleted: 0 };
  if (info.head !== null) {
    commits = (await git.aheadBehind(meta.repo, meta.base.commit, info.head)).ahead;
    lines = sumNumstat(await git.diffNumstat(meta.repo, meta.base.commit, info.head));
  }
  return {
    owner: owner.id,
    branch: meta.branch,
    commits,
    files: lines.files + info.uncommitted.files,
    added: lines.added + info.uncommitted.added,
    deleted: lines.deleted + info.uncommitted.deleted,
    landed: meta.landed ? { at: meta.landed.at, how: meta.landed.how, into: meta.landed.into } : null,
    merged: info.merged,
  };
}
