/**
 * Which agents a pulse measures. Reading an agent's processes is most of what an idle
 * supervisor costs, and most agents need no figure every pulse: where a cgroup holds the
 * memory limit the kernel enforces it, and nobody looks at the figures unless a TUI
 * watches. So a pulse measures every agent only when someone watches, when the machine's
 * CPU nears its ceiling (the ceiling pauses the busiest agent), or every
 * `FULL_SAMPLE_EVERY` pulses (status stays fresh to within that); otherwise only the
 * agents whose limits are judged from the figures: a CPU limit (shown as throttled), or a
 * memory limit that no cgroup enforces (two pulses over it → `on_memory`).
 * Pure: no clock, no IO.
 */
import type { AgentSpec, CeilingSpec } from '../config/types.js';
import { isAlive, type CrewState } from './agent-state.js';
import type { MachineLoad } from './scheduler.js';

export const FULL_SAMPLE_EVERY = 5;
/** the ceiling is near this many points below it */
export const NEAR_CEILING_POINTS = 10;

export interface SamplingInput {
  specs: readonly AgentSpec[];
  crew: CrewState;
  /** someone (a TUI) receives a snapshot every pulse */
  watched: boolean;
  machine: MachineLoad | null;
  ceiling: CeilingSpec;
  /** pulses since every agent was last measured (Infinity before the first time) */
  pulsesSinceFull: number;
  /** does a cgroup enforce this agent's memory limit? */
  kernelMemory: (agentId: string) => boolean;
}

export interface SamplingPlan {
  /** every running agent is measured */
  full: boolean;
  /** the agents to measure (running ones with a process) */
  agents: string[];
}

export function samplingPlan(input: SamplingInput): SamplingPlan {
  const running = input.specs.filter((s) => {
    const rt = input.crew.agents[s.id];
    return rt !== undefined && isAlive(rt.status) && rt.pid !== null;
  });
  const nearCeiling =
    input.ceiling.cpu !== null && input.machine !== null && input.machine.cpu >= input.ceiling.cpu - NEAR_CEILING_POINTS;
  const full = input.watched || nearCeiling || input.pulsesSinceFull + 1 >= FULL_SAMPLE_EVERY;
  if (full) return { full, agents: running.map((s) => s.id) };
  const judged = running.filter(
    (s) =>
      s.limits.cpu !== null ||
      (s.limits.memory !== null && !input.kernelMemory(s.id)) ||
      input.crew.agents[s.id]?.status.state === 'throttled',
  );
  return { full, agents: judged.map((s) => s.id) };
}
