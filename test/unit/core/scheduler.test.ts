import { describe, expect, it } from 'vitest';
import type { AgentStatus, CrewState } from '../../../src/core/agent-state.js';
import { freshRuntime } from '../../../src/core/agent-state.js';
import { schedule, type ScheduleInput } from '../../../src/core/scheduler.js';
import type { AgentSpec } from '../../../src/config/types.js';
import { agent } from '../../helpers/specs.js';

function crewOf(specs: AgentSpec[], statuses: Record<string, AgentStatus> = {}, handed: Record<string, string[]> = {}): CrewState {
  const agents: CrewState['agents'] = {};
  for (const s of specs) {
    agents[s.id] = {
      ...freshRuntime(s.id),
      status: statuses[s.name] ?? { state: 'pending', reason: 'after' },
    };
  }
  const handoffs = Object.entries(handed).flatMap(([from, tos]) =>
    tos.map((to) => ({ id: `${from}-${to}`, from: `t/${from}`, to, message: 'x', file: null, state: 'pending' as const, created: 0, delivered: null })),
  );
  return { agents, pressure: { over: 0, under: 0 }, handoffs };
}

function input(specs: AgentSpec[], crew: CrewState, over: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    specs,
    crew,
    maxParallel: new Map([['t', null]]),
    ceiling: { cpu: null, memory: null },
    machine: null,
    ...over,
  };
}

const running: AgentStatus = { state: 'running', since: 0 };
const done: AgentStatus = { state: 'done', at: 0 };

describe('schedule', () => {
  const cases: {
    name: string;
    specs: AgentSpec[];
    statuses?: Record<string, AgentStatus>;
    handed?: Record<string, string[]>;
    over?: Partial<ScheduleInput>;
    start: string[];
    waiting: Record<string, string>;
  }[] = [
    { name: 'independent agents all start', specs: [agent('a'), agent('b')], start: ['t/a', 't/b'], waiting: {} },
    {
      name: 'after holds a dependant',
      specs: [agent('a'), agent('b', { after: ['t/a'] })],
      start: ['t/a'],
      waiting: { 't/b': 'after' },
    },
    {
      name: 'a running dependency still holds',
      specs: [agent('a'), agent('b', { after: ['t/a'] })],
      statuses: { a: running },
      start: [],
      waiting: { 't/b': 'after' },
    },
    {
      name: 'a done dependency releases',
      specs: [agent('a'), agent('b', { after: ['t/a'] })],
      statuses: { a: done },
      start: ['t/b'],
      waiting: {},
    },
    {
      name: 'a handoff releases only its target',
      specs: [agent('a'), agent('b', { after: ['t/a'] }), agent('c', { after: ['t/a'] })],
      statuses: { a: running },
      handed: { a: ['t/b'] },
      start: ['t/b'],
      waiting: { 't/c': 'after' },
    },
    {
      name: 'fan-in waits for every expansion',
      specs: [agent('x-1'), agent('x-2'), agent('merge', { after: ['t/x-1', 't/x-2'] })],
      statuses: { 'x-1': done, 'x-2': running },
      start: [],
      waiting: { 't/merge': 'after' },
    },
    {
      name: 'a failed optional dependency releases; a failed required one holds',
      specs: [agent('a', { optional: true }), agent('b'), agent('c', { after: ['t/a'] }), agent('d', { after: ['t/b'] })],
      statuses: { a: { state: 'failed', at: 0, reason: 'exit' }, b: { state: 'failed', at: 0, reason: 'exit' } },
      start: ['t/c'],
      waiting: { 't/d': 'after' },
    },
    {
      name: 'max_parallel counts running and backoff agents',
      specs: [agent('a'), agent('b'), agent('c'), agent('d')],
      statuses: { a: running, b: { state: 'backoff', until: 5, reason: 'exit' } },
      over: { maxParallel: new Map([['t', 3]]) },
      start: ['t/c'],
      waiting: { 't/d': 'max_parallel' },
    },
    {
      name: 'priority decides who takes the last slot',
      specs: [agent('a', { priority: 'low' }), agent('b'), agent('c', { priority: 'high' })],
      over: { maxParallel: new Map([['t', 2]]) },
      start: ['t/c', 't/b'],
      waiting: { 't/a': 'max_parallel' },
    },
    {
      name: 'uses keeps agents sharing a resource apart',
      specs: [agent('a', { uses: ['port:3000'] }), agent('b', { uses: ['port:3000'] }), agent('c', { uses: ['port:4000'] })],
      start: ['t/a', 't/c'],
      waiting: { 't/b': 'uses' },
    },
    {
      name: 'uses held by a running agent',
      specs: [agent('a', { uses: ['gpu'] }), agent('b', { uses: ['gpu'] })],
      statuses: { a: running },
      start: [],
      waiting: { 't/b': 'uses' },
    },
    {
      name: 'the machine ceiling holds everything back',
      specs: [agent('a'), agent('b')],
      over: { ceiling: { cpu: 60, memory: null }, machine: { cpu: 75, memory: 10 } },
      start: [],
      waiting: { 't/a': 'ceiling', 't/b': 'ceiling' },
    },
    {
      name: 'below the ceiling starts',
      specs: [agent('a')],
      over: { ceiling: { cpu: 60, memory: 80 }, machine: { cpu: 20, memory: 50 } },
      start: ['t/a'],
      waiting: {},
    },
    {
      name: 'memory ceiling',
      specs: [agent('a')],
      over: { ceiling: { cpu: null, memory: 80 }, machine: { cpu: 1, memory: 90 } },
      start: [],
      waiting: { 't/a': 'ceiling' },
    },
    {
      name: 'max_parallel is per team',
      specs: [agent('x/a'), agent('x/b'), agent('y/c')],
      over: { maxParallel: new Map([['x', 1], ['y', 1]]) },
      start: ['x/a', 'y/c'],
      waiting: { 'x/b': 'max_parallel' },
    },
  ];

  it.each(cases)('$name', ({ specs, statuses, handed, over, start, waiting }) => {
    const result = schedule(input(specs, crewOf(specs, statuses, handed), over));
    expect(result.start).toEqual(start);
    expect(Object.fromEntries(result.waiting)).toEqual(waiting);
  });
});
