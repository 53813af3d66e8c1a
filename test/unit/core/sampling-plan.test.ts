import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import type { AgentRuntime, AgentStatus, CrewState } from '../../../src/core/agent-state.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { FULL_SAMPLE_EVERY, samplingPlan, type SamplingInput } from '../../../src/core/sampling-plan.js';
import { agent } from '../../helpers/specs.js';

const limits = (cpu: number | null, memory: number | null): AgentSpec['limits'] => ({ cpu, memory, pids: null, onMemory: 'restart', onCpu: 'throttle' });
const specs = [
  agent('t/plain'),
  agent('t/capped', { limits: limits(50, null) }),
  agent('t/fenced', { limits: limits(null, 512 * 2 ** 20) }),
  agent('t/asleep'),
  agent('t/hot'),
];

function crew(): CrewState {
  const c = newCrew(specs);
  const set = (id: string, status: AgentStatus, pid: number | null) => {
    c.agents[id] = { ...(c.agents[id] as AgentRuntime), status, pid };
  };
  set('t/plain', { state: 'running', since: 0 }, 10);
  set('t/capped', { state: 'running', since: 0 }, 11);
  set('t/fenced', { state: 'running', since: 0 }, 12);
  set('t/asleep', { state: 'pending', reason: 'after' }, null);
  set('t/hot', { state: 'throttled', since: 0 }, 14);
  return c;
}

const base: SamplingInput = {
  specs,
  crew: crew(),
  watched: false,
  machine: { cpu: 20, memory: 30 },
  ceiling: { cpu: 90, memory: 90 },
  pulsesSinceFull: 1,
  kernelMemory: () => false,
};
const everyone = ['t/plain', 't/capped', 't/fenced', 't/hot'];

describe('samplingPlan', () => {
  it.each([
    { why: 'nobody watches, limits judged by sampling', over: {}, full: false, agents: ['t/capped', 't/fenced', 't/hot'] },
    { why: 'a cgroup holds the memory limit', over: { kernelMemory: () => true }, full: false, agents: ['t/capped', 't/hot'] },
    { why: 'a TUI watches', over: { watched: true }, full: true, agents: everyone },
    { why: 'the machine nears its CPU ceiling', over: { machine: { cpu: 81, memory: 30 } }, full: true, agents: everyone },
    { why: 'just under the margin', over: { machine: { cpu: 79, memory: 30 } }, full: false, agents: ['t/capped', 't/fenced', 't/hot'] },
    { why: 'no CPU ceiling', over: { machine: { cpu: 99, memory: 30 }, ceiling: { cpu: null, memory: 90 } }, full: false, agents: ['t/capped', 't/fenced', 't/hot'] },
    { why: 'the periodic full reading is due', over: { pulsesSinceFull: FULL_SAMPLE_EVERY - 1 }, full: true, agents: everyone },
    { why: 'never measured yet', over: { pulsesSinceFull: Number.POSITIVE_INFINITY }, full: true, agents: everyone },
  ])('$why', ({ over, full, agents }) => {
    expect(samplingPlan({ ...base, ...over })).toEqual({ full, agents });
  });
});
