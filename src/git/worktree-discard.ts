/**
 * `muster discard AGENT [--force]` (docs/worktrees.md): removes the agent's worktree and
 * its branch. Without `--force` it refuses while the branch holds commits that are not
 * merged or the folder holds uncommitted changes; it always refuses while an agent runs in
 * the worktree. A refusal changes nothing.
 */
import * as fs from 'node:fs';
import type { AgentSpec } from '../config/types.js';
import { MusterError } from '../errors.js';
import type { WorktreeGit } from './worktree-git.js';
import { discardDecision } from './worktree-policy.js';
import { inspectWorktree } from './worktree-inspect.js';
import { readMeta, removeMeta, short } from './worktree-meta.js';
import { samePath } from './worktree-prepare.js';

export class DiscardRefused extends MusterError {}

export interface DiscardRequest {
  owner: AgentSpec;
  sharedBy: string[];
  /** ids of agents whose processes run now */
  running: readonly string[];
  force: boolean;
}

export async function discard(git: WorktreeGit, stateDir: string, req: DiscardRequest): Promise<string> {
  const agent = req.owner.id;
  const meta = readMeta(stateDir, agent);
  if (!meta) throw new DiscardRefused(`${agent} has no worktree to discard`, { hint: 'See `muster worktrees`.' });
  const info = await inspectWorktree(git, stateDir, req.owner, req.sharedBy);
  const decision = discardDecision({
    agent,
    branch: meta.branch,
    running: [agent, ...req.sharedBy].filter((id) => req.running.includes(id)),
    force: req.force,
    branchExists: info.head !== null,
    merged: info.merged,
    ahead: info.ahead,
    into: info.into,
    uncommitted: info.dirty,
  });
  if (decision.kind === 'refuse') throw new DiscardRefused(decision.reason, { hint: decision.hint });
  const repo = meta.repo;
  const registered = (await git.listWorktrees(repo)).some((e) => samePath(e.path, meta.path));
  if (registered) {
    await git.unlockWorktree(repo, meta.path);
    await git.removeWorktree(repo, meta.path, true);
  }
  fs.rmSync(meta.path, { recursive: true, force: true });
  await git.pruneWorktrees(repo);
  if (info.head !== null) await git.deleteBranch(repo, meta.branch, info.head);
  removeMeta(stateDir, agent);
  const kept = info.head === null ? '' : ` (its last commit was ${short(info.head)}; \`git branch ${meta.branch} ${short(info.head)}\` brings the branch back while git keeps the commit)`;
  return `${agent}: worktree ${meta.path} and branch ${meta.branch} removed${kept}`;
}
