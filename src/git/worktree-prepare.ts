/**
 * Making an agent's worktree whole before it starts (docs/worktrees.md): created at the
 * first start (`git worktree add` on `muster/<team>/<agent>` from the base), kept ever
 * after, and repaired from whatever a crash or a hand left: a `git worktree add` cut off
 * half-way is cleared and made again, a folder removed by hand is checked out again from
 * its branch, a branch deleted by hand is recreated from the worktree's own reflog. The
 * decisions are policy.ts's; this module gathers the facts and carries them out. One
 * start at a time per worktree (an owner and the agents sharing it may start together).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentSpec } from '../config/types.js';
import { MusterError } from '../errors.js';
import { relativeInside } from '../sys/inside-dir.js';
import type { WorktreeGit } from './worktree-git.js';
import { copyIncludes } from './worktree-include.js';
import { prepareStep, type PrepareFacts } from './worktree-policy.js';
import { runSetup } from './worktree-setup.js';
import { branchFor, readMeta, short, worktreeDir, writeMeta, type WorktreeMeta } from './worktree-meta.js';

/** A start that cannot have its worktree: the launch fails with this message. */
export class WorktreeError extends MusterError {}

export interface PreparerDeps {
  git: WorktreeGit;
  stateDir: string;
  /** the spec of an agent by id (the owner of a shared worktree) */
  spec(id: string): AgentSpec | undefined;
  /** the agent's log, where a setup's output goes */
  logFile(agentId: string): string;
  /** the environment setup commands get (the agent's `env` is added) */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** The worktree an agent starts in. */
export interface Prepared {
  /** the folder the agent starts in (its `cwd`, moved into the worktree) */
  cwd: string;
  /** the worktree's top folder */
  dir: string;
  branch: string;
  /** what was done, for the event line (nothing when the worktree was whole) */
  notes: string[];
}

const STRIPPED = ['TMUX', 'TMUX_PANE', 'CLAUDECODE'];

/** Is `p` the same folder as `q` (through links, when they exist)? */
export function samePath(p: string, q: string): boolean {
  const real = (x: string) => {
    try {
      return fs.realpathSync(x);
    } catch {
      return path.resolve(x);
    }
  };
  return path.resolve(p) === path.resolve(q) || real(p) === real(q);
}

/** `cwd` moved from the user's checkout `repo` into the worktree `dir` (its top, when outside the repository). */
export function cwdInside(repo: string, dir: string, cwd: string): string {
  const rel = relativeInside(repo, cwd);
  return rel ? path.join(dir, rel) : dir;
}

export class WorktreePreparer {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly excluded = new Map<string, Promise<void>>();
  /** the repository top of each agent folder (asked once per folder while a repository holds it) */
  private readonly tops = new Map<string, Promise<string | null>>();
  private readonly setups = new Map<string, AbortController>();

  constructor(private readonly d: PreparerDeps) {}

  /** Makes the agent's worktree whole (its owner's, for a share) and says where the agent starts. */
  async prepare(spec: AgentSpec): Promise<Prepared> {
    const wt = spec.worktree;
    if (!wt) throw new WorktreeError(`${spec.id} has no worktree`);
    const owner = wt.mode === 'own' ? spec : this.d.spec(wt.owner);
    if (!owner?.worktree) throw new WorktreeError(`${spec.id} shares the worktree of ${wt.owner}, which has none`);
    const made = await this.serial(owner.id, () => this.ensure(owner));
    const sharing = owner.id === spec.id ? [] : [`in the worktree of ${owner.id}`];
    return { cwd: cwdInside(made.repo, made.dir, spec.cwd), dir: made.dir, branch: made.branch, notes: [...made.notes, ...(made.notes.length ? sharing : [])] };
  }

  /** Ends a setup that runs for this agent's worktree (the agent is being stopped). */
  abortSetup(agentId: string): void {
    const spec = this.d.spec(agentId);
    const owner = spec?.worktree?.owner ?? agentId;
    this.setups.get(owner)?.abort();
  }

  /** One job at a time per key. */
  private serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const before = this.chains.get(key) ?? Promise.resolve();
    const run = before.then(job, job);
    const settled = run.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return run;
  }

  /**
   * The git part runs one worktree at a time per repository: `git worktree add` reads
   * every worktree's record, and one that another add is still writing makes it fail
   * ("failed to read .git/worktrees/<id>/commondir"). The setup runs outside that turn.
   */
  private async ensure(owner: AgentSpec): Promise<{ repo: string; dir: string; branch: string; notes: string[] }> {
    const repo = await this.toplevel(owner.cwd);
    if (repo === null) throw new WorktreeError(`${owner.cwd} is not in a git repository (worktree: own needs one)`, { hint: 'Run `git init` and commit there, or set worktree: off.' });
    const made = await this.serial(`repo:${repo}`, () => this.ensureInRepo(owner, repo));
    const meta = readMeta(this.d.stateDir, owner.id);
    if (meta && meta.setup === 'pending') await this.setup(owner, meta, made.dir, made.notes);
    return made;
  }

  private async ensureInRepo(owner: AgentSpec, repo: string): Promise<{ repo: string; dir: string; branch: string; notes: string[] }> {
    const { git, stateDir } = this.d;
    const wt = owner.worktree as NonNullable<AgentSpec['worktree']>;
    const dir = worktreeDir(stateDir, owner.id);
    const branch = branchFor(owner.id);
    const notes: string[] = [];
    let meta = readMeta(stateDir, owner.id);
    const entry = git.registrationOf(await this.commonDir(repo), dir);
    const branchHead = await git.branchHead(repo, branch);
    const facts: PrepareFacts = {
      meta: meta?.state ?? 'none',
      registered: entry === null ? 'no' : entry.locked !== null && /initializing/.test(entry.locked) ? 'initializing' : 'yes',
      folderExists: fs.existsSync(dir),
      branchExists: branchHead !== null,
    };
    const step = prepareStep(facts);
    if (step.kind !== 'ready' && step.kind !== 'refuse') await this.exclude(repo);
    switch (step.kind) {
      case 'refuse':
        throw new WorktreeError(`${owner.id}: ${step.reason} (${dir})`, { hint: step.hint });
      case 'ready':
        break;
      case 'adopt':
        meta = await this.record(repo, owner, meta, 'ready');
        await this.includes(repo, dir, wt.include, notes);
        writeMeta(stateDir, meta);
        notes.push(`worktree ${dir} on ${branch} taken up (its creation had not been recorded)`);
        break;
      case 'create': {
        if (step.clearHalfMade) {
          await this.clearHalfMade(repo, dir, entry !== null);
          notes.push('a half-made worktree (an interrupted `git worktree add`) was cleared');
        }
        meta = await this.record(repo, owner, meta?.state === 'creating' ? meta : null, 'creating');
        writeMeta(stateDir, meta);
        const existing = step.clearHalfMade ? await git.branchHead(repo, branch) : branchHead;
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        await git.addWorktree(repo, dir, branch, existing === null ? meta.base.commit : null);
        await this.includes(repo, dir, wt.include, notes);
        meta = { ...meta, state: 'ready' };
        writeMeta(stateDir, meta);
        const from = existing === null ? `from ${short(meta.base.commit)}${meta.base.rev ? ` (${meta.base.rev})` : meta.base.branch ? ` (${meta.base.branch})` : ''}` : `on its existing branch at ${short(existing)}`;
        notes.push(`worktree created: ${branch} ${from} in ${dir}`);
        break;
      }
      case 'restore-folder': {
        const last = entry ? git.reflogHead(entry.admin) : null;
        await git.pruneWorktrees(repo);
        let head = await git.branchHead(repo, branch);
        if (head === null) {
          head = last ?? (meta as WorktreeMeta).base.commit;
          await git.createBranch(repo, branch, head);
        }
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        await git.addWorktree(repo, dir, branch, null);
        await this.includes(repo, dir, wt.include, notes);
        if (meta && wt.setup) meta = { ...meta, setup: 'pending' };
        if (meta) writeMeta(stateDir, meta);
        notes.push(`its worktree folder was gone (removed by hand): ${branch} checked out again at ${short(head)}; uncommitted changes in the old folder are lost`);
        break;
      }
      case 'restore-branch': {
        const head = (entry ? git.reflogHead(entry.admin) : null) ?? (meta as WorktreeMeta).base.commit;
        await git.createBranch(repo, branch, head);
        notes.push(`its branch ${branch} was gone (deleted by hand): recreated at ${short(head)} from the worktree's reflog`);
        break;
      }
    }
    return { repo, dir, branch, notes };
  }

  /** The record of a new worktree: its base resolved now. */
  private async record(repo: string, owner: AgentSpec, kept: WorktreeMeta | null, state: WorktreeMeta['state']): Promise<WorktreeMeta> {
    const wt = owner.worktree as NonNullable<AgentSpec['worktree']>;
    if (kept) return { ...kept, state };
    const { git } = this.d;
    const rev = wt.base;
    const commit = await git.commitOf(repo, rev ?? 'HEAD');
    if (commit === null) {
      throw new WorktreeError(rev ? `unknown base ${JSON.stringify(rev)} for ${owner.id}: no such branch, tag or commit in ${repo}` : `the repository ${repo} has no commit yet`, {
        hint: rev ? 'Fix `base` in the team file (muster validate checks it).' : 'Commit once, then start the agent again.',
      });
    }
    const branch = rev === null ? await git.currentBranch(repo) : (await git.branchHead(repo, rev)) !== null ? rev : null;
    return {
      version: 1,
      agent: owner.id,
      repo,
      path: worktreeDir(this.d.stateDir, owner.id),
      branch: branchFor(owner.id),
      base: { rev, commit, branch },
      state,
      setup: wt.setup ? 'pending' : 'none',
      created: (this.d.now?.() ?? new Date()).toISOString(),
      landed: null,
    };
  }

  /** Clears what an interrupted `git worktree add` left (the policy allows it only where nothing of the agent's can be). */
  private async clearHalfMade(repo: string, dir: string, registered: boolean): Promise<void> {
    const { git } = this.d;
    if (registered) {
      await git.unlockWorktree(repo, dir);
      await git.removeWorktree(repo, dir, true).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    await git.pruneWorktrees(repo);
  }

  private readonly commons = new Map<string, Promise<string>>();

  /** The repository's shared git folder, asked once per repository. */
  private commonDir(repo: string): Promise<string> {
    let dir = this.commons.get(repo);
    if (!dir) {
      dir = this.d.git.commonDir(repo);
      this.commons.set(repo, dir);
      void dir.catch(() => this.commons.delete(repo));
    }
    return dir;
  }

  private toplevel(cwd: string): Promise<string | null> {
    let top = this.tops.get(cwd);
    if (!top) {
      top = this.d.git.toplevel(cwd);
      this.tops.set(cwd, top);
      void top.then((t) => t === null && this.tops.delete(cwd), () => this.tops.delete(cwd));
    }
    return top;
  }

  /** `.muster/worktrees/` goes into the repository's `.git/info/exclude` (never into the user's .gitignore); once per repository. */
  private exclude(repo: string): Promise<void> {
    let done = this.excluded.get(repo);
    if (!done) {
      done = this.writeExclude(repo);
      this.excluded.set(repo, done);
      void done.catch(() => this.excluded.delete(repo));
    }
    return done;
  }

  private async writeExclude(repo: string): Promise<void> {
    fs.mkdirSync(this.d.stateDir, { recursive: true });
    const rel = relativeInside(fs.realpathSync(repo), path.join(fs.realpathSync(this.d.stateDir), 'worktrees'));
    if (rel === null) return;
    const pattern = `/${rel.split(path.sep).join('/')}/`;
    const file = path.join(await this.commonDir(repo), 'info', 'exclude');
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // none yet
    }
    if (!text.split('\n').some((l) => l.trim() === pattern)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      fs.appendFileSync(file, `${sep}# added by muster: its agents' git worktrees\n${pattern}\n`);
    }
  }

  private async includes(repo: string, dir: string, include: readonly string[], notes: string[]): Promise<void> {
    const r = await copyIncludes(this.d.git, repo, dir, include, this.d.stateDir);
    if (r.copied.length > 0) notes.push(`copied into the worktree: ${r.copied.join(', ')}`);
    if (r.skipped.length > 0) notes.push(`not copied: ${r.skipped.join(', ')}`);
  }

  /** Runs the owner's setup once; its failure fails the start, with its output in the owner's log. */
  private async setup(owner: AgentSpec, meta: WorktreeMeta, dir: string, notes: string[]): Promise<void> {
    const command = owner.worktree?.setup;
    if (!command) {
      writeMeta(this.d.stateDir, { ...meta, setup: 'none' });
      return;
    }
    const env: NodeJS.ProcessEnv = { ...(this.d.env ?? process.env), ...owner.env, MUSTER_AGENT: owner.id, MUSTER_DIR: this.d.stateDir, MUSTER_WORKTREE: dir };
    for (const k of STRIPPED) delete env[k];
    const abort = new AbortController();
    this.setups.set(owner.id, abort);
    const logFile = this.d.logFile(owner.id);
    let end;
    try {
      end = await runSetup({ command, cwd: cwdInside(meta.repo, dir, owner.cwd), env, logFile, signal: abort.signal });
    } finally {
      this.setups.delete(owner.id);
    }
    if (end.aborted) throw new WorktreeError(`the setup of ${owner.id}'s worktree was stopped`, { hint: 'It runs again at the next start.' });
    if (end.code !== 0) {
      const how = end.code === null ? `was ended by ${end.signal}` : `failed (exit ${end.code})`;
      throw new WorktreeError(`setup \`${command}\` ${how}; its output is in ${logFile}`, { hint: `Fix it, then \`muster restart ${owner.id}\` runs it again.` });
    }
    writeMeta(this.d.stateDir, { ...meta, setup: 'done' });
    notes.push(`setup \`${command}\` done`);
  }
}

