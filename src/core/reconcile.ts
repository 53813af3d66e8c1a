/**
 * Picking a crew back up: the ledger says what the last supervisor believed, tmux says
 * what is really there. Pure: agents whose attempt still runs are kept as they are (same
 * pid, counters kept); attempts that ended while no one watched become `exited` or
 * `vanished` events for the lifecycle to judge; launches cut off by a crash go back to
 * pending without counting as restarts.
 */
import { isAlive, type AgentRuntime, type CrewState } from './agent-state.js';
import { handoffText } from './coordination.js';
import type { CrewEffect, CrewEvent } from './crew-events.js';

export interface ObservedPane {
  agentId: string;
  paneId: string;
  pid: number;
  dead: boolean;
  deadStatus: number | null;
  /** the attempt launched in it, or null for a pane that never ran the agent */
  attempt: number | null;
}

export interface Reconciled {
  state: CrewState;
  /** events to step through, in order, once the crew is loaded */
  events: CrewEvent[];
  effects: CrewEffect[];
}

export function reconcile(crew: CrewState, panes: readonly ObservedPane[], now: number): Reconciled {
  const byAgent = new Map(panes.map((p) => [p.agentId, p]));
  const agents: Record<string, AgentRuntime> = {};
  const events: CrewEvent[] = [];
  const effects: CrewEffect[] = [];
  for (const [id, rt] of Object.entries(crew.agents)) {
    const pane = byAgent.get(id);
    const result = reconcileOne(rt, pane, now);
    agents[id] = result.rt;
    if (result.event) events.push(result.event);
    if (result.effect) effects.push(result.effect);
    const resumed = resumeTyping(crew, result.rt, result.event !== undefined || result.effect !== undefined);
    agents[id] = resumed.rt;
    if (resumed.effect) effects.push(resumed.effect);
  }
  return { state: { ...crew, agents }, events, effects };
}

/**
 * An outbox item saved as being typed: the last supervisor stopped between the paste and
 * the confirmation. Where the agent still runs, the runner looks at its pane and submits
 * what is there, or clears the line and types again (docs/presets.md, "Typing"); where it
 * does not, the item waits for the next attempt.
 */
function resumeTyping(crew: CrewState, rt: AgentRuntime, ended: boolean): { rt: AgentRuntime; effect?: CrewEffect } {
  if (rt.typing === null) return { rt };
  const item = rt.outbox.find((o) => o.id === rt.typing);
  const h = item?.kind === 'handoff' ? crew.handoffs.find((x) => x.id === item.handoff) : undefined;
  const text = item === undefined ? null : item.kind === 'handoff' ? (h ? handoffText(h) : null) : item.text;
  if (ended || !item || text === null || !isAlive(rt.status) || rt.status.state === 'starting' || rt.pane === null) return { rt: { ...rt, typing: null } };
  return { rt, effect: { type: 'type', agent: rt.id, id: item.id, text, force: item.force, resume: true } };
}

function reconcileOne(
  rt: AgentRuntime,
  pane: ObservedPane | undefined,
  now: number,
): { rt: AgentRuntime; event?: CrewEvent; effect?: CrewEffect } {
  const ran = pane && pane.attempt !== null ? pane : undefined;
  const located = { ...rt, pane: pane?.paneId ?? null };

  if (rt.status.state === 'stopping') {
    // A stop the last supervisor did not see through: finish it (the kill reports when all is gone).
    const pid = ran && !ran.dead ? ran.pid : null;
    return { rt: { ...located, pid }, effect: { type: 'kill', agent: rt.id, attempt: rt.attempt, graceful: true } };
  }

  if (ran && !ran.dead) {
    const attempt = ran.attempt ?? rt.attempt;
    const live = { ...located, pid: ran.pid, attempt };
    if (isAlive(rt.status) && rt.status.state !== 'starting' && rt.attempt === attempt) return { rt: live };
    if (rt.status.state === 'stopped' || (rt.status.state === 'failed' && rt.status.reason === 'timeout')) {
      // A stop that the last supervisor did not see through: finish it.
      return { rt: live, effect: { type: 'kill', agent: rt.id, attempt, graceful: true } };
    }
    if (rt.status.state === 'done' || rt.status.state === 'failed') return { rt: live };
    // Launched but not yet recorded (a crash between launch and ledger write): adopt it.
    return { rt: { ...live, status: { state: 'running', since: now }, startedAt: rt.startedAt ?? now } };
  }

  if (rt.status.state === 'starting') {
    // The launch never completed (or completed and died unseen): try again, uncounted.
    if (ran && ran.attempt === rt.attempt) {
      return { rt: { ...located, pid: null }, event: { type: 'exited', agent: rt.id, attempt: rt.attempt, code: ran.deadStatus } };
    }
    return { rt: { ...located, pid: null, attempt: Math.max(0, rt.attempt - 1), status: { state: 'pending', reason: 'after' } } };
  }

  if (isAlive(rt.status)) {
    const attempt = rt.attempt;
    if (ran && ran.attempt === attempt) {
      return { rt: located, event: { type: 'exited', agent: rt.id, attempt, code: ran.deadStatus } };
    }
    return { rt: located, event: { type: 'vanished', agent: rt.id, attempt } };
  }

  return { rt: { ...located, pid: null } };
}
