import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { freshRuntime, type AgentStatus, type CrewState } from '../../../src/core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../../../src/core/crew-events.js';
import { step, type CrewContext } from '../../../src/core/crew.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { judgePressure, judgeUsage } from '../../../src/core/limits-policy.js';
import { agent, context } from '../../helpers/specs.js';

const MiB = 2 ** 20;
const limited = (over: Partial<AgentSpec['limits']> = {}, rest: Partial<AgentSpec> = {}) =>
  agent('a', { limits: { cpu: 50, memory: 100 * MiB, pids: null, onMemory: 'restart', onCpu: 'throttle', ...over }, ...rest });
const running: AgentStatus = { state: 'running', since: 0 };

describe('judgeUsage', () => {
  const rt = (over = {}) => ({ ...freshRuntime('t/a'), status: running, ...over });
  it.each([
    ['under both limits', {}, { cpu: 10, memory: 50 * MiB }, 'none', { memoryOver: 0, cpuCalm: 0 }],
    ['memory over once: only counted', {}, { cpu: 10, memory: 150 * MiB }, 'none', { memoryOver: 1, cpuCalm: 0 }],
    ['memory over twice: acts', { memoryOver: 1 }, { cpu: 10, memory: 150 * MiB }, 'memory', { memoryOver: 0, cpuCalm: 0 }],
    ['memory back under resets the count', { memoryOver: 1 }, { cpu: 10, memory: 90 * MiB }, 'none', { memoryOver: 0, cpuCalm: 0 }],
    ['memory over, but a cgroup holds the limit: the kernel acts, not counted', { memoryOver: 1 }, { cpu: 10, memory: 150 * MiB, kernelMemory: true }, 'none', { memoryOver: 0, cpuCalm: 0 }],
    ['cpu at the limit: throttle', {}, { cpu: 49, memory: 0 }, 'throttle', { memoryOver: 0, cpuCalm: 0 }],
    ['cpu just under: nothing', {}, { cpu: 40, memory: 0 }, 'none', { memoryOver: 0, cpuCalm: 0 }],
    ['throttled and calm once: counted', { status: { state: 'throttled', since: 0 } }, { cpu: 10, memory: 0 }, 'none', { memoryOver: 0, cpuCalm: 1 }],
    ['throttled and calm twice: unthrottle', { status: { state: 'throttled', since: 0 }, cpuCalm: 1 }, { cpu: 10, memory: 0 }, 'unthrottle', { memoryOver: 0, cpuCalm: 0 }],
    ['throttled and still hot: stays', { status: { state: 'throttled', since: 0 }, cpuCalm: 1 }, { cpu: 45, memory: 0 }, 'none', { memoryOver: 0, cpuCalm: 0 }],
  ] as const)('%s', (_n, rtOver, usage, kind, counters) => {
    const r = judgeUsage(limited(), rt(rtOver), usage);
    expect(r.decision.kind).toBe(kind);
    expect(r.counters).toEqual(counters);
  });

  it('on_memory none and on_cpu none never act', () => {
    const spec = limited({ onMemory: 'none', onCpu: 'none' });
    expect(judgeUsage(spec, rt({ memoryOver: 5 }), { cpu: 400, memory: 900 * MiB }).decision.kind).toBe('none');
  });
});

describe('judgePressure', () => {
  const specs = [agent('hi', { priority: 'high' }), agent('lo1', { priority: 'low' }), agent('lo2', { priority: 'low' }), agent('mid')];
  const agents = Object.fromEntries(specs.map((s) => [s.id, { ...freshRuntime(s.id), status: running }]));
  const usage = { 't/lo1': { cpu: 5, memory: 0 }, 't/lo2': { cpu: 80, memory: 0 } };
  const ceiling = { cpu: 60, memory: null };
  const hot = { cpu: 90, memory: 10 };
  const cool = { cpu: 20, memory: 10 };

  it('pauses the busiest lowest-priority agent after 3 hot pulses', () => {
    expect(judgePressure({ over: 1, under: 0 }, ceiling, hot, specs, agents, usage)).toEqual({ decision: { kind: 'none' }, pressure: { over: 2, under: 0 } });
    expect(judgePressure({ over: 2, under: 0 }, ceiling, hot, specs, agents, usage)).toEqual({ decision: { kind: 'pause', agent: 't/lo2' }, pressure: { over: 0, under: 0 } });
  });

  it('resumes the highest-priority ceiling-paused agent after 3 cool pulses', () => {
    const paused = {
      ...agents,
      't/lo1': { ...agents['t/lo1']!, status: { state: 'paused', since: 0, by: 'ceiling' } as AgentStatus },
      't/mid': { ...agents['t/mid']!, status: { state: 'paused', since: 0, by: 'ceiling' } as AgentStatus },
      't/hi': { ...agents['t/hi']!, status: { state: 'paused', since: 0, by: 'user' } as AgentStatus },
    };
    expect(judgePressure({ over: 0, under: 2 }, ceiling, cool, specs, paused, usage).decision).toEqual({ kind: 'resume', agent: 't/mid' });
  });

  it('never pauses an idle agent', () => {
    const idle = { 't/lo1': { cpu: 0, memory: 0 }, 't/lo2': { cpu: 0.2, memory: 0 }, 't/mid': { cpu: 30, memory: 0 } };
    expect(judgePressure({ over: 2, under: 0 }, ceiling, hot, specs, agents, idle).decision).toEqual({ kind: 'pause', agent: 't/mid' });
  });

  it('memory above the ceiling holds new starts but pauses nobody (pausing frees no memory)', () => {
    const r = judgePressure({ over: 5, under: 0 }, { cpu: null, memory: 50 }, { cpu: 99, memory: 90 }, specs, agents, usage);
    expect(r.decision.kind).toBe('none');
  });

  it('no ceiling, no pressure', () => {
    expect(judgePressure({ over: 9, under: 0 }, { cpu: null, memory: null }, hot, specs, agents, usage).decision.kind).toBe('none');
  });
});

describe('crew: usage events', () => {
  function run(specs: AgentSpec[], script: [number, CrewEvent][], over: Partial<CrewContext> = {}) {
    let crew: CrewState = newCrew(specs);
    const effects: CrewEffect[] = [];
    for (const [now, e] of script) {
      const r = step(crew, e, context(specs, now, over));
      crew = r.state;
      effects.push(...r.effects);
    }
    return { crew, effects };
  }
  const start: [number, CrewEvent][] = [
    [0, { type: 'tick' }],
    [1, { type: 'launched', agent: 't/a', attempt: 1, pane: '%1', pid: 10 }],
  ];

  it('memory over the limit on two pulses restarts with backoff, reason memory', () => {
    const big = { 't/a': { cpu: 1, memory: 200 * MiB } };
    const r = run([limited()], [...start, [2000, { type: 'usage', agents: big }], [4000, { type: 'usage', agents: big }]]);
    expect(r.crew.agents['t/a']).toMatchObject({ status: { state: 'backoff', reason: 'memory' }, restarts: 1 });
    expect(r.effects).toContainEqual({ type: 'kill', agent: 't/a', attempt: 1, graceful: false });
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'notify', kind: 'restart', message: expect.stringContaining('memory 200.0 MiB over its 100.0 MiB limit') }));
  });

  it('on_memory stop fails the agent with reason memory', () => {
    const big = { 't/a': { cpu: 1, memory: 200 * MiB } };
    const r = run([limited({ onMemory: 'stop' })], [...start, [2000, { type: 'usage', agents: big }], [4000, { type: 'usage', agents: big }]]);
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'failed', at: 4000, reason: 'memory' });
  });

  it('cpu at the limit throttles, calm releases', () => {
    const hot = { 't/a': { cpu: 90, memory: 0 } };
    const calm = { 't/a': { cpu: 5, memory: 0 } };
    const r = run([limited()], [...start, [2000, { type: 'usage', agents: hot }]]);
    expect(r.crew.agents['t/a']?.status.state).toBe('throttled');
    expect(r.effects).toContainEqual({ type: 'throttle', agent: 't/a', cpu: 50, refresh: false });
    const r2 = run([limited()], [...start, [2000, { type: 'usage', agents: hot }], [4000, { type: 'usage', agents: calm }], [6000, { type: 'usage', agents: calm }]]);
    // while held, each pulse brings its fresh processes under the throttle too
    expect(r2.effects).toContainEqual({ type: 'throttle', agent: 't/a', cpu: 50, refresh: true });
    expect(r2.crew.agents['t/a']?.status.state).toBe('running');
    expect(r2.effects).toContainEqual({ type: 'unthrottle', agent: 't/a' });
  });

  it('sustained machine pressure pauses, relief resumes', () => {
    const specs = [agent('a', { priority: 'low' })];
    const u = { 't/a': { cpu: 90, memory: 0 } };
    const ceiling = { cpu: 50, memory: null };
    const started = run(specs, start, { ceiling, machine: { cpu: 10, memory: 10 } });
    let crew = started.crew;
    const effects: CrewEffect[] = [];
    const pulse = (now: number, cpu: number) => {
      const s = step(crew, { type: 'usage', agents: u }, context(specs, now, { ceiling, machine: { cpu, memory: 10 } }));
      crew = s.state;
      effects.push(...s.effects);
    };
    for (const now of [2, 4, 6]) pulse(now, 95);
    expect(crew.agents['t/a']?.status).toEqual({ state: 'paused', since: 6, by: 'ceiling' });
    expect(effects).toContainEqual({ type: 'freeze', agent: 't/a' });
    for (const now of [8, 10, 12]) pulse(now, 10);
    expect(crew.agents['t/a']?.status.state).toBe('running');
    expect(effects).toContainEqual({ type: 'thaw', agent: 't/a' });
  });
});

describe('crew: the kernel killed an agent at its cgroup memory limit', () => {
  const big = (onMemory: 'restart' | 'stop') => agent('a', { limits: { cpu: null, memory: 64 * MiB, pids: null, onMemory, onCpu: 'throttle' } });
  const script: [number, CrewEvent][] = [
    [0, { type: 'tick' }],
    [1, { type: 'launched', agent: 't/a', attempt: 1, pane: '%1', pid: 10 }],
    [5, { type: 'exited', agent: 't/a', attempt: 1, code: 137, cause: 'memory' }],
  ];
  const play = (spec: AgentSpec) => {
    let crew = newCrew([spec]);
    for (const [now, e] of script) crew = step(crew, e, context([spec], now)).state;
    return crew.agents['t/a'];
  };
  it('restart: backoff with reason memory', () => {
    expect(play(big('restart'))).toMatchObject({ status: { state: 'backoff', reason: 'memory' }, restarts: 1, exitCode: 137 });
  });
  it('stop: failed with reason memory', () => {
    expect(play(big('stop'))).toMatchObject({ status: { state: 'failed', reason: 'memory' }, restarts: 0 });
  });
  it('an exit put down to the pids limit: backoff with reason pids, said in the event', () => {
    const spec = agent('a', { limits: { cpu: null, memory: null, pids: 64, onMemory: 'restart', onCpu: 'throttle' } });
    let crew = newCrew([spec]);
    crew = step(crew, { type: 'tick' }, context([spec], 0)).state;
    crew = step(crew, { type: 'launched', agent: 't/a', attempt: 1, pane: '%1', pid: 10 }, context([spec], 1)).state;
    const r = step(crew, { type: 'exited', agent: 't/a', attempt: 1, code: 2, cause: 'pids' }, context([spec], 5));
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'backoff', reason: 'pids' }, restarts: 1, exitCode: 2 });
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'notify', message: expect.stringContaining('after reaching its process limit (64)') }));
  });
});
