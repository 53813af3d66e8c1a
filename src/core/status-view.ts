/**
 * The status document of SPEC §4, built from the crew and the latest samples. Pure: the
 * supervisor publishes it as its snapshot, `muster status` prints it, the TUI renders it.
 */
import type { AgentSpec } from '../config/types.js';
import { statusReason, type CrewState } from './agent-state.js';

export interface AgentSample {
  cpu: number;
  memory: number;
}

export interface SystemSample {
  cpu: number;
  memory: { used: number; total: number };
}

export interface HandoffView {
  id: string;
  from: string;
  to: string;
  message: string;
  file: string | null;
  state: 'pending' | 'delivered';
  created: string;
  delivered: string | null;
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
}

export interface StatusView {
  version: 1;
  project: string;
  socket: string;
  supervisor: { running: boolean; pid: number | null };
  system: SystemSample | null;
  agents: AgentStatusView[];
  handoffs: HandoffView[];
}

export interface StatusInput {
  project: string;
  socket: string;
  supervisor: { running: boolean; pid: number | null };
  specs: readonly AgentSpec[];
  crew: CrewState;
  samples: ReadonlyMap<string, AgentSample>;
  system: SystemSample | null;
  handoffs: readonly HandoffView[];
  now: number;
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
  };
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
