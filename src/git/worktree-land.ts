/**
 * `muster land AGENT [--squash] [--into BRANCH]` (docs/worktrees.md): the agent's branch
 * into its base branch. Every variant comes down to one new commit for the target (the
 * branch head itself when it fast-forwards; a merge or squash commit built from the
 * merged tree, which `git merge-tree` computes without touching any checkout) and one
 * fast-forward of the target to it: `git merge --ff-only` where the target is checked
 * out (git refuses as a whole or moves as a whole), else a ref update that fails if the
 * target moved meanwhile. So a refusal changes nothing, and the user's checkout is never
 * left in the middle of a merge.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentSpec } from '../config/types.js';
import { MusterError } from '../errors.js';
import type { WorktreeGit } from './worktree-git.js';
import { landDecision, type LandFacts, type LandHow } from './worktree-policy.js';
import { inspectWorktree } from './worktree-inspect.js';
import { readMeta, short, writeMeta } from './worktree-meta.js';

export interface LandRequest {
  owner: AgentSpec;
  squash: boolean;
  into: string | null;
  /** the agent's check-ins and done messages, oldest first (for a squash commit's message) */
  checkins: readonly string[];
  now?: () => Date;
}

export type LandOutcome =
  | { kind: 'landed'; how: LandHow; agent: string; branch: string; into: string; from: string; commit: string; message: string }
  | { kind: 'nothing'; agent: string; message: string };

/** A refused land: nothing was changed. Exit 2 for a bad `--into`, 1 otherwise. */
export class LandRefused extends MusterError {}

const MID_OPERATIONS: [string, string][] = [
  ['MERGE_HEAD', 'merge'],
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
];

/** The message of a squash commit: the agent's last word as title, then its commits and check-ins. */
export function squashMessage(agent: string, branch: string, subjects: readonly string[], checkins: readonly string[]): string {
  const last = checkins[checkins.length - 1] ?? subjects[subjects.length - 1] ?? `work of ${agent}`;
  const title = `${agent}: ${last.split('\n')[0]}`.slice(0, 100);
  const parts = [title, '', `Squashed from ${branch} (${subjects.length} commit${subjects.length === 1 ? '' : 's'}) by muster land --squash.`];
  if (subjects.length > 0) parts.push('', 'Commits:', ...subjects.map((s) => `- ${s}`));
  if (checkins.length > 0) parts.push('', 'Check-ins:', ...checkins.map((c) => `- ${c.replace(/\n+/g, ' ')}`));
  return `${parts.join('\n')}\n`;
}

export async function land(git: WorktreeGit, stateDir: string, req: LandRequest): Promise<LandOutcome> {
  const agent = req.owner.id;
  const meta = readMeta(stateDir, agent);
  if (!meta || meta.state !== 'ready') {
    throw new LandRefused(`${agent} has no worktree yet (it is made at the agent's first start)`, { hint: 'Start the agent first (`muster up`).' });
  }
  const into = req.into ?? meta.base.branch;
  const info = await inspectWorktree(git, stateDir, req.owner, [], into ?? undefined);
  const repo = meta.repo;
  const intoHead = into === null ? null : await git.branchHead(repo, into);
  const head = info.head;
  const checkout = into === null ? null : ((await git.listWorktrees(repo)).find((e) => e.branch === `refs/heads/${into}`) ?? null);
  let target: LandFacts['target'] = null;
  if (checkout) {
    const dirty = (await git.status(checkout.path, false)).map((s) => s.path);
    const gitDir = await git.gitDir(checkout.path);
    const mid = MID_OPERATIONS.find(([file]) => fs.existsSync(path.join(gitDir, file)))?.[1] ?? null;
    target = { path: checkout.path, dirty, midOperation: mid };
  }
  const canFastForward = head !== null && intoHead !== null && (await git.isAncestor(repo, intoHead, head));
  const needsTree = head !== null && intoHead !== null && info.ahead > 0 && info.dirty.length === 0 && (req.squash || !canFastForward);
  const preview = needsTree ? await git.mergePreview(repo, intoHead, head) : null;
  const facts: LandFacts = {
    agent,
    branch: meta.branch,
    branchHead: head,
    into,
    intoHead,
    uncommitted: info.dirty,
    ahead: info.ahead,
    squash: req.squash,
    landed: meta.landed,
    target,
    canFastForward,
    preview: preview === null ? null : 'unrelated' in preview ? { unrelated: true } : preview.clean ? { clean: true } : { clean: false, conflicts: preview.conflicts },
  };
  const decision = landDecision(facts);
  if (decision.kind === 'refuse') throw new LandRefused(decision.reason, { hint: decision.hint, exitCode: decision.usage ? 2 : 1 });
  if (decision.kind === 'nothing') return { kind: 'nothing', agent, message: decision.message };
  const from = head as string;
  const base = intoHead as string;
  const target_ = into as string;
  const tree = preview && 'tree' in preview ? preview.tree : null;
  let commit: string;
  let title = '';
  if (decision.how === 'fast-forward') commit = from;
  else if (decision.how === 'merge') {
    commit = await git.commitTree(repo, tree as string, [base, from], `Merge branch '${meta.branch}' into ${target_}\n\nLanded with muster land ${agent}.\n`);
  } else {
    const subjects = await git.subjects(repo, base, from);
    const message = squashMessage(agent, meta.branch, subjects, req.checkins);
    title = ` as "${message.split('\n')[0]}"`;
    commit = await git.commitTree(repo, tree as string, [base], message);
  }
  if (checkout) {
    const r = await git.fastForward(checkout.path, commit);
    if (r.code !== 0) {
      const said = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter(Boolean);
      throw new LandRefused(`git refused to move the checkout of ${target_} (${checkout.path}): ${said.slice(0, 6).join(' ')}`, {
        hint: 'Nothing was changed. Move or commit the files git names, then land again.',
      });
    }
  } else if (!(await git.updateRef(repo, `refs/heads/${target_}`, commit, base, `muster land ${agent}`))) {
    throw new LandRefused(`${target_} moved while ${agent} was being landed`, { hint: 'Nothing was changed; run the land again.' });
  }
  const at = (req.now?.() ?? new Date()).toISOString();
  writeMeta(stateDir, { ...meta, landed: { commit: from, into: target_, how: decision.how, result: commit, at } });
  const what = { 'fast-forward': 'fast-forwarded', merge: 'merged', squash: 'squashed' }[decision.how];
  return {
    kind: 'landed',
    how: decision.how,
    agent,
    branch: meta.branch,
    into: target_,
    from,
    commit,
    message: `${agent} landed: ${meta.branch} ${what} into ${target_}${title} (${info.ahead} commit${info.ahead === 1 ? '' : 's'}; ${target_} now at ${short(commit)})`,
  };
}
