/**
 * The status document (control/contract.ts `StatusView`), built from the crew and the
 * latest samples. Pure: the supervisor publishes it as its snapshot, `muster status`
 * prints it, the TUI renders it.
 */
import { activitySource, resumes } from '../core/sessions.js';
import type { AgentSpec } from '../config/types.js';
import { statusReason, type CrewState, type Handoff } from '../core/agent-state.js';
import { needsYouNow } from '../core/needs-you.js';
import type { WorktreeInfo } from '../git/worktree-inspect.js';
import type { AgentStatusView, HandoffView, StatusView, SystemSample, UsageView, WorktreeView } from './control/contract.js';

export interface AgentSample {
  cpu: number;
  memory: number;
}

/** What an agent's screen showed at the last pulse, and why. */
export interface ActivityView {
  activity: NonNullable<AgentStatusView['activity']>;
  reason: string | null;
}

export interface StatusInput {
  project: string;
  socket: string;
  supervisor: StatusView['supervisor'];
  specs: readonly AgentSpec[];
  crew: CrewState;
  samples: ReadonlyMap<string, AgentSample>;
  system: SystemSample | null;
  now: number;
  histories?: ReadonlyMap<string, { cpu: number[]; memory: number[] }>;
  activity?: ReadonlyMap<string, ActivityView>;
  /** time of each agent's last commit (agents in a git repository with `commit.every`) */
  lastCommits?: ReadonlyMap<string, number | null>;
  /** each agent's worktree as last read (agents with one) */
  worktrees?: ReadonlyMap<string, WorktreeInfo>;
  extras?: Pick<StatusView, 'ceiling' | 'enforcement' | 'pulseMs' | 'disk'>;
  /** whether a pids limit is enforced (else `limits.pids` shows null) */
  pidsEnforced?: boolean;
  /** live agents whose pids limit refused a fork this attempt: their reason is `pids` */
  pidsLimited?: ReadonlySet<string>;
  /** tokens and cost of the agents whose transcripts are read (token-usage.ts) */
  usage?: ReadonlyMap<string, UsageView>;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function handoffView(h: Handoff): HandoffView {
  // without a worktree the sender's branch and commit are null (docs/status-json.md)
  return { ...h, branch: h.branch ?? null, commit: h.commit ?? null, created: new Date(h.created).toISOString(), delivered: iso(h.delivered) };
}

export function buildStatus(input: StatusInput): StatusView {
  const agents = input.specs.map((spec): AgentStatusView => {
    const rt = input.crew.agents[spec.id];
    const sample = input.samples.get(spec.id) ?? null;
    const alive = rt?.pid != null;
    return {
      id: spec.id,
      team: spec.team,
      name: spec.name,
      state: rt?.status.state ?? 'pending',
      reason: rt ? (statusReason(rt.status) ?? (alive && input.pidsLimited?.has(spec.id) ? 'pids' : null)) : 'after',
      pane: rt?.pane ?? null,
      pid: rt?.pid ?? null,
      cpu: alive && sample ? round(sample.cpu, 1) : null,
      memory: alive && sample ? sample.memory : null,
      limits: { cpu: spec.limits.cpu, memory: spec.limits.memory, pids: input.pidsEnforced ? spec.limits.pids : null },
      restarts: rt?.restarts ?? 0,
      exitCode: rt?.exitCode ?? null,
      checkin: checkinView(spec, rt?.lastCheckin ?? null, rt?.checkinMessage ?? null, rt?.startedAt ?? null, alive, input.now),
      activity: alive ? (input.activity?.get(spec.id)?.activity ?? null) : null,
      activityReason: alive ? (input.activity?.get(spec.id)?.reason ?? null) : null,
      attempt: rt?.attempt ?? 0,
      startedAt: iso(rt?.startedAt ?? null),
      history: input.histories?.get(spec.id) ?? { cpu: [], memory: [] },
      commit: commitView(spec, input.lastCommits, alive, input.now),
      stalled: stalled(spec, rt?.startedAt ?? null, rt ? rt.status.state : 'pending', input.now),
      session: { id: rt?.session ?? null, resumes: resumes(spec), resumed: alive && (rt?.resumed ?? null) !== null },
      activitySource: alive && rt ? activitySource(rt) : null,
      needsYou: rt ? needsYouView(rt) : null,
      ...(spec.worktree ? { worktree: worktreeView(input.worktrees?.get(spec.id)) } : {}),
      ...(input.usage?.has(spec.id) ? { usage: input.usage.get(spec.id) as UsageView } : {}),
    };
  });
  return {
    version: 1,
    project: input.project,
    socket: input.socket,
    supervisor: input.supervisor,
    system: input.system,
    agents,
    handoffs: input.crew.handoffs.map(handoffView),
    ...input.extras,
  };
}

function commitView(
  spec: AgentSpec,
  lastCommits: ReadonlyMap<string, number | null> | undefined,
  alive: boolean,
  now: number,
): AgentStatusView['commit'] {
  if (!spec.commit || !lastCommits?.has(spec.id)) return null;
  const last = lastCommits.get(spec.id) ?? null;
  const due = last === null ? null : last + spec.commit.everyMs;
  return { last: iso(last), due: iso(due), overdue: alive && due !== null && now > due };
}

function needsYouView(rt: CrewState['agents'][string]): AgentStatusView['needsYou'] {
  const now = needsYouNow(rt);
  return now && now.kind !== 'done' ? { kind: now.kind, reason: now.reason } : null;
}

/** `expect`: a running agent is stalled past twice its expected time. */
function stalled(spec: AgentSpec, startedAt: number | null, state: string, now: number): boolean {
  if (spec.expectMs === null || startedAt === null) return false;
  return (state === 'running' || state === 'throttled') && now - startedAt > 2 * spec.expectMs;
}

function checkinView(
  spec: AgentSpec,
  last: number | null,
  message: string | null,
  startedAt: number | null,
  alive: boolean,
  now: number,
): AgentStatusView['checkin'] {
  if (!spec.checkin) return { last: iso(last), message, due: null, overdue: false, off: true };
  const from = last ?? startedAt;
  const due = alive && from !== null ? from + spec.checkin.everyMs : null;
  return { last: iso(last), message, due: iso(due), overdue: due !== null && now > due, off: false };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The worktree as status and the grid show it (docs/status-json.md); null when not read yet. */
function worktreeView(i: WorktreeInfo | undefined): WorktreeView | null {
  if (!i) return null;
  return {
    owner: i.agent,
    branch: i.branch,
    path: i.path,
    state: i.state,
    head: i.head,
    into: i.into,
    ahead: i.ahead,
    behind: i.behind,
    files: i.changed.files,
    uncommitted: i.uncommitted.files,
    merged: i.merged,
  };
}
