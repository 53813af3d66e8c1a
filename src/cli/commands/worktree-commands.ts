/**
 * `muster worktrees [--json]`, `muster diff AGENT [--stat]`, `muster land AGENT [--squash]
 * [--into BRANCH]` and `muster discard AGENT [--force]` (docs/worktrees.md). They work on
 * git and the worktrees' records directly, with or without a running supervisor.
 */
import { loadProject } from '../../config/load-project.js';
import type { AgentSpec, ProjectSpec } from '../../config/types.js';
import { isAlive } from '../../core/agent-state.js';
import { MusterError, UsageError } from '../../errors.js';
import type { WorktreeGit } from '../../git/worktree-git.js';
import type { WorktreeInfo } from '../../git/worktree-inspect.js';
import type { LandOutcome } from '../../git/worktree-land.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import {
  checkinsOf,
  cliWorktreeGit,
  crewServerFor,
  discardWorktree as discard,
  GitError,
  inspectWorktree,
  inspectWorktrees as inspectAll,
  landWorktree as land,
  openLedger,
  readLedger,
  readWorktreeMeta as readMeta,
  runGitInteractive,
  shortCommit as short,
  worktreeOwners,
} from '../compose.js';
import { renderTable } from '../format.js';
import { writeLine, type CliContext } from '../context.js';
import type { Flags } from './dispatch.js';
import { fromSupervisor } from './status.js';

/** A git failure as one line with what to do (not a stack trace). */
async function gitFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    const identity = /tell me who you are|empty ident|user\.email/i.test(err.result.stderr);
    throw new MusterError(err.message, {
      hint: identity ? 'Set who commits: `git config user.name "…"` and `git config user.email "…"`; muster changed nothing.' : 'Run the git command above yourself to see more; muster changed nothing it could not undo.',
      cause: err,
    });
  }
}

/** The agent a command names, and the owner of the worktree it works in. */
function worktreeOf(project: ProjectSpec, name: string, command: string): { spec: AgentSpec; owner: AgentSpec; sharedBy: string[] } {
  const specs = project.teams.flatMap((t) => t.agents);
  const ids = resolveAgents(specs, [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; ${command} takes one`, `Pick one of: ${ids.join(', ')}`);
  const spec = specs.find((s) => s.id === ids[0]) as AgentSpec;
  if (!spec.worktree) {
    throw new UsageError(`${spec.id} has no worktree (worktree: off)`, 'Give it `worktree: own` in its team file; see docs/worktrees.md.');
  }
  const owner = specs.find((s) => s.id === spec.worktree?.owner) as AgentSpec;
  const sharedBy = worktreeOwners(specs).find((o) => o.owner.id === owner.id)?.sharedBy ?? [];
  return { spec, owner, sharedBy };
}

/** `muster worktrees [--json]` */
export async function runWorktrees(ctx: CliContext, json: boolean, git: WorktreeGit = cliWorktreeGit): Promise<number> {
  const project = await loadProject(ctx.dir);
  const infos = await gitFailures(() => inspectAll(git, ctx.paths.stateDir, project.teams.flatMap((t) => t.agents)));
  if (json) {
    writeLine(ctx.stdout, JSON.stringify({ version: 1, worktrees: infos.map(({ dirty: _dirty, ...rest }) => rest) }, null, 2));
    return 0;
  }
  if (infos.length === 0) {
    writeLine(ctx.stdout, 'muster: no agent has a worktree (give one `worktree: own` in its team file; see docs/worktrees.md)');
    return 0;
  }
  const rows = infos.map((i) => [
    i.agent + (i.sharedBy.length ? ` (+${i.sharedBy.map((s) => s.slice(s.indexOf('/') + 1)).join(', ')})` : ''),
    i.branch,
    i.state,
    i.base ? `${short(i.base.commit)}${i.into ? ` ${i.into}` : ''}` : '-',
    `↑${i.ahead} ↓${i.behind}`,
    `${i.changed.files} +${i.changed.added} -${i.changed.deleted}`,
    i.uncommitted.files === 0 ? '-' : `${i.uncommitted.files} file${i.uncommitted.files === 1 ? '' : 's'}`,
    i.merged ? 'yes' : i.landed ? `landed ${short(i.landed.result)}` : 'no',
    i.path,
  ]);
  writeLine(ctx.stdout, renderTable(['AGENT', 'BRANCH', 'STATE', 'BASE', 'COMMITS', 'CHANGED', 'UNCOMMITTED', 'MERGED', 'PATH'], rows));
  return 0;
}

/** `muster diff AGENT [--stat]`: git's own diff of the worktree against the branch point, on this terminal. */
export async function runDiff(ctx: CliContext, name: string, stat: boolean, git: WorktreeGit = cliWorktreeGit): Promise<number> {
  const project = await loadProject(ctx.dir);
  const { owner, sharedBy } = worktreeOf(project, name, 'diff');
  const info = await gitFailures(() => inspectWorktree(git, ctx.paths.stateDir, owner, sharedBy));
  if (info.state === 'not created' || info.state === 'creating') throw new MusterError(`${owner.id} has no worktree yet`, { hint: 'It is made at the agent\'s first start (`muster up`).' });
  if (info.state === 'folder missing') throw new MusterError(`${owner.id}'s worktree folder ${info.path} is gone`, { hint: `\`muster restart ${owner.id}\` checks its branch out again.` });
  if (info.head === null) throw new MusterError(`${owner.id}'s branch ${info.branch} is gone`, { hint: `\`muster restart ${owner.id}\` recreates it from the worktree's reflog.` });
  const meta = readMeta(ctx.paths.stateDir, owner.id);
  const against = info.into !== null ? await git.branchHead(meta?.repo ?? ctx.dir, info.into) : null;
  const from = (against ? await git.mergeBase(meta?.repo ?? ctx.dir, against, info.head) : null) ?? info.base?.commit ?? 'HEAD';
  const code = await runGitInteractive(info.path, ['diff', ...(stat ? ['--stat'] : []), from, '--'], ctx.env);
  if (info.uncommitted.untracked > 0) {
    writeLine(ctx.stderr, `muster: ${info.uncommitted.untracked} untracked file(s) in ${info.path} are not in the diff (git diff shows tracked files)`);
  }
  return code === 0 || code === 1 ? 0 : code;
}

/** The agent's check-ins and done messages from the event log, oldest first. */
function agentCheckins(ctx: CliContext, agent: string): string[] {
  return checkinsOf(openLedger(ctx.paths).readEvents(), agent);
}

/** `muster land AGENT [--squash] [--into BRANCH]` */
export async function landAgent(ctx: CliContext, name: string, squash: boolean, into: string | null, git: WorktreeGit = cliWorktreeGit): Promise<LandOutcome> {
  const project = await loadProject(ctx.dir);
  const { spec, owner } = worktreeOf(project, name, 'land');
  const outcome = await gitFailures(() => land(git, ctx.paths.stateDir, { owner, squash, into, checkins: agentCheckins(ctx, owner.id) }));
  if (spec.id !== owner.id && outcome.kind === 'landed') outcome.message += ` (${spec.id} works in ${owner.id}'s worktree)`;
  return outcome;
}

export async function runLand(ctx: CliContext, name: string, flags: Flags): Promise<number> {
  const into = typeof flags.into === 'string' ? flags.into : null;
  const outcome = await landAgent(ctx, name, Boolean(flags.squash), into);
  writeLine(ctx.stdout, `muster: ${outcome.message}`);
  return 0;
}

/** Agents whose processes run now (from the supervisor, else from the ledger as tmux shows it). */
async function runningAgents(ctx: CliContext): Promise<string[]> {
  const live = await fromSupervisor(ctx).catch(() => null);
  if (live) return live.agents.filter((a) => a.pid !== null).map((a) => a.id);
  if (!(await crewServerFor(ctx.dir, ctx.env).answers())) return [];
  const saved = readLedger(ctx.paths, await loadProject(ctx.dir));
  return Object.values(saved?.crew.agents ?? {}).filter((a) => isAlive(a.status)).map((a) => a.id);
}

/** `muster discard AGENT [--force]` */
export async function runDiscard(ctx: CliContext, name: string, force: boolean, git: WorktreeGit = cliWorktreeGit): Promise<number> {
  const project = await loadProject(ctx.dir);
  const { spec, owner, sharedBy } = worktreeOf(project, name, 'discard');
  if (spec.id !== owner.id) {
    throw new UsageError(`${spec.id} works in ${owner.id}'s worktree, which is ${owner.id}'s to discard`, `Run \`muster discard ${owner.id}\`.`);
  }
  const running = await runningAgents(ctx);
  const message = await gitFailures(() => discard(git, ctx.paths.stateDir, { owner, sharedBy, running, force }));
  writeLine(ctx.stdout, `muster: ${message}`);
  return 0;
}

export type { WorktreeInfo };
