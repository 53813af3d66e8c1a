import { describe, expect, it } from 'vitest';
import { freshRuntime, type AgentStatus, type CrewState } from '../../../src/core/agent-state.js';
import { PaneExits, UNKNOWN_EXIT_GRACE_MS } from '../../../src/supervisor/pane-exits.js';
import type { PaneState } from '../../../src/supervisor/ports.js';
import { agent } from '../../helpers/specs.js';

const specs = [agent('a')];
const crewWith = (status: AgentStatus, pid: number | null = 10): CrewState => ({
  agents: { 't/a': { ...freshRuntime('t/a'), status, attempt: 2, pid } },
  pressure: { over: 0, under: 0 },
  handoffs: [],
});
const pane = (over: Partial<PaneState> = {}): PaneState => ({
  paneId: '%1', panePid: 10, dead: true, deadStatus: 3, deadSignal: null, agentId: 't/a', attempt: '2', sessionName: 't', ...over,
});
const running: AgentStatus = { state: 'running', since: 0 };
const never = () => false;

describe('PaneExits', () => {
  it.each([
    ['a dead pane of the current attempt → exited with its status', running, [pane()], [{ type: 'exited', agent: 't/a', attempt: 2, code: 3, cause: undefined }]],
    ['a dead pane of an older attempt → nothing', running, [pane({ attempt: '1' })], []],
    ['a live pane → nothing', running, [pane({ dead: false, deadStatus: null })], []],
    ['no pane at all → vanished', running, [], [{ type: 'vanished', agent: 't/a', attempt: 2 }]],
    ['a stopped agent whose process ended → exited (the core records the code)', { state: 'stopped', at: 0, reason: 'user' } as AgentStatus, [pane()], [{ type: 'exited', agent: 't/a', attempt: 2, code: 3, cause: undefined }]],
    ['a starting agent is not judged', { state: 'starting', since: 0 } as AgentStatus, [pane()], []],
  ] as const)('%s', (_name, status, panes, events) => {
    expect(new PaneExits().judge(specs, crewWith(status), panes, 0, never, never).events).toEqual(events);
  });

  it('an agent with an effect under way is not judged', () => {
    expect(new PaneExits().judge(specs, crewWith(running), [], 0, () => true, never).events).toEqual([]);
  });

  it('an OOM kill in its cgroup makes the cause memory', () => {
    const r = new PaneExits().judge(specs, crewWith(running), [pane({ deadStatus: null, deadSignal: 9 })], 0, never, () => true);
    expect(r.events).toEqual([{ type: 'exited', agent: 't/a', attempt: 2, code: null, cause: 'memory' }]);
  });

  it('a failing exit after its pids limit refused a fork is put down to the limit; a clean exit is not', () => {
    const limited = () => true;
    const failing = new PaneExits().judge(specs, crewWith(running), [pane({ deadStatus: 2 })], 0, never, never, limited);
    expect(failing.events).toEqual([{ type: 'exited', agent: 't/a', attempt: 2, code: 2, cause: 'pids' }]);
    const clean = new PaneExits().judge(specs, crewWith(running), [pane({ deadStatus: 0 })], 0, never, never, limited);
    expect(clean.events).toEqual([{ type: 'exited', agent: 't/a', attempt: 2, code: 0, cause: undefined }]);
    // an OOM kill says more than a refused fork
    const both = new PaneExits().judge(specs, crewWith(running), [pane({ deadStatus: null, deadSignal: 9 })], 0, never, () => true, limited);
    expect(both.events[0]).toMatchObject({ cause: 'memory' });
  });

  it('an exit with neither status nor signal waits for the grace period', () => {
    const exits = new PaneExits();
    const unknown = [pane({ deadStatus: null, deadSignal: null })];
    expect(exits.judge(specs, crewWith(running), unknown, 1000, never, never)).toEqual({ events: [], pending: true });
    expect(exits.judge(specs, crewWith(running), unknown, 1000 + UNKNOWN_EXIT_GRACE_MS - 1, never, never).pending).toBe(true);
    expect(exits.judge(specs, crewWith(running), unknown, 1000 + UNKNOWN_EXIT_GRACE_MS, never, never).events).toHaveLength(1);
  });
});
