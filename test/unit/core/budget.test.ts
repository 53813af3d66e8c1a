/** Budgets in the pure core: tables in milliseconds, observations of an agent's totals. */
import { describe, expect, it } from 'vitest';
import type { BudgetSpec } from '../../../src/config/types.js';
import { freshRuntime, type AgentRuntime, type CrewState, type TokenCounts } from '../../../src/core/agent-state.js';
import { judgeBudget, type TokenObservation } from '../../../src/core/budget-policy.js';
import type { CrewEffect } from '../../../src/core/crew-events.js';
import { needsYouNow } from '../../../src/core/needs-you.js';
import { step } from '../../../src/core/crew.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { agent, context } from '../../helpers/specs.js';

const budget = (over: Partial<BudgetSpec> = {}): BudgetSpec => ({ tokens: 1000, cost: null, windowMs: null, onExceed: 'pause', countCache: false, nudge: null, ...over });
const tokens = (input: number, over: Partial<TokenCounts> = {}): TokenCounts => ({ input, output: 0, cacheWrite: 0, cacheRead: 0, ...over });
const obs = (input: number, over: Partial<TokenCounts> = {}, cost: number | null = null): TokenObservation => ({ tokens: tokens(input, over), cost });
const running = (over: Partial<AgentRuntime> = {}): AgentRuntime => ({ ...freshRuntime('t/a'), status: { state: 'running', since: 0 }, pid: 10, attempt: 1, ...over });

describe('judgeBudget', () => {
  it.each([
    ['under the token budget', budget(), running(), obs(999), 'none', null],
    ['at the token budget: reached', budget(), running(), obs(1000), 'reached', '1K tokens of its 1K budget'],
    ['cache reads are not counted…', budget(), running(), obs(10, { cacheRead: 5000 }), 'none', null],
    ['…unless count_cache', budget({ countCache: true }), running(), obs(10, { cacheRead: 5000 }), 'reached', '5K tokens of its 1K budget'],
    ['output and cache writes count', budget(), running(), obs(400, { output: 300, cacheWrite: 300 }), 'reached', '1K tokens of its 1K budget'],
    ['a cost budget reached', budget({ tokens: null, cost: 2 }), running(), obs(1, {}, 2.5), 'reached', '$2.50 of its $2.00 budget'],
    ['a cost budget with the cost unknown: never reached', budget({ tokens: null, cost: 2 }), running(), obs(1e9), 'none', null],
  ] as const)('%s', (_n, b, rt, o, kind, figure) => {
    const r = judgeBudget(b, rt, o, 5000);
    expect(r.decision.kind).toBe(kind);
    expect(r.window?.reached ?? null).toBe(figure);
    expect(r.window?.start).toBe(5000);
  });

  it('reached acts once per window; a new window counts afresh and clears it', () => {
    const b = budget({ windowMs: 60_000 });
    const first = judgeBudget(b, running(), obs(1200), 1000);
    expect(first.decision.kind).toBe('reached');
    const again = judgeBudget(b, running({ budget: first.window }), obs(1500), 2000);
    expect(again.decision.kind).toBe('none');
    const next = judgeBudget(b, running({ budget: again.window }), obs(1600), 61_000);
    expect(next.decision.kind).toBe('new-window');
    expect(next.window).toEqual({ start: 61_000, baseTokens: tokens(1600), baseCost: null, reached: null });
    expect(judgeBudget(b, running({ budget: next.window }), obs(2599), 62_000).decision.kind).toBe('none');
    expect(judgeBudget(b, running({ budget: next.window }), obs(2600), 62_000).decision.kind).toBe('reached');
  });

  it('a raised budget lifts it (the agent it paused is thawed); a budget taken out lifts it too', () => {
    const paused = running({ status: { state: 'paused', since: 1, by: 'budget' }, budget: { start: 0, baseTokens: tokens(0), baseCost: 0, reached: 'x' } });
    expect(judgeBudget(budget({ tokens: 5000 }), paused, obs(1200), 10).decision).toEqual({ kind: 'lifted', figure: '1.2K tokens of 5K' });
    expect(judgeBudget(budget(), paused, obs(1200), 10).decision.kind).toBe('none');
    expect(judgeBudget(null, paused, obs(1200), 10)).toEqual({ window: null, decision: { kind: 'lifted', figure: 'no budget' } });
  });
});

describe('budgets in the crew step', () => {
  const spec = (b: Partial<BudgetSpec> = {}) => agent('a', { budget: budget(b) });
  const crewWith = (rt: AgentRuntime): CrewState => ({ ...newCrew([spec()]), agents: { 't/a': rt } });
  const tokensEvent = (o: TokenObservation) => ({ type: 'usage' as const, agents: {}, tokens: { 't/a': o } });
  const kinds = (effects: CrewEffect[]) => effects.map((e) => (e.type === 'notify' ? `notify:${e.kind}` : e.type));

  it('pause: frozen at the threshold, paused (budget), budget-reached with the figure; resume thaws and it stays resumed', () => {
    const s = spec();
    const r = step(crewWith(running()), tokensEvent(obs(1000)), context([s], 3000));
    expect(r.state.agents['t/a']?.status).toEqual({ state: 'paused', since: 3000, by: 'budget' });
    expect(kinds(r.effects)).toEqual(['budget-reached', 'freeze', 'notify:budget', 'needs-you']);
    expect(r.effects[0]).toEqual({ type: 'budget-reached', agent: 't/a', reason: 'tokens', figure: '1K tokens of its 1K budget', action: 'pause' });
    // the user hears of it once, as a needs-you of kind budget, and status shows what it needs now
    expect(r.effects.at(-1)).toEqual({
      type: 'needs-you',
      needs: { kind: 'budget', agent: 't/a', reason: 'tokens', message: 't/a reached its budget (1K tokens of its 1K budget); paused', detail: '1K tokens of its 1K budget' },
    });
    expect(needsYouNow(r.state.agents['t/a']!)).toEqual({ kind: 'budget', reason: '1K tokens of its 1K budget' });
    const resumed = step(r.state, { type: 'resume', agents: ['t/a'] }, context([s], 4000));
    expect(resumed.state.agents['t/a']?.status.state).toBe('running');
    expect(kinds(resumed.effects)).toContain('thaw');
    const later = step(resumed.state, tokensEvent(obs(3000)), context([s], 5000));
    expect(later.state.agents['t/a']?.status.state).toBe('running');
    expect(kinds(later.effects)).not.toContain('budget-reached');
  });

  it('a raised budget (a reloaded file) thaws the agent the budget paused', () => {
    const paused = step(crewWith(running()), tokensEvent(obs(1000)), context([spec()], 3000)).state;
    const raised = spec({ tokens: 10_000 });
    const r = step(paused, tokensEvent(obs(1100)), context([raised], 4000));
    expect(r.state.agents['t/a']?.status.state).toBe('running');
    expect(kinds(r.effects)).toEqual(['thaw', 'notify:budget-lifted']);
  });

  it('stop stops the agent with reason budget; nudge queues the text; none only tells', () => {
    const stopped = step(crewWith(running()), tokensEvent(obs(1000)), context([spec({ onExceed: 'stop' })], 1));
    expect(stopped.state.agents['t/a']?.status).toEqual({ state: 'stopping', since: 1, reason: 'budget' });
    expect(kinds(stopped.effects)).toEqual(['budget-reached', 'notify:budget', 'kill', 'notify:stopping', 'needs-you']);
    const nudged = step(crewWith(running({ activity: 'busy' })), tokensEvent(obs(1000)), context([spec({ onExceed: 'nudge', nudge: 'wrap up' })], 1));
    expect(nudged.state.agents['t/a']?.outbox.map((o) => (o.kind === 'handoff' ? '' : o.text))).toEqual(['wrap up']);
    expect(nudged.state.agents['t/a']?.status.state).toBe('running');
    const told = step(crewWith(running()), tokensEvent(obs(1000)), context([spec({ onExceed: 'none' })], 1));
    expect(kinds(told.effects)).toEqual(['budget-reached', 'notify:budget', 'needs-you']);
    expect(told.state.agents['t/a']?.status.state).toBe('running');
  });

  it('an agent without a budget keeps no window; a throttled agent is unthrottled before it is frozen', () => {
    const none = step(crewWith(running()), tokensEvent(obs(1e9)), context([agent('a')], 1));
    expect(none.state.agents['t/a']?.budget).toBeNull();
    expect(none.effects).toEqual([]);
    const hot = step(crewWith(running({ status: { state: 'throttled', since: 0 } })), tokensEvent(obs(1000)), context([spec()], 1));
    expect(kinds(hot.effects)).toEqual(['budget-reached', 'unthrottle', 'freeze', 'notify:budget', 'needs-you']);
  });
});
