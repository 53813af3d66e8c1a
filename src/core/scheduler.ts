/**
 * Who may start now: `after`, `uses`, `max_parallel`, the machine ceiling and
 * `priority`. Pure: it reads the crew and returns the agents to start and, for every
 * agent that must keep waiting, the reason (the `pending` reasons status shows).
 */
import type { AgentSpec, CeilingSpec, Priority } from '../config/types.js';
import { holdsSlot, isLive, type CrewState, type PendingReason } from './agent-state.js';
import { handedOff } from './crew-state.js';

export interface MachineLoad {
  /** percent of the whole machine */
  cpu: number;
  /** percent of the whole machine's memory in use */
  memory: number;
}

export interface ScheduleInput {
  /** every agent, in config order */
  specs: readonly AgentSpec[];
  crew: CrewState;
  maxParallel: ReadonlyMap<string, number | null>;
  ceiling: CeilingSpec;
  machine: MachineLoad | null;
}

export interface ScheduleResult {
  start: string[];
  waiting: Map<string, PendingReason>;
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export function overCeiling(ceiling: CeilingSpec, machine: MachineLoad | null): boolean {
  if (!machine) return false;
  return (
    (ceiling.cpu !== null && machine.cpu > ceiling.cpu) ||
    (ceiling.memory !== null && machine.memory > ceiling.memory)
  );
}

/** Is every dependency of `spec` done, handed off to it, or an optional one that failed? */
export function afterSatisfied(spec: AgentSpec, crew: CrewState, specsById: ReadonlyMap<string, AgentSpec>): boolean {
  return spec.after.every((depId) => {
    const dep = crew.agents[depId];
    if (!dep) return true;
    if (dep.status.state === 'done' || handedOff(crew, depId, spec.id)) return true;
    return dep.status.state === 'failed' && specsById.get(depId)?.optional === true;
  });
}

export function schedule(input: ScheduleInput): ScheduleResult {
  const { specs, crew } = input;
  const specsById = new Map(specs.map((s) => [s.id, s]));
  const perTeam = new Map<string, number>();
  const held = new Set<string>();
  for (const spec of specs) {
    const rt = crew.agents[spec.id];
    if (!rt || !holdsSlot(rt.status)) continue;
    perTeam.set(spec.team, (perTeam.get(spec.team) ?? 0) + 1);
    for (const r of spec.uses) held.add(r);
  }

  const candidates = specs
    .map((spec, index) => ({ spec, index }))
    .filter(({ spec }) => crew.agents[spec.id]?.status.state === 'pending')
    .sort((a, b) => PRIORITY_RANK[a.spec.priority] - PRIORITY_RANK[b.spec.priority] || a.index - b.index);

  const ceilingHit = overCeiling(input.ceiling, input.machine);
  const start: string[] = [];
  const waiting = new Map<string, PendingReason>();
  for (const { spec } of candidates) {
    const reason = blockingReason(spec);
    if (reason) {
      waiting.set(spec.id, reason);
      continue;
    }
    start.push(spec.id);
    perTeam.set(spec.team, (perTeam.get(spec.team) ?? 0) + 1);
    for (const r of spec.uses) held.add(r);
  }
  return { start, waiting };

  function blockingReason(spec: AgentSpec): PendingReason | null {
    if (!afterSatisfied(spec, crew, specsById)) return 'after';
    if (spec.uses.some((r) => held.has(r))) return 'uses';
    const max = input.maxParallel.get(spec.team) ?? null;
    if (max !== null && (perTeam.get(spec.team) ?? 0) >= max) return 'max_parallel';
    if (ceilingHit) return 'ceiling';
    return null;
  }
}

/** The earliest time at which a tick could change something (a backoff ending, a timeout). */
export function nextDeadline(crew: CrewState, specs: readonly AgentSpec[]): number | null {
  let next: number | null = null;
  const consider = (t: number) => {
    if (next === null || t < next) next = t;
  };
  for (const spec of specs) {
    const rt = crew.agents[spec.id];
    if (!rt) continue;
    if (rt.status.state === 'backoff') consider(rt.status.until);
    if (spec.timeoutMs !== null && isLive(rt.status) && rt.startedAt !== null) consider(rt.startedAt + spec.timeoutMs);
  }
  return next;
}
