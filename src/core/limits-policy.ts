/**
 * Limits (README, "Limits"): what one pulse's measurements mean for an agent. Memory over its
 * limit on two consecutive pulses → `on_memory`; CPU at its limit → throttled until it
 * stays well under it; the machine's CPU above its ceiling for a while → the busiest
 * lowest-priority running agent is paused, and resumed once the machine has been below it for a while.
 * Pure: counters in, decisions and counters out.
 */
import type { AgentSpec, CeilingSpec, Priority } from '../config/types.js';
import type { AgentRuntime } from './agent-state.js';
import type { MachineLoad } from './scheduler.js';

export interface Usage {
  /** percent of one core; while throttled by duty cycling, the demand it would use if let run */
  cpu: number;
  /** bytes */
  memory: number;
  /** a cgroup holds the memory limit: the kernel enforces it, the figure is not judged here */
  kernelMemory?: boolean;
}

/** Consecutive pulses a condition must hold before muster acts. */
export const MEMORY_PULSES = 2;
export const CPU_CALM_PULSES = 2;
export const PRESSURE_PULSES = 3;
/** throttled from this share of the limit up; calm below the lower share */
export const CPU_OVER_SHARE = 0.95;
export const CPU_CALM_SHARE = 0.8;
/** below this (percent of one core) an agent counts as idle for the ceiling */
export const IDLE_CPU = 1;

export type LimitDecision =
  | { kind: 'none' }
  | { kind: 'memory'; action: 'restart' | 'stop'; memory: number; limit: number }
  | { kind: 'throttle'; cpu: number; limit: number }
  | { kind: 'unthrottle'; cpu: number; limit: number };

export interface LimitCounters {
  memoryOver: number;
  cpuCalm: number;
}

export function judgeUsage(spec: AgentSpec, rt: AgentRuntime, usage: Usage): { decision: LimitDecision; counters: LimitCounters } {
  const { limits } = spec;
  const memoryOver = limits.memory !== null && !usage.kernelMemory && usage.memory > limits.memory ? rt.memoryOver + 1 : 0;
  if (limits.memory !== null && memoryOver >= MEMORY_PULSES && limits.onMemory !== 'none') {
    return { decision: { kind: 'memory', action: limits.onMemory, memory: usage.memory, limit: limits.memory }, counters: { memoryOver: 0, cpuCalm: 0 } };
  }
  if (limits.cpu === null || limits.onCpu === 'none') return { decision: { kind: 'none' }, counters: { memoryOver, cpuCalm: 0 } };

  const limit = limits.cpu;
  if (rt.status.state === 'running' && usage.cpu >= limit * CPU_OVER_SHARE) {
    return { decision: { kind: 'throttle', cpu: usage.cpu, limit }, counters: { memoryOver, cpuCalm: 0 } };
  }
  if (rt.status.state === 'throttled') {
    const cpuCalm = usage.cpu < limit * CPU_CALM_SHARE ? rt.cpuCalm + 1 : 0;
    if (cpuCalm >= CPU_CALM_PULSES) return { decision: { kind: 'unthrottle', cpu: usage.cpu, limit }, counters: { memoryOver, cpuCalm: 0 } };
    return { decision: { kind: 'none' }, counters: { memoryOver, cpuCalm } };
  }
  return { decision: { kind: 'none' }, counters: { memoryOver, cpuCalm: 0 } };
}

export interface Pressure {
  /** consecutive pulses above the ceiling, and below it */
  over: number;
  under: number;
}

export type PressureDecision = { kind: 'none' } | { kind: 'pause'; agent: string } | { kind: 'resume'; agent: string };

const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/**
 * Sustained pressure pauses one running agent at a time, lowest priority first (the
 * busiest of those); sustained relief resumes one ceiling-paused agent at a time,
 * highest priority first.
 */
export function judgePressure(
  pressure: Pressure,
  ceiling: CeilingSpec,
  machine: MachineLoad | null,
  specs: readonly AgentSpec[],
  agents: Readonly<Record<string, AgentRuntime>>,
  usage: Readonly<Record<string, Usage>>,
): { decision: PressureDecision; pressure: Pressure } {
  // Pausing frees CPU, not memory: only CPU pressure pauses agents.
  if (!machine || ceiling.cpu === null) return { decision: { kind: 'none' }, pressure: { over: 0, under: 0 } };
  const over = machine.cpu > ceiling.cpu;
  const next = over ? { over: pressure.over + 1, under: 0 } : { over: 0, under: pressure.under + 1 };
  if (over && next.over >= PRESSURE_PULSES) {
    // Pausing an idle agent relieves nothing: only agents that use some CPU are candidates.
    const victim = specs
      .filter((s) => {
        const st = agents[s.id]?.status.state;
        return (st === 'running' || st === 'throttled') && (usage[s.id]?.cpu ?? 0) >= IDLE_CPU;
      })
      .sort((a, b) => PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || (usage[b.id]?.cpu ?? 0) - (usage[a.id]?.cpu ?? 0))[0];
    if (victim) return { decision: { kind: 'pause', agent: victim.id }, pressure: { over: 0, under: 0 } };
  }
  if (!over && next.under >= PRESSURE_PULSES) {
    const sleeper = specs
      .filter((s) => {
        const st = agents[s.id]?.status;
        return st?.state === 'paused' && st.by === 'ceiling';
      })
      .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority])[0];
    if (sleeper) return { decision: { kind: 'resume', agent: sleeper.id }, pressure: { over: 0, under: 0 } };
  }
  return { decision: { kind: 'none' }, pressure: next };
}
