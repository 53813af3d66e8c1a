import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import type { CrewState } from '../../../src/core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../../../src/core/crew-events.js';
import { step, type CrewContext } from '../../../src/core/crew.js';
import { nextDeadline } from '../../../src/core/scheduler.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { agent, context } from '../../helpers/specs.js';

/** Runs a script of [time, event] against a crew; returns every state and the non-notify effects. */
function run(specs: AgentSpec[], script: [number, CrewEvent][], over: Partial<CrewContext> = {}) {
  let crew: CrewState = newCrew(specs);
  const effects: (CrewEffect & { at: number })[] = [];
  const notices: string[] = [];
  const releases: string[] = [];
  for (const [now, event] of script) {
    const r = step(crew, event, context(specs, now, over));
    crew = r.state;
    for (const e of r.effects) {
      if (e.type === 'notify') notices.push(`${e.agent}:${e.kind}`);
      else if (e.type === 'needs-you') continue; // needs-you.test.ts
      else if (e.type === 'release') releases.push(`${e.agent}@${now}`);
      else effects.push({ ...e, at: now });
    }
  }
  const states = Object.fromEntries(Object.values(crew.agents).map((a) => [a.id, a.status.state]));
  return { crew, effects, notices, states, releases };
}

const launched = (agentId: string, attempt: number, pid = 100 + attempt): CrewEvent => ({
  type: 'launched',
  agent: agentId,
  attempt,
  pane: '%1',
  pid,
});
const exited = (agentId: string, attempt: number, code: number | null): CrewEvent => ({ type: 'exited', agent: agentId, attempt, code });

describe('crew lifecycle', () => {
  it('starts, runs, and finishes with exit 0', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [10, launched('t/a', 1)],
      [50, exited('t/a', 1, 0)],
    ]);
    expect(r.effects).toEqual([{ type: 'launch', agent: 't/a', attempt: 1, resume: null, at: 0 }]);
    expect(r.states).toEqual({ 't/a': 'done' });
    expect(r.crew.agents['t/a']).toMatchObject({ exitCode: 0, startedAt: 10, endedAt: 50, pid: null, restarts: 0 });
  });

  it('restarts a failing agent with exponential backoff, then opens the circuit', () => {
    const spec = agent('a', { restart: { policy: 'on-failure', max: 2, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 60_000 } });
    const r = run([spec], [
      [0, { type: 'tick' }],
      [10, launched('t/a', 1)],
      [100, exited('t/a', 1, 1)], // backoff 1000 → until 1100
      [1099, { type: 'tick' }], // not yet
      [1100, { type: 'tick' }], // relaunch attempt 2
      [1110, launched('t/a', 2)],
      [1200, exited('t/a', 2, 1)], // backoff 2000 → until 3200
      [3200, { type: 'tick' }],
      [3210, launched('t/a', 3)],
      [3300, exited('t/a', 3, 1)], // 2 restarts within 60 s already: circuit
    ]);
    expect(r.effects.map((e) => `${e.type}@${e.at}`)).toEqual(['launch@0', 'launch@1100', 'launch@3200']);
    expect(r.states['t/a']).toBe('failed');
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'failed', at: 3300, reason: 'circuit' });
    expect(r.crew.agents['t/a']?.restarts).toBe(2);
    expect(r.notices).toContain('t/a:circuit-open');
  });

  it('after: holds a dependant until its dependency exits 0', () => {
    const specs = [agent('a'), agent('b', { after: ['t/a'] })];
    const mid = run(specs, [[0, { type: 'tick' }], [5, launched('t/a', 1)]]);
    expect(mid.states).toEqual({ 't/a': 'running', 't/b': 'pending' });
    expect(mid.crew.agents['t/b']?.status).toEqual({ state: 'pending', reason: 'after' });
    const end = run(specs, [[0, { type: 'tick' }], [5, launched('t/a', 1)], [9, exited('t/a', 1, 0)]]);
    expect(end.effects.map((e) => `${e.type}:${'agent' in e ? e.agent : ''}@${e.at}`)).toEqual(['launch:t/a@0', 'launch:t/b@9']);
  });

  it('after: `muster done` releases dependants while the agent keeps running', () => {
    const specs = [agent('a'), agent('b', { after: ['t/a'] })];
    const r = run(specs, [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [9, { type: 'done', agent: 't/a', message: 'plan written' }],
    ]);
    expect(r.states).toEqual({ 't/a': 'done', 't/b': 'starting' });
    expect(r.crew.agents['t/a']?.doneMessage).toBe('plan written');
    // the done agent's process exiting later changes nothing
    const later = step(r.crew, exited('t/a', 1, 1), context(specs, 20));
    expect(later.state.agents['t/a']?.status.state).toBe('done');
    expect(later.effects.filter((e) => e.type !== 'notify')).toEqual([{ type: 'release', agent: 't/a' }]);
  });

  it('after: a handoff releases its target', () => {
    const specs = [agent('a'), agent('b', { after: ['t/a'] })];
    const r = run(specs, [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [9, { type: 'handoff', id: 'h1', from: 't/a', to: 't/b', message: 'over to you', file: null }],
    ]);
    expect(r.states).toEqual({ 't/a': 'running', 't/b': 'starting' });
  });

  it('stop ends a running agent gracefully: stopping until its processes are gone, then stopped; never restarted', () => {
    const spec = agent('a', { restart: { policy: 'always', max: 9, withinMs: 1000, backoffMs: 10, maxBackoffMs: 10 } });
    const r = run([spec], [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [10, { type: 'stop', agents: ['t/a'] }],
      [20, exited('t/a', 1, null)],
      [5000, { type: 'tick' }],
    ]);
    expect(r.effects.map((e) => e.type)).toEqual(['launch', 'kill']);
    expect(r.effects[1]).toMatchObject({ type: 'kill', agent: 't/a', attempt: 1, graceful: true });
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'stopping', since: 10, reason: 'user' });
    expect(r.notices).toContain('t/a:stopping');
    expect(r.notices).not.toContain('t/a:stopped');
    const done = step(r.crew, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [] }, context([spec], 5100));
    expect(done.state.agents['t/a']?.status).toEqual({ state: 'stopped', at: 5100, reason: 'user', survivors: [] });
    expect(done.effects).toEqual([{ type: 'notify', level: 'info', agent: 't/a', kind: 'stopped', message: 'stopped' }, { type: 'release', agent: 't/a' }]);
  });

  it('a stop whose kill leaves survivors says so in the state and an error event', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [10, { type: 'stop', agents: ['t/a'] }],
      [20, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [333, 334] }],
    ]);
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'stopped', at: 20, reason: 'user', survivors: [333, 334] });
    expect(r.notices).toEqual(['t/a:started', 't/a:stopping', 't/a:survivors']);
    expect(r.crew.agents['t/a']?.pid).toBeNull();
  });

  it('a kill result of an earlier attempt changes nothing', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [10, { type: 'killed', agent: 't/a', attempt: 0, code: 1, survivors: [] }],
    ]);
    expect(r.states['t/a']).toBe('running');
    expect(r.crew.agents['t/a']?.pid).toBe(101);
  });

  it('stop of a pending agent keeps it from starting', () => {
    const specs = [agent('a'), agent('b', { after: ['t/a'] })];
    const r = run(specs, [
      [0, { type: 'tick' }],
      [1, { type: 'stop', agents: ['t/b'] }],
      [5, launched('t/a', 1)],
      [9, exited('t/a', 1, 0)],
    ]);
    expect(r.states).toEqual({ 't/a': 'done', 't/b': 'stopped' });
    expect(r.effects.filter((e) => e.type === 'launch').length).toBe(1);
  });

  it('reset clears counters and the circuit and starts a fresh attempt', () => {
    const spec = agent('a', { restart: { policy: 'on-failure', max: 0, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 1000 } });
    const r = run([spec], [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [9, exited('t/a', 1, 2)], // max 0: circuit at once
      [20, { type: 'reset', agents: ['t/a'] }],
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ status: { state: 'starting', since: 20 }, attempt: 2, restarts: 0, restartTimes: [] });
    expect(r.effects.map((e) => `${e.type}@${e.at}`)).toEqual(['launch@0', 'launch@20']);
  });

  it('reset of a running agent kills the old attempt before launching, and ignores its exit', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [5, launched('t/a', 1)],
      [10, { type: 'reset', agents: ['t/a'] }],
      [12, exited('t/a', 1, null)], // the old attempt dying
      [14, launched('t/a', 2, 222)],
    ]);
    expect(r.effects.map((e) => e.type)).toEqual(['launch', 'kill', 'launch']);
    expect(r.crew.agents['t/a']).toMatchObject({ status: { state: 'running' }, attempt: 2, pid: 222, restarts: 0 });
  });

  it('timeout stops the agent and fails it with reason timeout', () => {
    const specs = [agent('a', { timeoutMs: 1000 })];
    const r = run(specs, [
      [0, { type: 'tick' }],
      [100, launched('t/a', 1)],
      [1099, { type: 'tick' }],
      [1100, { type: 'tick' }],
      [1200, exited('t/a', 1, null)],
    ]);
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'failed', at: 1100, reason: 'timeout' });
    expect(r.effects.map((e) => `${e.type}@${e.at}`)).toEqual(['launch@0', 'kill@1100']);
  });

  it('one-shot retries re-run on non-zero exit then fail', () => {
    const r = run([agent('a', { retries: 1 })], [
      [0, { type: 'tick' }],
      [1, launched('t/a', 1)],
      [2, exited('t/a', 1, 3)],
      [1002, { type: 'tick' }],
      [1003, launched('t/a', 2)],
      [1004, exited('t/a', 2, 3)],
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ status: { state: 'failed', reason: 'exit' }, retriesUsed: 1, exitCode: 3 });
  });

  it('a vanished pane counts as a failure and is restarted', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [1, launched('t/a', 1)],
      [2, { type: 'vanished', agent: 't/a', attempt: 1 }],
    ]);
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'backoff', until: 1002, reason: 'lost' });
  });

  it('launch failure fails the agent with reason launch', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [1, { type: 'launch-failed', agent: 't/a', attempt: 1, message: 'no such directory' }],
    ]);
    expect(r.crew.agents['t/a']?.status).toEqual({ state: 'failed', at: 1, reason: 'launch' });
  });

  it('pause and resume freeze and thaw a running agent', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [1, launched('t/a', 1)],
      [2, { type: 'pause', agents: ['t/a'] }],
      [3, { type: 'pause', agents: ['t/a'] }],
      [4, { type: 'resume', agents: ['t/a'] }],
    ]);
    expect(r.effects.map((e) => e.type)).toEqual(['launch', 'freeze', 'thaw']);
    expect(r.states['t/a']).toBe('running');
  });

  it('ignores events of stale attempts', () => {
    const r = run([agent('a')], [
      [0, { type: 'tick' }],
      [1, launched('t/a', 1)],
      [2, exited('t/a', 7, 1)],
      [3, launched('t/a', 9)],
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ status: { state: 'running', since: 1 }, attempt: 1, pid: 101 });
  });

  it('max_parallel releases the next agent when a slot frees', () => {
    const specs = [agent('a'), agent('b'), agent('c')];
    const over = { maxParallel: new Map([['t', 2]]) };
    const r = run(specs, [
      [0, { type: 'tick' }],
      [1, launched('t/a', 1)],
      [2, launched('t/b', 1)],
      [3, exited('t/a', 1, 0)],
    ], over);
    expect(r.effects.map((e) => `${'agent' in e ? e.agent : ''}@${e.at}`)).toEqual(['t/a@0', 't/b@0', 't/c@3']);
    expect(r.states).toEqual({ 't/a': 'done', 't/b': 'running', 't/c': 'starting' });
  });

  it('nextDeadline is the earliest backoff end or timeout', () => {
    const specs = [agent('a', { timeoutMs: 5000 }), agent('b')];
    const r = run(specs, [
      [0, { type: 'tick' }],
      [10, launched('t/a', 1)],
      [10, launched('t/b', 1)],
      [20, exited('t/b', 1, 1)],
    ]);
    expect(nextDeadline(r.crew, specs)).toBe(1020);
    expect(nextDeadline(newCrew(specs), specs)).toBeNull();
  });
});
