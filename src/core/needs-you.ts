/**
 * "It needs you" (docs/needs-you.md): the moments a person must act, derived from one step's
 * crew before and after, so each is raised once per occurrence and not again until the
 * agent's state changes and comes back. Pure: the runner routes what this returns to the
 * TUI, the terminal, the desktop and the user's notify command.
 *
 * - `waiting`: a live agent's screen turned to a prompt (permission, question, dialog);
 * - `failed`: an agent failed (circuit open, timeout, memory, check-in, launch), or muster
 *   ended it for a limit or a missed check-in and restarts it;
 * - `budget`: an agent reached its budget (the step's `budget-reached` effect, judged in
 *   budget-policy.ts once per window), whatever muster did about it;
 * - `done`: the whole crew has finished (nothing left running or to start).
 */
import { isAlive, type AgentRuntime, type CrewState } from './agent-state.js';
import type { NeedsYouKind } from '../config/types.js';
import type { CrewEffect } from './crew-events.js';

export type { NeedsYouKind } from '../config/types.js';

export interface NeedsYou {
  kind: NeedsYouKind;
  /** the agent, or null for the whole crew (`done`) */
  agent: string | null;
  /** `permission`, `question`, `dialog`, `circuit`, `memory`, `timeout`, `checkin`, `tokens`, … */
  reason: string;
  /** one line for a person */
  message: string;
  /** the screen line or the figure that caused it */
  detail: string | null;
}

/** Restarts for these causes are muster's doing (a limit, a missed check-in): the user should know. */
const FORCED_RESTARTS = new Set(['memory', 'timeout', 'checkin', 'pids']);

/** What needs the user, newly, after one step (`effects`: the step's, for the figure that caused it). */
export function needsYouOf(before: CrewState, after: CrewState, effects: readonly CrewEffect[]): NeedsYou[] {
  const found: NeedsYou[] = [];
  for (const [id, rt] of Object.entries(after.agents)) {
    const was = before.agents[id];
    if (!was || was === rt) continue;
    const raised = agentNeedsYou(was, rt, figureOf(effects, id));
    if (raised) found.push(raised);
  }
  for (const e of effects) {
    if (e.type !== 'budget-reached') continue;
    const did = e.action === 'pause' ? 'paused' : e.action === 'stop' ? 'stopped' : e.action === 'nudge' ? 'nudged' : 'left running';
    found.push({ kind: 'budget', agent: e.agent, reason: e.reason, message: `${e.agent} reached its budget (${e.figure}); ${did}`, detail: e.figure });
  }
  const done = crewDone(before, after);
  if (done) found.push(done);
  return found;
}

/** Why this agent needs the user now, if it newly does. */
function agentNeedsYou(was: AgentRuntime, rt: AgentRuntime, figure: string | null): NeedsYou | null {
  const id = rt.id;
  const s = rt.status;
  if (s.state === 'failed' && was.status.state !== 'failed') {
    return { kind: 'failed', agent: id, reason: s.reason, message: `${id} failed (${s.reason})`, detail: figure };
  }
  if (s.state === 'backoff' && was.status.state !== 'backoff' && FORCED_RESTARTS.has(s.reason)) {
    return { kind: 'failed', agent: id, reason: s.reason, message: `${id} was ended (${s.reason}) and is restarting`, detail: figure };
  }
  if (s.state === 'stopped' && was.status.state !== 'stopped' && (s.reason === 'memory' || s.reason === 'checkin')) {
    return { kind: 'failed', agent: id, reason: s.reason, message: `${id} was stopped (${s.reason})`, detail: figure };
  }
  if (isAlive(s) && s.state !== 'stopping' && rt.activity === 'waiting' && was.activity !== 'waiting') {
    const reason = rt.activityReason ?? 'prompt';
    return { kind: 'waiting', agent: id, reason, message: `${id} is waiting (${reason})`, detail: rt.waitingLine };
  }
  return null;
}

/** The event line the core wrote for this agent in this step (the figure or the words of why), warnings and errors first. */
function figureOf(effects: readonly CrewEffect[], agent: string): string | null {
  let found: string | null = null;
  for (const e of effects) {
    if (e.type !== 'notify' || e.agent !== agent) continue;
    if (e.level !== 'info') return e.message;
    found ??= e.message;
  }
  return found;
}

/** Agents in these states will do nothing more on their own. */
function finished(rt: AgentRuntime): boolean {
  const s = rt.status.state;
  return s === 'done' || s === 'failed' || s === 'stopped';
}

/**
 * The crew is done: every agent finished, at least one by this step, and at least one did
 * its work (`done`) — a crew that only failed or was stopped has said so already.
 */
function crewDone(before: CrewState, after: CrewState): NeedsYou | null {
  const agents = Object.values(after.agents);
  if (agents.length === 0 || !agents.every(finished)) return null;
  if (Object.values(before.agents).every(finished)) return null;
  if (!agents.some((rt) => rt.status.state === 'done')) return null;
  const count = (state: string) => agents.filter((rt) => rt.status.state === state).length;
  const parts = [`${count('done')} done`, `${count('failed')} failed`, `${count('stopped')} stopped`].filter((p) => !p.startsWith('0 '));
  return { kind: 'done', agent: null, reason: 'done', message: `the crew is done: ${parts.join(', ')}`, detail: null };
}

/** What each agent needs the user for right now (the TUI's marks and badge), or null. */
export function needsYouNow(rt: AgentRuntime): { kind: NeedsYouKind; reason: string } | null {
  const s = rt.status;
  if (s.state === 'failed') return { kind: 'failed', reason: s.reason };
  if (s.state === 'paused' && s.by === 'budget') return { kind: 'budget', reason: rt.budget?.reached ?? 'budget' };
  if (isAlive(s) && s.state !== 'stopping' && rt.activity === 'waiting') return { kind: 'waiting', reason: rt.activityReason ?? 'prompt' };
  return null;
}
