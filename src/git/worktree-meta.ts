/**
 * Where an agent's worktree lives and what muster remembers of it (docs/worktrees.md):
 * `.muster/worktrees/<team>/<agent>/` on branch `muster/<team>/<agent>`, and beside it
 * `<agent>.json`, written atomically: `creating` before `git worktree add`, `ready` once
 * the worktree is whole (before the agent first runs in it), then the setup's outcome and
 * the last land.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../sys/atomic-file.js';
import type { LandedRecord } from './worktree-policy.js';

export interface WorktreeMeta {
  version: 1;
  /** `team/agent` of the owner */
  agent: string;
  /** the top folder of the user's checkout the worktree was made from */
  repo: string;
  path: string;
  branch: string;
  base: {
    /** `base` as written, or null (the checkout's commit at the first start) */
    rev: string | null;
    /** the commit the branch started from */
    commit: string;
    /** the branch `land` goes into by default: `base` when it names a branch, else the branch the checkout was on; null when detached */
    branch: string | null;
  };
  state: 'creating' | 'ready';
  /** `setup` not run yet (or it failed), run, or there is none */
  setup: 'pending' | 'done' | 'none';
  /** ISO 8601 */
  created: string;
  landed: LandedRecord | null;
}

/** A commit as people read it: its first 7 digits. */
export function short(sha: string): string {
  return sha.slice(0, 7);
}

/** `muster/<team>/<agent>` */
export function branchFor(agentId: string): string {
  return `muster/${agentId}`;
}

/** `.muster/worktrees` */
export function worktreesRoot(stateDir: string): string {
  return path.join(stateDir, 'worktrees');
}

/** `.muster/worktrees/<team>/<agent>` */
export function worktreeDir(stateDir: string, agentId: string): string {
  const [team = '', name = ''] = agentId.split('/');
  return path.join(worktreesRoot(stateDir), team, name);
}

/** `.muster/worktrees/<team>/<agent>.json` */
export function metaFile(stateDir: string, agentId: string): string {
  return `${worktreeDir(stateDir, agentId)}.json`;
}

/** The record, or null when there is none (or it cannot be read as one). */
export function readMeta(stateDir: string, agentId: string): WorktreeMeta | null {
  let text: string;
  try {
    text = fs.readFileSync(metaFile(stateDir, agentId), 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as WorktreeMeta;
    return v && v.version === 1 && typeof v.branch === 'string' && typeof v.base?.commit === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function writeMeta(stateDir: string, meta: WorktreeMeta): void {
  const file = metaFile(stateDir, meta.agent);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(meta, null, 2)}\n`);
}

export function removeMeta(stateDir: string, agentId: string): void {
  fs.rmSync(metaFile(stateDir, agentId), { force: true });
}
