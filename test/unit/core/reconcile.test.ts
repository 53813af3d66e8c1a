import { describe, expect, it } from 'vitest';
import { freshRuntime, type AgentRuntime, type AgentStatus, type CrewState, type Handoff } from '../../../src/core/agent-state.js';
import { reconcile, type ObservedPane } from '../../../src/core/reconcile.js';

const rt = (status: AgentStatus, over: Partial<AgentRuntime> = {}): AgentRuntime => ({
  ...freshRuntime('t/a'),
  status,
  attempt: 2,
  pid: 50,
  restarts: 1,
  restartTimes: [5],
  ...over,
});
const pane = (over: Partial<ObservedPane> = {}): ObservedPane => ({
  agentId: 't/a',
  paneId: '%4',
  pid: 50,
  dead: false,
  deadStatus: null,
  attempt: 2,
  ...over,
});
const running: AgentStatus = { state: 'running', since: 1 };
const crew = (agents: Record<string, AgentRuntime>, handoffs: Handoff[] = []): CrewState => ({ agents, pressure: { over: 1, under: 0 }, handoffs });

describe('reconcile', () => {
  it('keeps a running attempt as it is: same pid, counters kept, nothing to do', () => {
    const r = reconcile(crew({ 't/a': rt(running) }), [pane()], 100);
    expect(r.state.agents['t/a']).toEqual({ ...rt(running), pane: '%4' });
    expect(r.events).toEqual([]);
    expect(r.effects).toEqual([]);
  });

  it('an attempt that exited while no one watched becomes an exited event', () => {
    const r = reconcile(crew({ 't/a': rt(running) }), [pane({ dead: true, deadStatus: 3 })], 100);
    expect(r.events).toEqual([{ type: 'exited', agent: 't/a', attempt: 2, code: 3 }]);
  });

  it('a running agent whose pane is gone vanished', () => {
    const r = reconcile(crew({ 't/a': rt(running) }), [], 100);
    expect(r.events).toEqual([{ type: 'vanished', agent: 't/a', attempt: 2 }]);
    expect(r.state.agents['t/a']?.pane).toBeNull();
  });

  it('a running agent whose pane is a fresh placeholder vanished', () => {
    const r = reconcile(crew({ 't/a': rt(running) }), [pane({ attempt: null, dead: true, deadStatus: 0 })], 100);
    expect(r.events).toEqual([{ type: 'vanished', agent: 't/a', attempt: 2 }]);
  });

  it('adopts an attempt launched just before a crash', () => {
    const r = reconcile(crew({ 't/a': rt({ state: 'starting', since: 1 }) }), [pane({ attempt: 2, pid: 77 })], 100);
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'running', since: 100 }, pid: 77, attempt: 2 });
  });

  it('adopts a newer attempt than the ledger knows', () => {
    const r = reconcile(crew({ 't/a': rt({ state: 'backoff', until: 9, reason: 'exit' }) }), [pane({ attempt: 3, pid: 78 })], 100);
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'running' }, pid: 78, attempt: 3, restarts: 1 });
  });

  it('a launch cut off before it ran goes back to pending, uncounted', () => {
    const r = reconcile(crew({ 't/a': rt({ state: 'starting', since: 1 }) }), [pane({ attempt: 1, dead: true, deadStatus: 0 })], 100);
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'pending' }, attempt: 1, restarts: 1, pid: null });
    expect(r.events).toEqual([]);
  });

  it('finishes a stop that was under way', () => {
    const r = reconcile(crew({ 't/a': rt({ state: 'stopped', at: 1, reason: 'user', survivors: [] }) }), [pane()], 100);
    expect(r.effects).toEqual([{ type: 'kill', agent: 't/a', attempt: 2, graceful: true }]);
  });

  it('a done agent that still runs keeps its pid and state', () => {
    const r = reconcile(crew({ 't/a': rt({ state: 'done', at: 1 }) }), [pane()], 100);
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'done' }, pid: 50 });
    expect(r.events).toEqual([]);
  });

  it('pending agents stay pending and learn their pane', () => {
    const r = reconcile(crew({ 't/a': { ...freshRuntime('t/a') } }), [pane({ attempt: null, dead: true })], 100);
    expect(r.state.agents['t/a']).toMatchObject({ status: { state: 'pending' }, pane: '%4', pid: null });
  });

  it('keeps every part of the crew but the agents as it was: handoffs, pressure', () => {
    const handoffs: Handoff[] = [
      { id: 'h1', from: 't/pm', to: 't/a', message: 'go', file: null, state: 'delivered', created: 1, delivered: 2 },
      { id: 'h2', from: 't/pm', to: 't/a', message: 'more', file: null, state: 'pending', created: 3, delivered: null },
    ];
    const r = reconcile(crew({ 't/a': rt(running) }, handoffs), [], 100);
    expect(r.state.handoffs).toEqual(handoffs);
    expect(r.state.pressure).toEqual({ over: 1, under: 0 });
  });

  it('a stop cut off by a crash is finished: the kill reports when all is gone, pane alive or not', () => {
    const stopping: AgentStatus = { state: 'stopping', since: 1, reason: 'user' };
    for (const panes of [[pane()], [pane({ dead: true, deadStatus: 0 })], []]) {
      const r = reconcile(crew({ 't/a': rt(stopping) }), panes, 100);
      expect(r.state.agents['t/a']?.status).toEqual(stopping);
      expect(r.effects).toEqual([{ type: 'kill', agent: 't/a', attempt: 2, graceful: true }]);
      expect(r.events).toEqual([]);
    }
  });

  describe('a typing cut off by the last supervisor', () => {
    const h: Handoff = { id: 'h1', from: 't/b', to: 't/a', message: 'review the parser', file: null, state: 'pending', created: 1, delivered: null };
    const typing = (over: Partial<AgentRuntime> = {}) =>
      rt(running, { typing: 'handoff-h1', outbox: [{ id: 'handoff-h1', kind: 'handoff', handoff: 'h1', force: false, tries: 0 }], ...over });

    it('is resumed in a pane that still runs: a type effect that looks at the pane first', () => {
      const r = reconcile(crew({ 't/a': typing() }, [h]), [pane()], 100);
      expect(r.effects).toEqual([{ type: 'type', agent: 't/a', id: 'handoff-h1', text: 'Handoff from t/b: review the parser', force: false, resume: true }]);
      expect(r.state.agents['t/a']?.typing).toBe('handoff-h1');
    });

    it('a message keeps its text and its force', () => {
      const msg = typing({ typing: 'm1', outbox: [{ id: 'm1', kind: 'message', text: 'hello', force: true, tries: 1 }] });
      const r = reconcile(crew({ 't/a': msg }), [pane()], 100);
      expect(r.effects).toEqual([{ type: 'type', agent: 't/a', id: 'm1', text: 'hello', force: true, resume: true }]);
    });

    it('is dropped (the item stays queued) where the agent no longer runs, or the item is gone', () => {
      const gone = reconcile(crew({ 't/a': typing() }, [h]), [], 100);
      expect(gone.effects).toEqual([]);
      expect(gone.state.agents['t/a']?.typing).toBeNull();
      expect(gone.state.agents['t/a']?.outbox).toHaveLength(1);
      const noItem = reconcile(crew({ 't/a': typing({ outbox: [] }) }, [h]), [pane()], 100);
      expect(noItem.effects).toEqual([]);
      expect(noItem.state.agents['t/a']?.typing).toBeNull();
    });
  });
});
