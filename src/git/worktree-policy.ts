/**
 * The decisions about agents' worktrees (docs/worktrees.md), as pure functions of what
 * git showed: what a start must do to have a whole worktree, whether a branch counts as
 * merged, whether `land` may go ahead (and how), whether `discard` may. The service
 * (worktree-service.ts) gathers the facts and carries the decision out.
 */

/** How a land went (or would go). */
export type LandHow = 'fast-forward' | 'merge' | 'squash';

/** What a land left behind, recorded beside the worktree. */
export interface LandedRecord {
  /** the agent's branch head that was landed */
  commit: string;
  into: string;
  how: LandHow;
  /** the commit the target branch moved to */
  result: string;
  /** ISO 8601 */
  at: string;
}

// ---------------------------------------------------------------------------------------
// Start: from whatever state the last run left, to a whole worktree.

/** What a start finds. */
export interface PrepareFacts {
  /** the record beside the worktree: none, or written before `git worktree add` and after it */
  meta: 'none' | 'creating' | 'ready';
  /** git lists a worktree at the path; `initializing` when it is locked as `git worktree add` leaves it while at work */
  registered: 'no' | 'yes' | 'initializing';
  folderExists: boolean;
  /** the agent's branch exists */
  branchExists: boolean;
}

export type PrepareStep =
  /** the worktree is whole */
  | { kind: 'ready' }
  /** `git worktree add` finished but its record was not written: record it and go on */
  | { kind: 'adopt' }
  /** make it: `git worktree add` (a new branch at the base, or the existing branch), after clearing a half-made one */
  | { kind: 'create'; clearHalfMade: boolean }
  /** the folder was removed by hand: prune git's record, check the branch out again */
  | { kind: 'restore-folder' }
  /** the branch was deleted by hand: recreate it where the worktree's own reflog last had it */
  | { kind: 'restore-branch' }
  /** something muster must not touch: fail the start and say why */
  | { kind: 'refuse'; reason: string; hint: string };

const UNKNOWN_FOLDER_HINT = 'Move the folder away (or run `git worktree repair <folder>` in the repository); muster does not touch it.';

/**
 * A worktree's record says `creating` from before `git worktree add` until after it (and
 * before the agent first runs in it), so whatever such a worktree holds is git's own
 * half-made checkout, safe to clear. A `ready` one holds the agent's work: it is only
 * ever restored, never cleared.
 */
export function prepareStep(f: PrepareFacts): PrepareStep {
  if (f.meta !== 'ready') {
    if (f.registered === 'initializing') return { kind: 'create', clearHalfMade: true };
    if (f.registered === 'yes') return f.folderExists ? { kind: 'adopt' } : { kind: 'create', clearHalfMade: true };
    if (!f.folderExists) return { kind: 'create', clearHalfMade: false };
    if (f.meta === 'creating') return { kind: 'create', clearHalfMade: true };
    return { kind: 'refuse', reason: 'a folder muster did not make is in the way of its worktree', hint: UNKNOWN_FOLDER_HINT };
  }
  if (!f.folderExists) return { kind: 'restore-folder' };
  if (f.registered === 'no') {
    return { kind: 'refuse', reason: 'its worktree folder exists but git no longer knows it as a worktree', hint: UNKNOWN_FOLDER_HINT };
  }
  if (f.registered === 'initializing') return { kind: 'refuse', reason: 'its worktree is locked by a `git worktree add` that did not finish', hint: 'Run `git worktree unlock <folder>` once no git command works on it.' };
  if (!f.branchExists) return { kind: 'restore-branch' };
  return { kind: 'ready' };
}

// ---------------------------------------------------------------------------------------
// Merged or not.

export interface MergedFacts {
  /** commits on the branch that the target lacks */
  ahead: number;
  branchHead: string | null;
  /** the commit the branch started from: a branch still there holds no work, so it is not "merged" */
  baseCommit: string | null;
  /** the last land into the same target */
  landed: LandedRecord | null;
}

/**
 * Merged: the branch has work and every commit of it is in the target, or this very head
 * was landed (a squash leaves no ancestry behind).
 */
export function isMerged(f: MergedFacts): boolean {
  if (f.branchHead === null) return false;
  if (f.landed?.commit === f.branchHead) return true;
  return f.ahead === 0 && f.branchHead !== f.baseCommit;
}

// ---------------------------------------------------------------------------------------
// Land.

export interface LandFacts {
  agent: string;
  branch: string;
  branchHead: string | null;
  /** the target branch (from --into, else the branch the agent was started from), or null when unknown */
  into: string | null;
  intoHead: string | null;
  /** uncommitted paths in the agent's worktree (tracked changes and untracked files) */
  uncommitted: readonly string[];
  ahead: number;
  squash: boolean;
  landed: LandedRecord | null;
  /** the checkout that has the target branch checked out, if any */
  target: { path: string; dirty: readonly string[]; midOperation: string | null } | null;
  /** the target head is an ancestor of the branch head */
  canFastForward: boolean;
  /** merging the branch into the target, computed without touching anything */
  preview: { clean: true } | { clean: false; conflicts: readonly string[] } | { unrelated: true } | null;
}

export type LandDecision =
  | { kind: 'refuse'; reason: string; hint: string; usage?: boolean }
  | { kind: 'nothing'; message: string }
  | { kind: 'land'; how: LandHow };

const listed = (paths: readonly string[], max = 8) =>
  paths.length <= max ? paths.join(', ') : `${paths.slice(0, max).join(', ')} and ${paths.length - max} more`;

const andList = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export function landDecision(f: LandFacts): LandDecision {
  if (f.branchHead === null) {
    return { kind: 'refuse', reason: `${f.agent}'s branch ${f.branch} does not exist`, hint: `Start the agent again (\`muster restart ${f.agent}\`): its branch is recreated from its worktree.` };
  }
  if (f.into === null) {
    return { kind: 'refuse', usage: true, reason: `there is no branch to land ${f.agent} into: it was started from a detached checkout`, hint: `Name one: \`muster land ${f.agent} --into BRANCH\`.` };
  }
  if (f.intoHead === null) {
    return { kind: 'refuse', usage: true, reason: `there is no branch ${JSON.stringify(f.into)} to land ${f.agent} into`, hint: `Name an existing branch with --into (see \`git branch\`).` };
  }
  if (f.into === f.branch) return { kind: 'refuse', usage: true, reason: `${f.branch} cannot be landed into itself`, hint: 'Name another branch with --into.' };
  if (f.uncommitted.length > 0) {
    return {
      kind: 'refuse',
      reason: `${f.agent} has uncommitted changes (${f.uncommitted.length} file${f.uncommitted.length === 1 ? '' : 's'}: ${listed(f.uncommitted)})`,
      hint: `Ask it to commit (\`muster send ${f.agent} "Please commit your work"\`, or \`n\` in the TUI), then land again.`,
    };
  }
  if (f.ahead === 0 || (f.landed?.commit === f.branchHead && f.landed.into === f.into)) {
    return { kind: 'nothing', message: `${f.agent} has nothing to land: ${f.branch} holds no commit that ${f.into} lacks` };
  }
  if (f.target?.midOperation) {
    return { kind: 'refuse', reason: `the checkout of ${f.into} (${f.target.path}) is in the middle of a ${f.target.midOperation}`, hint: 'Finish or abort it there first; muster changed nothing.' };
  }
  if (f.target && f.target.dirty.length > 0) {
    return {
      kind: 'refuse',
      reason: `the checkout of ${f.into} (${f.target.path}) has uncommitted changes (${listed(f.target.dirty)})`,
      hint: 'Commit or stash them first (git stash), then land again; muster changed nothing.',
    };
  }
  if (f.preview && 'unrelated' in f.preview) {
    return { kind: 'refuse', reason: `${f.branch} and ${f.into} have no history in common`, hint: 'The branch was moved by hand; look at it with `git log` before landing it yourself.' };
  }
  if (f.preview && !f.preview.clean) {
    return {
      kind: 'refuse',
      reason: `landing ${f.branch} into ${f.into} would conflict in ${listed(f.preview.conflicts, 20)}`,
      hint: `Ask ${f.agent} to merge ${f.into} into its branch and resolve them, or merge it yourself (git merge ${f.branch}); muster changed nothing.`,
    };
  }
  if (f.squash) return { kind: 'land', how: 'squash' };
  return { kind: 'land', how: f.canFastForward ? 'fast-forward' : 'merge' };
}

// ---------------------------------------------------------------------------------------
// Discard.

export interface DiscardFacts {
  agent: string;
  branch: string;
  /** agents (this one and those sharing its worktree) whose processes run now */
  running: readonly string[];
  force: boolean;
  branchExists: boolean;
  merged: boolean;
  ahead: number;
  /** the target the commits count against, or null when unknown */
  into: string | null;
  uncommitted: readonly string[];
}

export type DiscardDecision = { kind: 'refuse'; reason: string; hint: string } | { kind: 'discard' };

export function discardDecision(f: DiscardFacts): DiscardDecision {
  if (f.running.length > 0) {
    return {
      kind: 'refuse',
      reason: `${andList(f.running)} ${f.running.length === 1 ? 'runs' : 'run'} in ${f.agent}'s worktree`,
      hint: `Stop ${f.running.length === 1 ? 'it' : 'them'} first (\`muster stop ${f.running.join(' ')}\`).`,
    };
  }
  if (f.force) return { kind: 'discard' };
  const lost: string[] = [];
  if (f.branchExists && !f.merged && f.ahead > 0) lost.push(`${f.ahead} commit${f.ahead === 1 ? '' : 's'} not in ${f.into ?? 'its base'}`);
  if (f.uncommitted.length > 0) lost.push(`${f.uncommitted.length} uncommitted file${f.uncommitted.length === 1 ? '' : 's'} (${listed(f.uncommitted)})`);
  if (lost.length === 0) return { kind: 'discard' };
  return {
    kind: 'refuse',
    reason: `${f.agent}'s worktree holds ${lost.join(' and ')}`,
    hint: `Land it first (\`muster land ${f.agent}\`), or throw the work away with \`muster discard ${f.agent} --force\`.`,
  };
}
