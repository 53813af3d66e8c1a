/**
 * The supervisor's measurements: each pulse, the agents the sampling plan picks (see
 * core/sampling-plan.ts) and the machine, read in one pass; what the limits policy judges
 * comes back, and the last figures of every agent stay for status and the TUI.
 */
import type { AgentSpec, CeilingSpec } from '../config/types.js';
import type { CrewState } from '../core/agent-state.js';
import type { Usage } from '../core/limits-policy.js';
import { samplingPlan } from '../core/sampling-plan.js';
import type { MachineLoad } from '../core/scheduler.js';
import type { SystemSample } from './control/contract.js';
import type { AgentSample } from './status-snapshot.js';
import type { RootRef } from '../monitor/membership.js';
import type { AgentRoot } from '../monitor/sampler.js';
import type { LimitsPort, SamplerPort } from './ports.js';

export class UsageReader {
  private samples = new Map<string, AgentSample>();
  /** each measured agent's processes at the last reading, its pane process left out */
  private pids = new Map<string, number[]>();
  private system: SystemSample | null = null;
  private self: { cpu: number; memory: number } | null = null;
  private machineLoad: MachineLoad | null = null;
  /** pulses since every agent was last measured */
  private pulsesSinceFull = Number.POSITIVE_INFINITY;

  constructor(
    private readonly sampler: SamplerPort,
    private readonly limits: LimitsPort,
    private readonly specs: readonly AgentSpec[],
    private readonly ceiling: CeilingSpec,
    /** the agent's pane process as proven when tmux reported it alive, or null */
    private readonly provenRoot: (agentId: string, pid: number) => RootRef | null = () => null,
  ) {}

  /** One pulse's reading; returns the figures the limits policy judges, by agent. */
  read(crew: CrewState, nowMs: number, watched: boolean): Record<string, Usage> {
    const usage: Record<string, Usage> = {};
    const { sampler, limits } = this;
    const plan = samplingPlan({
      specs: this.specs,
      crew,
      watched,
      machine: this.machineLoad,
      ceiling: this.ceiling,
      pulsesSinceFull: this.pulsesSinceFull,
      kernelMemory: (id) => limits.kernelMemory(id),
    });
    this.pulsesSinceFull = plan.full ? 0 : this.pulsesSinceFull + 1;
    const roots = new Map<string, AgentRoot>();
    let grouped = limits.groupsListMembers;
    for (const id of plan.agents) {
      const pid = crew.agents[id]?.pid;
      if (pid === null || pid === undefined) continue;
      const proven = this.provenRoot(id, pid);
      roots.set(id, { pid, cgroupPids: limits.groupPids(id), ...(proven ? { starttime: proven.starttime } : {}) });
      grouped &&= limits.hasGroup(id);
    }
    const s = sampler.sample(roots, nowMs, { scope: grouped ? 'members' : 'machine' });
    const samples = new Map<string, AgentSample>();
    for (const [id, rt] of Object.entries(crew.agents)) {
      const known = s.agents.get(id) ?? (rt.pid !== null ? this.samples.get(id) : undefined);
      if (known) samples.set(id, { cpu: known.cpu, memory: known.memory });
    }
    this.samples = samples;
    this.system = { cpu: round1(s.machine.cpu), memory: s.machine.memory };
    this.machineLoad = { cpu: s.machine.cpu, memory: (s.machine.memory.used / Math.max(1, s.machine.memory.total)) * 100 };
    this.self = s.self;
    this.pids = new Map();
    for (const [id, u] of s.agents) {
      const root = crew.agents[id]?.pid;
      this.pids.set(id, u.pids.filter((pid) => pid !== root));
      usage[id] = { cpu: limits.demand(id) ?? u.cpu, memory: u.memory, kernelMemory: limits.kernelMemory(id) };
    }
    return usage;
  }

  /** The agent's processes (but its pane process) as the last reading found them; null when it was not measured. */
  pidsOf(agentId: string): number[] | null {
    return this.pids.get(agentId) ?? null;
  }

  /** The machine's load at the last reading (null before the first), for the scheduler's ceiling. */
  get machine(): MachineLoad | null {
    return this.machineLoad;
  }

  /** The last figures, for status. */
  view(): {
    samples: Map<string, AgentSample>;
    system: SystemSample | null;
    self: { cpu: number | null; memory: number | null };
    histories: Map<string, { cpu: number[]; memory: number[] }>;
  } {
    const histories = new Map<string, { cpu: number[]; memory: number[] }>();
    for (const spec of this.specs) histories.set(spec.id, this.sampler.history(spec.id));
    return {
      samples: this.samples,
      system: this.system,
      self: { cpu: this.self ? round1(this.self.cpu) : null, memory: this.self?.memory ?? null },
      histories,
    };
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
