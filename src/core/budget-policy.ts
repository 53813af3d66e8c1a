/**
 * Budgets (docs/team-file.md, "budget"): what an observation of an agent's tokens and cost
 * means against its budget. The figures are the agent's totals read from its CLI's own
 * transcripts (docs/needs-you.md, "Tokens and cost"); the budget counts what was spent since
 * its window began. Pure: (spec, runtime, observation, now) → the window kept in the
 * runtime and a decision; the crew's step acts on it (crew.ts).
 *
 * - The window begins at the first observation and begins again every `window` (a budget
 *   without one counts the whole run). A new window clears what was reached; an agent the
 *   budget paused is thawed.
 * - Reaching the budget acts once per window: `pause` freezes the agent (state `paused`,
 *   by `budget`), `stop` stops it (reason `budget`), `nudge` types the budget's nudge,
 *   `none` only tells. Each emits `budget-reached` with the figure.
 * - An agent under its budget again (the budget raised in the file) has it lifted: a
 *   budget-paused agent is thawed. A user who resumes a budget-paused agent keeps it
 *   running: the budget stays reached, and does not act again in this window.
 */
import type { AgentSpec, BudgetSpec } from '../config/types.js';
import type { AgentRuntime, BudgetWindow, TokenCounts } from './agent-state.js';
import type { CrewEffect, NotifyLevel } from './crew-events.js';
import { unreachable } from './exhaustive.js';

/** One reading of an agent's totals: tokens of each kind, and dollars (null: a model without a price). */
export interface TokenObservation {
  tokens: TokenCounts;
  cost: number | null;
}

export type BudgetReason = 'tokens' | 'cost';

export type BudgetDecision =
  | { kind: 'none' }
  /** the budget is reached: act per on_exceed */
  | { kind: 'reached'; reason: BudgetReason; figure: string; action: BudgetSpec['onExceed'] }
  /** under the budget again (raised): thaw if it paused the agent */
  | { kind: 'lifted'; figure: string }
  /** a new window began: thaw if it paused the agent */
  | { kind: 'new-window' };

export const ZERO_TOKENS: TokenCounts = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };

/** Tokens counted against a token budget: cache reads only when asked (they grow with a session's length, not its work). */
export function countedTokens(t: TokenCounts, countCache: boolean): number {
  return t.input + t.output + t.cacheWrite + (countCache ? t.cacheRead : 0);
}

function minus(a: TokenCounts, b: TokenCounts): TokenCounts {
  return { input: a.input - b.input, output: a.output - b.output, cacheWrite: a.cacheWrite - b.cacheWrite, cacheRead: a.cacheRead - b.cacheRead };
}

/** `5200000` → `5.2M`, `12500` → `12.5K`. */
export function tokensText(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}K`;
  return String(Math.round(n));
}

/** `$1.23` (`$0.0042` under a cent). */
export function dollarsText(n: number): string {
  return n < 0.01 && n > 0 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

/** What the budget counts in this window: tokens, and dollars when known. */
export function spent(window: BudgetWindow, obs: TokenObservation, countCache: boolean): { tokens: number; cost: number | null } {
  const tokens = countedTokens(minus(obs.tokens, window.baseTokens), countCache);
  const cost = obs.cost === null || window.baseCost === null ? obs.cost : obs.cost - window.baseCost;
  return { tokens, cost };
}

/** Which of the budget's figures is reached, with its wording, or null. */
function over(budget: BudgetSpec, used: { tokens: number; cost: number | null }): { reason: BudgetReason; figure: string } | null {
  if (budget.tokens !== null && used.tokens >= budget.tokens) {
    return { reason: 'tokens', figure: `${tokensText(used.tokens)} tokens of its ${tokensText(budget.tokens)} budget` };
  }
  if (budget.cost !== null && used.cost !== null && used.cost >= budget.cost) {
    return { reason: 'cost', figure: `${dollarsText(used.cost)} of its ${dollarsText(budget.cost)} budget` };
  }
  return null;
}

/** The figure of a budget not reached, for the lifted message. */
function under(budget: BudgetSpec, used: { tokens: number; cost: number | null }): string {
  const parts: string[] = [];
  if (budget.tokens !== null) parts.push(`${tokensText(used.tokens)} tokens of ${tokensText(budget.tokens)}`);
  if (budget.cost !== null) parts.push(`${used.cost === null ? 'cost unknown' : dollarsText(used.cost)} of ${dollarsText(budget.cost)}`);
  return parts.join(', ');
}

/**
 * Judges one observation. Returns the window to keep (null: no budget, nothing kept) and
 * what to do.
 */
export function judgeBudget(
  budget: BudgetSpec | null,
  rt: Pick<AgentRuntime, 'budget' | 'status'>,
  obs: TokenObservation,
  now: number,
): { window: BudgetWindow | null; decision: BudgetDecision } {
  const pausedByBudget = rt.status.state === 'paused' && rt.status.by === 'budget';
  if (budget === null) {
    // the budget was taken out of the file: nothing holds the agent any more
    return { window: null, decision: pausedByBudget ? { kind: 'lifted', figure: 'no budget' } : { kind: 'none' } };
  }
  let window: BudgetWindow = rt.budget ?? { start: now, baseTokens: ZERO_TOKENS, baseCost: 0, reached: null };
  const wasReached = window.reached !== null;
  let fresh = false;
  if (budget.windowMs !== null && now - window.start >= budget.windowMs) {
    const periods = Math.floor((now - window.start) / budget.windowMs);
    window = { start: window.start + periods * budget.windowMs, baseTokens: obs.tokens, baseCost: obs.cost, reached: null };
    fresh = true;
  }
  // A cost learnt later (a price added) counts from the window's start as nothing spent before.
  if (window.baseCost === null && obs.cost !== null) window = { ...window, baseCost: obs.cost };
  const used = spent(window, obs, budget.countCache);
  const hit = over(budget, used);
  if (hit === null) {
    if (window.reached !== null) window = { ...window, reached: null };
    if (pausedByBudget) return { window, decision: fresh ? { kind: 'new-window' } : { kind: 'lifted', figure: under(budget, used) } };
    return { window, decision: fresh && wasReached ? { kind: 'new-window' } : { kind: 'none' } };
  }
  if (window.reached !== null) return { window, decision: { kind: 'none' } };
  return { window: { ...window, reached: hit.figure }, decision: { kind: 'reached', reason: hit.reason, figure: hit.figure, action: budget.onExceed } };
}

/** What applying budgets needs from the step that runs it. */
export interface BudgetTx {
  readonly now: number;
  get(id: string): AgentRuntime | undefined;
  update(id: string, patch: Partial<AgentRuntime>): void;
  effect(e: CrewEffect): void;
  notify(level: NotifyLevel, agent: string | null, kind: string, message: string): void;
  /** stops the agent as `muster stop` does, with this reason */
  stopFor(id: string, reason: 'budget'): void;
  /** queues text to type into the agent once it is idle */
  nudge(id: string, text: string): void;
}

/** Judges every observed agent's budget and acts on what is reached or lifted. */
export function applyBudgets(tx: BudgetTx, specs: readonly AgentSpec[], tokens: Readonly<Record<string, TokenObservation>>): void {
  for (const spec of specs) {
    const obs = tokens[spec.id];
    const rt = tx.get(spec.id);
    if (!obs || !rt) continue;
    if (spec.budget === null && rt.budget === null && !(rt.status.state === 'paused' && rt.status.by === 'budget')) continue;
    const { window, decision } = judgeBudget(spec.budget, rt, obs, tx.now);
    if (window !== rt.budget) tx.update(spec.id, { budget: window });
    const pausedByBudget = rt.status.state === 'paused' && rt.status.by === 'budget';
    switch (decision.kind) {
      case 'none':
        break;
      case 'reached':
        reached(tx, spec.id, rt, decision, spec.budget?.nudge ?? null);
        break;
      case 'lifted':
      case 'new-window': {
        const why = decision.kind === 'lifted' ? `budget lifted (${decision.figure})` : 'a new budget window began';
        if (pausedByBudget) {
          tx.update(spec.id, { status: { state: 'running', since: tx.now } });
          tx.effect({ type: 'thaw', agent: spec.id });
          tx.notify('info', spec.id, 'budget-lifted', `${why}: resumed`);
        } else tx.notify('info', spec.id, 'budget-lifted', why);
        break;
      }
      default:
        unreachable(decision);
    }
  }
}

function reached(tx: BudgetTx, id: string, rt: AgentRuntime, d: Extract<BudgetDecision, { kind: 'reached' }>, nudge: string | null): void {
  const live = rt.status.state === 'running' || rt.status.state === 'throttled';
  tx.effect({ type: 'budget-reached', agent: id, reason: d.reason, figure: d.figure, action: d.action });
  switch (d.action) {
    case 'pause':
      if (!live) return tx.notify('warn', id, 'budget', `reached ${d.figure}`);
      if (rt.status.state === 'throttled') tx.effect({ type: 'unthrottle', agent: id });
      tx.update(id, { status: { state: 'paused', since: tx.now, by: 'budget' } });
      tx.effect({ type: 'freeze', agent: id });
      return tx.notify('warn', id, 'budget', `reached ${d.figure}: paused (resume with p or muster resume, or raise the budget)`);
    case 'stop':
      tx.notify('warn', id, 'budget', `reached ${d.figure}: stopping`);
      return tx.stopFor(id, 'budget');
    case 'nudge':
      tx.nudge(id, nudge ?? BUDGET_NUDGE(d.figure));
      return tx.notify('warn', id, 'budget', `reached ${d.figure}: nudged`);
    case 'none':
      return tx.notify('warn', id, 'budget', `reached ${d.figure}`);
    default:
      return unreachable(d.action);
  }
}

/** The text typed into an agent whose budget is reached with on_exceed nudge (the budget's `nudge` replaces it). */
export const BUDGET_NUDGE = (figure: string): string =>
  `You have used ${figure}. Please wrap up: finish the current step, commit, and check in with \`$MUSTER_BIN checkin "<state of the work>"\`.`;
