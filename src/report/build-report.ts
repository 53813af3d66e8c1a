/**
 * The run report (`muster report`): per agent its state, first start and last end, busy and
 * run time, restarts, check-ins, handoffs in and out and result; per phase of the
 * dependency graph its wall time; and the parallel efficiency of the whole run. Pure: the
 * caller reads the ledger, the event log and the agents' output and passes them in.
 *
 * Phase of an agent = the length of its longest `after` chain (no dependencies: phase 0).
 * Run time of an agent = first start → last end (to `now` while it still runs), backoff
 * gaps between attempts included. Parallel efficiency = Σ run times ÷ wall time of the run
 * (first start → last end): 1 for a strict pipeline, up to the number of agents when all
 * of them run side by side.
 */
import type { AgentSpec } from '../config/types.js';
import { statusReason, type AgentRuntime, type AgentStateName } from '../core/agent-state.js';

/** One line of `.muster/events.jsonl`. `to` is read from handoff events when no handoff list is given. */
export interface ReportEvent {
  seq: number;
  /** ISO 8601 */
  time: string;
  level: string;
  agent: string | null;
  kind: string;
  message: string;
  to?: string | null;
}

export interface ReportHandoff {
  from: string;
  to: string;
}

/** An agent's worktree in the report (docs/worktrees.md). */
export interface WorktreeReport {
  /** the agent whose worktree it is (another one for an agent that shares it) */
  owner: string;
  branch: string;
  /** commits on the branch that its base branch lacked before it landed (or still lacks) */
  commits: number;
  files: number;
  added: number;
  deleted: number;
  /** the last land of its branch (ISO 8601 time and how), or null */
  landed: { at: string; how: string; into: string } | null;
  merged: boolean;
}

export type ReportRuntime = Pick<AgentRuntime, 'id' | 'status' | 'restarts' | 'attempt' | 'startedAt' | 'endedAt'> & Partial<Pick<AgentRuntime, 'session'>>;

export interface ReportInput {
  /** the agents in config order */
  agents: ReadonlyArray<Pick<AgentSpec, 'id' | 'after'>>;
  /** final runtime per agent id (from the ledger); a missing one is reported from events only */
  runtimes: Readonly<Record<string, ReportRuntime>>;
  events: readonly ReportEvent[];
  /** every handoff of the run; when absent, handoff events with a `to` are counted */
  handoffs?: readonly ReportHandoff[];
  /** time each agent was busy (ms), measured by the caller */
  busyMs?: Readonly<Record<string, number>>;
  /** each agent's result text (see extractResult), or null */
  results?: Readonly<Record<string, string | null>>;
  /** tokens and cost per agent, read from its CLI's transcripts (docs/needs-you.md); agents without are left out */
  usage?: Readonly<Record<string, ReportUsage>>;
  /** the worktree of each agent that has one (read from git by the caller) */
  worktrees?: Readonly<Record<string, WorktreeReport>>;
  now: number;
}

/** Tokens by kind and dollars (null: cost unknown). */
export interface ReportUsage {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  cost: number | null;
}

/** The sum of some agents' usage; the cost is unknown when any of theirs is; null when none has usage. */
export function sumUsage(list: ReadonlyArray<ReportUsage | null>): ReportUsage | null {
  const known = list.filter((u): u is ReportUsage => u !== null);
  if (known.length === 0) return null;
  return known.reduce<ReportUsage>(
    (a, u) => ({
      input: a.input + u.input,
      output: a.output + u.output,
      cacheWrite: a.cacheWrite + u.cacheWrite,
      cacheRead: a.cacheRead + u.cacheRead,
      cost: a.cost === null || u.cost === null ? null : a.cost + u.cost,
    }),
    { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, cost: 0 },
  );
}

export interface AgentReport {
  id: string;
  phase: number;
  state: AgentStateName | 'unknown';
  reason: string | null;
  /** first start (ms), null when it never started */
  start: number | null;
  /** last end (ms), null while it runs or when it never started */
  end: number | null;
  running: boolean;
  runMs: number | null;
  busyMs: number | null;
  restarts: number;
  attempts: number;
  checkins: number;
  handoffsIn: number;
  handoffsOut: number;
  result: string | null;
  usage: ReportUsage | null;
  /** the agent CLI's own conversation id, and how many restarts went back into a conversation */
  session: string | null;
  resumes: number;
  /** its worktree, or null without one */
  worktree: WorktreeReport | null;
}

export interface PhaseReport {
  phase: number;
  agents: string[];
  start: number | null;
  end: number | null;
  /** first start → last end of its agents (to `now` while one runs) */
  wallMs: number | null;
  running: boolean;
  usage: ReportUsage | null;
}

export interface RunReport {
  generatedAt: number;
  start: number | null;
  end: number | null;
  wallMs: number | null;
  running: boolean;
  /** Σ run times of the agents */
  totalRunMs: number;
  /** totalRunMs ÷ wallMs; null when nothing ran */
  parallelEfficiency: number | null;
  agents: AgentReport[];
  phases: PhaseReport[];
  /** every agent's usage summed, or null when none has any */
  usage: ReportUsage | null;
}

const UNFINISHED: ReadonlySet<string> = new Set(['starting', 'running', 'throttled', 'paused', 'backoff']);
const END_KINDS: ReadonlySet<string> = new Set(['exited', 'done', 'failed', 'stopped', 'timeout', 'launch-failed', 'circuit-open']);

/** Longest `after` chain per agent; dependencies outside the list are ignored, cycles cut. */
export function phasesOf(agents: ReadonlyArray<Pick<AgentSpec, 'id' | 'after'>>): Map<string, number> {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const phase = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = phase.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1;
    visiting.add(id);
    let p = 0;
    for (const dep of byId.get(id)?.after ?? []) if (byId.has(dep)) p = Math.max(p, visit(dep) + 1);
    visiting.delete(id);
    phase.set(id, p);
    return p;
  };
  for (const a of agents) visit(a.id);
  return phase;
}

/** Builds the report object. */
export function buildReport(input: ReportInput): RunReport {
  const { now } = input;
  const phases = phasesOf(input.agents);
  const byAgent = new Map<string, ReportEvent[]>();
  for (const e of input.events) {
    if (!e.agent) continue;
    let list = byAgent.get(e.agent);
    if (!list) byAgent.set(e.agent, (list = []));
    list.push(e);
  }
  const handoffs = input.handoffs ?? input.events.filter((e) => e.kind === 'handoff' && e.agent && typeof e.to === 'string').map((e) => ({ from: e.agent as string, to: e.to as string }));

  const agents = input.agents.map((spec): AgentReport => {
    const events = byAgent.get(spec.id) ?? [];
    const rt = input.runtimes[spec.id];
    const times = (kinds: ReadonlySet<string> | string) =>
      events.filter((e) => (typeof kinds === 'string' ? e.kind === kinds : kinds.has(e.kind))).map((e) => Date.parse(e.time)).filter(Number.isFinite);
    const starts = times('started');
    if (rt?.startedAt != null) starts.push(rt.startedAt);
    const start = starts.length ? Math.min(...starts) : null;
    const running = rt ? UNFINISHED.has(rt.status.state) : false;
    let end: number | null = null;
    if (!running && start !== null) {
      const st = rt?.status;
      if (st && (st.state === 'done' || st.state === 'failed' || st.state === 'stopped')) end = st.at;
      else end = rt?.endedAt ?? maxOrNull(times(END_KINDS));
      if (end !== null) end = Math.max(end, start);
    }
    const runMs = start === null ? null : (running ? Math.max(now, start) : (end ?? start)) - start;
    return {
      id: spec.id,
      phase: phases.get(spec.id) ?? 0,
      state: rt?.status.state ?? 'unknown',
      reason: rt ? statusReason(rt.status) : null,
      start,
      end: running ? null : end,
      running,
      runMs,
      busyMs: input.busyMs?.[spec.id] ?? null,
      restarts: Math.max(rt?.restarts ?? 0, times('restart').length),
      attempts: rt?.attempt ?? starts.length,
      checkins: times('checkin').length,
      handoffsIn: handoffs.filter((h) => h.to === spec.id).length,
      handoffsOut: handoffs.filter((h) => h.from === spec.id).length,
      result: input.results?.[spec.id] ?? null,
      usage: input.usage?.[spec.id] ?? null,
      session: rt?.session ?? null,
      resumes: times('resume').length,
      worktree: input.worktrees?.[spec.id] ?? null,
    };
  });

  const span = (list: AgentReport[]) => {
    const started = list.filter((a) => a.start !== null);
    if (started.length === 0) return { start: null, end: null, wallMs: null, running: false };
    const start = Math.min(...started.map((a) => a.start as number));
    const running = started.some((a) => a.running);
    const end = running ? null : Math.max(...started.map((a) => a.end ?? (a.start as number)));
    return { start, end, wallMs: (end ?? Math.max(now, start)) - start, running };
  };

  const phaseNumbers = [...new Set(agents.map((a) => a.phase))].sort((a, b) => a - b);
  const phaseReports = phaseNumbers.map((phase): PhaseReport => {
    const members = agents.filter((a) => a.phase === phase);
    return { phase, agents: members.map((a) => a.id), ...span(members), usage: sumUsage(members.map((a) => a.usage)) };
  });
  const total = span(agents);
  const totalRunMs = agents.reduce((sum, a) => sum + (a.runMs ?? 0), 0);
  return {
    generatedAt: now,
    ...total,
    totalRunMs,
    parallelEfficiency: total.wallMs ? totalRunMs / total.wallMs : null,
    agents,
    phases: phaseReports,
    usage: sumUsage(agents.map((a) => a.usage)),
  };
}

/** The report with times as ISO 8601 strings (for `muster report --json`). */
export function reportToJson(report: RunReport): Record<string, unknown> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    version: 1,
    ...report,
    generatedAt: iso(report.generatedAt),
    start: iso(report.start),
    end: iso(report.end),
    agents: report.agents.map((a) => ({ ...a, start: iso(a.start), end: iso(a.end) })),
    phases: report.phases.map((p) => ({ ...p, start: iso(p.start), end: iso(p.end) })),
  };
}

function maxOrNull(values: number[]): number | null {
  return values.length ? Math.max(...values) : null;
}
