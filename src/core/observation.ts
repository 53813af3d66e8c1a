/**
 * What the crew learns from looking at its agents (docs/status-json.md, "Activity"): each
 * pulse's screens, the agents' own hook reports and the CLIs' session ids. The hooks are the
 * authority where they spoke, the screen the fallback (core/sessions.ts); text typed into an
 * agent makes it busy until a later look earns idle again. Pure: part of the crew's step.
 */
import { isLive, type Activity, type ActivitySeen, type AgentRuntime } from './agent-state.js';
import { onReady, type CoordinationTx } from './coordination.js';
import { effectiveActivity, screenPatch } from './sessions.js';

/** What observing needs of the crew's transaction. */
export type ObservationTx = Pick<CoordinationTx, 'now' | 'get' | 'update' | 'notify'>;

/**
 * What the panes showed this pulse: the screen's state (the fallback to the hooks' word,
 * core/sessions.ts), the activity shown, and busy time summed.
 */
export function observe(tx: ObservationTx, activity: Record<string, ActivitySeen>, observedAt: number, intervalMs: number): void {
  for (const [id, seen] of Object.entries(activity)) {
    const rt = tx.get(id);
    if (!rt) continue;
    // Typed into after this look (or being typed into): idle must be earned from a later one.
    if (rt.typing !== null || (rt.typedAt !== null && observedAt < rt.typedAt)) {
      tx.update(id, { lastBusyAt: tx.now, busyMs: rt.busyMs + intervalMs });
      continue;
    }
    // start-up: the screen showed the CLI's input line (docs/presets.md, "Start-up")
    if (seen.ready && rt.readyAt === null) onReady(tx, id);
    const screen = screenPatch(rt, seen, tx.now);
    const a = effectiveActivity({ ...rt, ...screen }) ?? seen.activity;
    const busy = a === 'busy';
    // the screen's reason and line where it decided; the hook's word otherwise
    const fromScreen = a === seen.activity;
    const reason = fromScreen ? seen.reason : hookReason(a);
    const line = fromScreen && seen.activity === 'waiting' ? seen.line : null;
    // nothing to count or change: spare a copy of the agent
    if (!busy && Object.keys(screen).length === 0 && rt.activity === a && rt.activityReason === reason && rt.waitingLine === line) continue;
    tx.update(id, {
      ...screen,
      activity: a,
      activityReason: reason,
      waitingLine: line,
      lastBusyAt: busy ? tx.now : rt.lastBusyAt,
      busyMs: rt.busyMs + (busy ? intervalMs : 0),
    });
  }
}

/** The CLI's session id is known: chosen at launch, or told by a hook. */
export function onSession(tx: ObservationTx, id: string, attempt: number, session: string): void {
  const rt = tx.get(id);
  if (!rt || rt.attempt !== attempt || rt.session === session) return;
  tx.update(id, { session });
  tx.notify('info', id, 'session', `session ${session}`);
}

/** A hook of the current attempt spoke: the agent's state (the authority) and maybe its session. */
export function onHook(tx: ObservationTx, id: string, attempt: number, activity: Activity | null, session: string | null): void {
  const rt = tx.get(id);
  if (!rt || rt.attempt !== attempt || !isLive(rt.status)) return;
  if (session !== null) onSession(tx, id, attempt, session);
  // the CLI's own word that it waits for input counts as its input line shown (start-up)
  if (activity === 'idle' && rt.readyAt === null) onReady(tx, id);
  const now = tx.now;
  const cur = tx.get(id) as AgentRuntime;
  const next = { ...cur, hookAt: now, hookActivity: activity ?? cur.hookActivity };
  const a = effectiveActivity(next);
  const changed = a !== cur.activity;
  tx.update(id, {
    hookAt: now,
    hookActivity: next.hookActivity,
    activity: a,
    ...(changed ? { activityReason: a === null ? null : hookReason(a), waitingLine: null } : {}),
    lastBusyAt: a === 'busy' ? now : cur.lastBusyAt,
  });
}

/** The reason shown for an activity the agent's own hooks reported (docs/status-json.md, Activity). */
function hookReason(activity: Activity): string {
  return activity === 'waiting' ? 'permission' : 'hook';
}
