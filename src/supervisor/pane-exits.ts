/**
 * Which attempts have ended, from one listing of the crew's panes: a pane that is dead
 * with the agent's current attempt, or an agent whose pane is gone. tmux reports a pane
 * dead a moment before it has reaped the process and knows how it ended, so an exit with
 * neither status nor signal is judged only after a grace period.
 */
import type { AgentSpec } from '../config/types.js';
import { isAlive, type CrewState } from '../core/agent-state.js';
import type { CrewEvent } from '../core/crew-events.js';
import type { ObservedPane } from '../core/reconcile.js';
import type { PaneState } from './ports.js';

export const UNKNOWN_EXIT_GRACE_MS = 3000;

/** The crew's panes as the core's reconcile reads them (agents' panes only; attempt as a number). */
export function observedPanes(panes: readonly PaneState[]): ObservedPane[] {
  return panes
    .filter((p) => p.agentId !== null)
    .map((p) => ({
      agentId: p.agentId as string,
      paneId: p.paneId,
      pid: p.panePid,
      dead: p.dead,
      deadStatus: p.deadStatus,
      attempt: p.attempt ? Number(p.attempt) : null,
    }));
}

export class PaneExits {
  /** panes seen dead without a known exit, since when */
  private readonly deadSince = new Map<string, number>();

  /**
   * The `exited` / `vanished` events for `panes`, and whether some exit is still
   * unknown (the caller looks again shortly). `busy(id)`: an effect of the agent is under
   * way (a launch or a stop), so its pane is in flux; `oomKilled(id)`: its cgroup saw an
   * OOM kill since the launch; `pidsLimited(id)`: its pids limit refused a fork since then
   * (a failing exit is then put down to the limit).
   */
  judge(
    specs: readonly AgentSpec[],
    crew: CrewState,
    panes: readonly PaneState[],
    now: number,
    busy: (id: string) => boolean,
    oomKilled: (id: string) => boolean,
    pidsLimited: (id: string) => boolean = () => false,
  ): { events: CrewEvent[]; pending: boolean } {
    const byAgent = new Map(panes.filter((p) => p.agentId).map((p) => [p.agentId as string, p]));
    const events: CrewEvent[] = [];
    let pending = false;
    for (const spec of specs) {
      const rt = crew.agents[spec.id];
      if (!rt || rt.status.state === 'starting' || busy(spec.id)) continue;
      if (!isAlive(rt.status) && rt.pid === null) continue;
      const pane = byAgent.get(spec.id);
      if (!pane) {
        events.push({ type: 'vanished', agent: spec.id, attempt: rt.attempt });
      } else if (pane.dead && Number(pane.attempt) === rt.attempt) {
        if (!this.exitKnown(pane, now)) {
          pending = true;
          continue;
        }
        const alive = isAlive(rt.status);
        const cause =
          alive && oomKilled(spec.id) ? ('memory' as const) : alive && pane.deadStatus !== 0 && pidsLimited(spec.id) ? ('pids' as const) : undefined;
        events.push({ type: 'exited', agent: spec.id, attempt: rt.attempt, code: pane.deadStatus, cause });
      }
    }
    return { events, pending };
  }

  private exitKnown(pane: PaneState, now: number): boolean {
    if (pane.deadStatus !== null || pane.deadSignal !== null || now - (this.deadSince.get(pane.paneId) ?? now) >= UNKNOWN_EXIT_GRACE_MS) {
      this.deadSince.delete(pane.paneId);
      return true;
    }
    if (!this.deadSince.has(pane.paneId)) this.deadSince.set(pane.paneId, now);
    return false;
  }
}
