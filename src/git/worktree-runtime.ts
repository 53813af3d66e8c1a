/**
 * The supervisor's side of agents' worktrees (docs/worktrees.md), behind the runner's
 * worktrees port (supervisor/ports.ts): a start makes the
 * worktree whole and runs the agent in it; a handoff learns the sender's branch and head;
 * the grid's branch column is kept current without polling git every pulse: a worktree is
 * read again when its own reflog or index changed, when the branch it lands into moved,
 * when its agent was busy since the last read (at most every BUSY_READ_MS), and otherwise
 * every IDLE_READ_MS. Reads run one at a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentSpec } from '../config/types.js';
import type { WorktreeGit } from './worktree-git.js';
import { branchHeadsOnce, inspectAll, inspectWorktree, worktreeOwners, type WorktreeInfo } from './worktree-inspect.js';
import { land, type LandOutcome } from './worktree-land.js';
import { readMeta } from './worktree-meta.js';
import { cwdInside, WorktreePreparer, type Prepared } from './worktree-prepare.js';

const BUSY_READ_MS = 15_000;
const IDLE_READ_MS = 300_000;

export interface WorktreeRuntimeDeps {
  git: WorktreeGit;
  stateDir: string;
  specs: readonly AgentSpec[];
  logFile(agentId: string): string;
  env?: NodeJS.ProcessEnv;
}

interface Watched {
  owner: AgentSpec;
  sharedBy: string[];
  info: WorktreeInfo | null;
  stamp: string;
  readAt: number;
  gitDir: string | null;
}

export class WorktreeRuntime {
  private readonly preparer: WorktreePreparer;
  private readonly byId: Map<string, AgentSpec>;
  private readonly watched = new Map<string, Watched>();
  private reading: Promise<void> | null = null;
  private closed = false;
  /** starts making worktrees now: reading them waits (git's CPU goes to the starts first) */
  private preparing = 0;

  constructor(private readonly d: WorktreeRuntimeDeps) {
    this.byId = new Map(d.specs.map((s) => [s.id, s]));
    this.preparer = new WorktreePreparer({ git: d.git, stateDir: d.stateDir, spec: (id) => this.byId.get(id), logFile: d.logFile, env: d.env });
    for (const { owner, sharedBy } of worktreeOwners(d.specs)) this.watched.set(owner.id, { owner, sharedBy, info: null, stamp: '', readAt: -Infinity, gitDir: null });
  }

  /** True when some agent has a worktree. */
  get active(): boolean {
    return this.watched.size > 0;
  }

  /**
   * The folder the agent starts in: its own folder, or (with a worktree) the same folder
   * inside its worktree, made whole first, and what was done to it (for the event line).
   * Throws (the launch fails) when it cannot be.
   */
  async cwdFor(spec: AgentSpec): Promise<{ cwd: string; notes: string[] }> {
    if (!spec.worktree) return { cwd: spec.cwd, notes: [] };
    let prepared: Prepared;
    this.preparing++;
    try {
      prepared = await this.preparer.prepare(spec);
    } catch (err) {
      const hint = (err as { hint?: string | null }).hint;
      throw new Error(`worktree: ${(err as Error).message}${hint ? ` (${hint})` : ''}`);
    } finally {
      this.preparing--;
    }
    const w = this.watched.get(spec.worktree.owner);
    if (w) w.stamp = ''; // read it again at the next pulse
    return { cwd: prepared.cwd, notes: prepared.notes };
  }

  /** Where the agent runs when its worktree exists (no git, no changes): for watching its commits. */
  knownCwd(spec: AgentSpec): string {
    const owner = spec.worktree?.owner;
    const meta = owner ? readMeta(this.d.stateDir, owner) : null;
    return meta && meta.state === 'ready' && fs.existsSync(meta.path) ? cwdInside(meta.repo, meta.path, spec.cwd) : spec.cwd;
  }

  /** Ends a setup that runs for the agent's worktree (it is being stopped). */
  abortSetup(agentId: string): void {
    if (this.byId.get(agentId)?.worktree) this.preparer.abortSetup(agentId);
  }

  /** The sender's branch and head commit, for a handoff; null without a worktree. */
  async headOf(agentId: string): Promise<{ branch: string; commit: string | null } | null> {
    const owner = this.byId.get(agentId)?.worktree?.owner;
    const meta = owner ? readMeta(this.d.stateDir, owner) : null;
    if (!meta) return null;
    const commit = await this.d.git.branchHead(meta.repo, meta.branch).catch(() => null);
    return { branch: meta.branch, commit };
  }

  /**
   * `land` asked of the supervisor (the TUI's `L`): the owner's branch into its base branch
   * (docs/commands.md); refuses, changing nothing, with a typed error.
   */
  async land(ownerId: string, opts: { squash: boolean; into: string | null; checkins: readonly string[] }): Promise<LandOutcome> {
    const owner = this.byId.get(ownerId);
    if (!owner?.worktree) throw new Error(`${ownerId} has no worktree`);
    const outcome = await land(this.d.git, this.d.stateDir, { owner, squash: opts.squash, into: opts.into, checkins: [...opts.checkins] });
    const w = this.watched.get(ownerId);
    if (w) w.stamp = '';
    return outcome;
  }

  /** Each agent's worktree as last read (sharers see their owner's). */
  infos(): Map<string, WorktreeInfo> {
    const out = new Map<string, WorktreeInfo>();
    for (const spec of this.d.specs) {
      const info = spec.worktree ? this.watched.get(spec.worktree.owner)?.info : null;
      if (info) out.set(spec.id, info);
    }
    return out;
  }

  /** One pulse: reads again the worktrees that changed (in the background, one at a time). */
  observe(now: number, busySince: (agentId: string) => number | null): void {
    if (this.reading || this.closed || this.watched.size === 0 || this.preparing > 0) return;
    const due = [...this.watched.values()].filter((w) => {
      const busy = [w.owner.id, ...w.sharedBy].some((id) => (busySince(id) ?? -Infinity) > w.readAt);
      return this.stampOf(w) !== w.stamp || (busy && now - w.readAt >= BUSY_READ_MS) || now - w.readAt >= IDLE_READ_MS;
    });
    if (due.length === 0) return;
    this.reading = (async () => {
      const heads = branchHeadsOnce(this.d.git);
      for (const w of due) {
        if (this.closed) return;
        const stamp = this.stampOf(w);
        try {
          w.info = await inspectWorktree(this.d.git, this.d.stateDir, w.owner, w.sharedBy, undefined, heads);
        } catch {
          // git failed (the repository is being changed): read again next time
        }
        w.stamp = stamp;
        w.readAt = now;
      }
    })().finally(() => {
      this.reading = null;
    });
  }

  /** Resolves once the reads under way are done. */
  async settle(): Promise<void> {
    await this.reading;
  }

  close(): void {
    this.closed = true;
  }

  /** What changes when the worktree or its target changes: its reflog, index, HEAD, the target's reflog. */
  private stampOf(w: Watched): string {
    const meta = readMeta(this.d.stateDir, w.owner.id);
    if (!meta) return 'none';
    if (w.gitDir === null && fs.existsSync(path.join(meta.path, '.git'))) w.gitDir = gitDirOf(meta.path);
    const common = gitDirOf(meta.repo);
    const files = [
      path.join(meta.path, '.git'),
      ...(w.gitDir ? [path.join(w.gitDir, 'logs', 'HEAD'), path.join(w.gitDir, 'index'), path.join(w.gitDir, 'HEAD')] : []),
      ...(common && meta.base.branch ? [path.join(common, 'logs', 'refs', 'heads', meta.base.branch), path.join(common, 'refs', 'heads', meta.base.branch)] : []),
      ...(common ? [path.join(common, 'logs', 'refs', 'heads', meta.branch), path.join(common, 'packed-refs')] : []),
    ];
    return [meta.state, meta.landed?.at ?? '', ...files.map(statStamp)].join('|');
  }
}

function statStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** A checkout's git folder, read from its `.git` (a folder, or a file `gitdir: …` in a linked worktree). */
function gitDirOf(checkout: string): string | null {
  const dotGit = path.join(checkout, '.git');
  try {
    if (fs.statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    return m ? path.resolve(checkout, (m[1] as string).trim()) : null;
  } catch {
    return null;
  }
}

/**
 * Every agent's worktree read from git and the worktrees' records now, without a
 * supervisor (`muster status` offline): agents with `share` see their owner's.
 */
export async function readWorktreeInfos(git: WorktreeGit, stateDir: string, specs: readonly AgentSpec[]): Promise<Map<string, WorktreeInfo>> {
  const byOwner = new Map((await inspectAll(git, stateDir, specs)).map((i) => [i.agent, i]));
  const out = new Map<string, WorktreeInfo>();
  for (const spec of specs) {
    const info = spec.worktree ? byOwner.get(spec.worktree.owner) : undefined;
    if (info) out.set(spec.id, info);
  }
  return out;
}
