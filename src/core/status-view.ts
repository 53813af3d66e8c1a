/**
 * The status document of SPEC §4, built from the crew and the latest samples. Pure: the
 * supervisor publishes it as its snapshot, `muster status` prints it, the TUI renders it.
 */
import type { AgentSpec } from '../config/types.js';
import { statusReason, type CrewState, type Handoff } from './agent-state.js';

export interface AgentSample {
  cpu: number;
  memory: number;
}

export interface SystemSample {
  cpu: number;
  memory: { used: number; total: number };
}

/** A handoff as SPEC §4 shows it: times as ISO strings. */
export type HandoffView = Omit<Handoff, 'created' | 'delivered'> & { created: string; delivered: string | null };

export type Activity = 'busy' | 'idle' | 'waiting';

/** An agent's git worktree as status and the grid show it (docs/worktrees.md). */
export interface WorktreeView {
  /** the agent whose worktree it is (the agent itself, or the one it shares) */
  owner: string;
  branch: string;
  path: string;
  /** ready, not created, creating, folder missing, branch missing */
  state: string;
  head: string | null;
  /** the branch `land` goes into by default */
  into: string | null;
  ahead: number;
  behind: number;
  /** files changed in all, committed or not */
  files: number;
  /** files with uncommitted changes (untracked included) */
  uncommitted: number;
  merged: boolean;
}

export interface AgentStatusView {
  id: string;
  team: string;
  name: string;
  state: string;
  reason: string | null;
  pane: string | null;
  pid: number | null;
  cpu: number | null;
  memory: number | null;
  limits: { cpu: number | null; memory: number | null };
  restarts: number;
  exitCode: number | null;
  checkin: { last: string | null; message: string | null; due: string | null; overdue: boolean } | null;
  /** extensions beyond SPEC §4 */
  activity: Activity | null;
  attempt: number;
  startedAt: string | null;
  /** recent pulses, oldest first: CPU percent of one core, memory bytes */
  history: { cpu: number[]; memory: number[] };
  commit: { last: string | null; due: string | null; overdue: boolean } | null;
  stalled: boolean;
  /** its git worktree (null: `worktree: off`), as last read */
  worktree?: WorktreeView | null;
}

export interface StatusView {
  version: 1;
  project: string;
  socket: string;
  supervisor: { running: boolean; pid: number | null; cpu?: number | null; memory?: number | null };
  system: SystemSample | null;
  agents: AgentStatusView[];
  handoffs: HandoffView[];
  /** extensions beyond SPEC §4 */
  ceiling?: { cpu: number | null; memory: number | null };
  /** how limits are enforced: e.g. `cgroup v1 (cpu, memory, freezer)` or `sampling + duty cycling` */
  enforcement?: string;
  pulseMs?: number;
}

export interface StatusInput {
  project: string;
  socket: string;
  supervisor: StatusView['supervisor'];
  specs: readonly AgentSpec[];
  crew: CrewState;
  samples: ReadonlyMap<string, AgentSample>;
  system: SystemSample | null;
  handoffs: readonly HandoffView[];
  now: number;
  histories?: ReadonlyMap<string, { cpu: number[]; memory: number[] }>;
  activity?: ReadonlyMap<string, Activity>;
  /** time of each agent's last commit (agents in a git repository with `commit.every`) */
  lastCommits?: ReadonlyMap<string, number | null>;
  /** each agent's worktree as last read (agents with one) */
  worktrees?: ReadonlyMap<string, WorktreeView>;
  extras?: Pick<StatusView, 'ceiling' | 'enforcement' | 'pulseMs'>;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

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
      reason: rt ? statusReason(rt.status) : 'after',
      pane: rt?.pane ?? null,
      pid: rt?.pid ?? null,
      cpu: alive && sample ? round(sample.cpu, 1) : null,
      memory: alive && sample ? sample.memory : null,
      limits: { cpu: spec.limits.cpu, memory: spec.limits.memory },
      restarts: rt?.restarts ?? 0,
      exitCode: rt?.exitCode ?? null,
      checkin: checkinView(spec, rt?.lastCheckin ?? null, rt?.checkinMessage ?? null, rt?.startedAt ?? null, alive, input.now),
      activity: alive ? (input.activity?.get(spec.id) ?? null) : null,
      attempt: rt?.attempt ?? 0,
      startedAt: iso(rt?.startedAt ?? null),
      history: input.histories?.get(spec.id) ?? { cpu: [], memory: [] },
      commit: commitView(spec, input.lastCommits, alive, input.now),
      stalled: stalled(spec, rt?.startedAt ?? null, rt ? rt.status.state : 'pending', input.now),
      ...(spec.worktree ? { worktree: input.worktrees?.get(spec.id) ?? null } : {}),
    };
  });
  return {
    version: 1,
    project: input.project,
    socket: input.socket,
    supervisor: input.supervisor,
    system: input.system,
    agents,
    handoffs: [...input.handoffs],
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
  if (!spec.checkin) return null;
  const from = last ?? startedAt;
  const due = alive && from !== null ? from + spec.checkin.everyMs : null;
  return { last: iso(last), message, due: iso(due), overdue: due !== null && now > due };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
