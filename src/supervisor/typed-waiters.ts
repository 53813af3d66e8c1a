/**
 * `muster send` waits for its message to be typed (docs/commands.md, "Working with agents"). The runner keeps
 * one waiter per outbox item and hears each step's `typed` event here, with the crew before
 * and after the step.
 */
import type { CrewState } from '../core/agent-state.js';
import type { CrewEvent } from '../core/crew-events.js';
import type { Clock } from '../sys/time.js';

/** How typing an outbox item ended: submitted, or given up and why. */
export interface TypedResult {
  submitted: boolean;
  why: string | null;
  /** a forced item the screen refused (a prompt on it): it now waits for the agent to be ready */
  queued?: boolean;
}

export class TypedWaiters {
  private readonly waiters = new Map<string, (result: TypedResult) => void>();

  constructor(private readonly clock: Clock) {}

  /** Resolves once the outbox item was submitted or given up (with why), or at the timeout. */
  wait(itemId: string, timeoutMs: number): Promise<TypedResult | 'timeout'> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(itemId);
        resolve('timeout');
      }, timeoutMs);
      this.waiters.set(itemId, (result) => {
        this.clock.clearTimeout(timer);
        this.waiters.delete(itemId);
        resolve(result);
      });
    });
  }

  /**
   * A waiter hears the end of its item: submitted, given up (gone from the outbox without
   * being submitted), or — forced, and refused by a prompt on screen — queued now with why.
   * A refusal of an item that was not forced is no answer: it waits for the agent's next idle.
   */
  settle(event: CrewEvent, before: CrewState, after: CrewState): void {
    if (event.type !== 'typed') return;
    const waiter = this.waiters.get(event.id);
    if (!waiter) return;
    const { outcome } = event;
    const forced = before.agents[event.agent]?.outbox.some((o) => o.id === event.id && o.force) === true;
    const stillQueued = after.agents[event.agent]?.outbox.some((o) => o.id === event.id) === true;
    if (outcome.result === 'submitted') waiter({ submitted: true, why: null });
    else if (outcome.result === 'refused' && forced && stillQueued) waiter({ submitted: false, why: outcome.why, queued: true });
    else if (!stillQueued) waiter({ submitted: false, why: outcome.why });
  }
}
