/**
 * Coordination: check-in cadence, commit cadence, handoffs, and the outbox of
 * text waiting to be typed into each agent (first prompt, handoffs, nudges, messages).
 * Pure: these functions read the agent and the time and act through a transaction.
 */
import type { AgentSpec } from '../config/types.js';
import type { AgentRuntime, Handoff, OutboxItem } from './agent-state.js';
import type { CrewEffect, NotifyLevel, TypedOutcome } from './crew-events.js';
import { unreachable } from './exhaustive.js';

/** What coordination needs from the step that runs it. */
export interface CoordinationTx {
  readonly now: number;
  get(id: string): AgentRuntime | undefined;
  spec(id: string): AgentSpec | undefined;
  update(id: string, patch: Partial<AgentRuntime>): void;
  effect(e: CrewEffect): void;
  notify(level: NotifyLevel, agent: string | null, kind: string, message: string): void;
  /** ends the attempt for a missed check-in (restart per policy, or stop) */
  endForCheckin(id: string, action: 'restart' | 'stop', why: string): void;
  handoffs: Handoff[];
}

const typing = (rt: AgentRuntime) => rt.status.state === 'running' || rt.status.state === 'throttled';

/** Adds text to an agent's outbox (a nudge of a kind already waiting is not queued twice). */
export function enqueue(tx: CoordinationTx, id: string, item: OutboxItem): void {
  const rt = tx.get(id);
  if (!rt) return;
  if ((item.kind === 'nudge' || item.kind === 'commit') && rt.outbox.some((o) => o.kind === item.kind)) return;
  tx.update(id, { outbox: item.kind === 'prompt' ? [item, ...rt.outbox] : [...rt.outbox, item] });
}

/**
 * Can the agent take text now? Idle, and no draft (text someone left in its input) — never
 * busy, never waiting on a prompt or a dialog (docs/presets.md, "Typing").
 */
export function takesText(rt: AgentRuntime): boolean {
  return rt.activity === 'idle' && rt.activityReason !== 'draft';
}

/**
 * Types the next outbox item into each agent that can take it: running, nothing being
 * typed already, and idle without a draft — or the item was forced by the user.
 */
export function flushOutboxes(tx: CoordinationTx, specs: readonly AgentSpec[]): void {
  for (const spec of specs) {
    const rt = tx.get(spec.id);
    if (!rt || !typing(rt) || rt.typing !== null) continue;
    const next = rt.outbox[0];
    // Before its input line showed, a CLI loses what is typed: not even a forced item goes.
    if (!next || rt.readyAt === null || (!next.force && !takesText(rt) && !ownDraft(rt, next))) continue;
    // a try that was not confirmed: the next one gives a slow CLI more time first
    if (next.tries > 0 && rt.typedAt !== null && tx.now < rt.typedAt + next.tries * RETRY_GAP_MS) continue;
    const text = next.kind === 'handoff' ? handoffTextOf(tx, next.handoff) : next.text;
    if (text === null) {
      tx.update(spec.id, { outbox: rt.outbox.slice(1) }); // its handoff is gone: nothing to type
      continue;
    }
    // Typing makes the agent busy at once: the next item waits for a look at its screen after this.
    // The hooks' last word is from before this text: the next look at the screen (or hook) decides.
    tx.update(spec.id, { typing: next.id, activity: 'busy', activityReason: 'typed', waitingLine: null, typedAt: tx.now, hookActivity: null });
    // a retry: the try before was not confirmed, but a slow CLI may have taken it after all
    tx.effect({ type: 'type', agent: spec.id, id: next.id, text, force: next.force, ...(next.tries > 0 ? { retry: true } : {}) });
  }
}

/** How many typed-but-unconfirmed tries an item gets before it is given up. */
export const TYPING_TRIES = 3;

/** A retry waits this long times the tries before it (a CLI still starting may not take Enter yet). */
export const RETRY_GAP_MS = 5_000;

/** The draft in the agent's input is the text an unconfirmed try of this item left there. */
function ownDraft(rt: AgentRuntime, item: OutboxItem): boolean {
  return item.left === true && rt.activity === 'idle' && rt.activityReason === 'draft';
}

/** The runner typed (or did not type) an outbox item. */
export function onTyped(tx: CoordinationTx, id: string, itemId: string, outcome: TypedOutcome): void {
  const rt = tx.get(id);
  if (!rt || rt.typing !== itemId) return;
  const item = rt.outbox.find((o) => o.id === itemId);
  if (outcome.result === 'refused') {
    // Nothing typed: the item waits for the agent to be ready again, no try counted.
    // A forced item is refused only by a prompt or dialog on screen: it now waits like any other.
    const seen = outcome.seen;
    // The input holds someone else's text now: the item waits for it to be cleared.
    const theirs = seen?.reason === 'draft';
    const outbox = item?.force || (theirs && item?.left) ? rt.outbox.map((o) => (o.id !== itemId ? o : { ...(theirs ? withoutLeft(o) : o), force: false })) : rt.outbox;
    tx.update(id, { typing: null, outbox, ...(seen ? { activity: seen.activity, activityReason: seen.reason, waitingLine: seen.activity === 'waiting' ? seen.line : null } : {}) });
    return;
  }
  // The CLI's own hook said it took the text, whatever the screen's read-back showed.
  if (outcome.result === 'unconfirmed' && !hookTook(rt, item)) {
    const tries = (item?.tries ?? 0) + 1;
    const giveUp = tries >= TYPING_TRIES;
    tx.update(id, {
      typing: null,
      typedAt: tx.now,
      outbox: giveUp ? rt.outbox.filter((o) => o.id !== itemId) : rt.outbox.map((o) => (o.id === itemId ? { ...withoutLeft(o), tries, ...(outcome.left ? { left: true as const } : {}) } : o)),
    });
    if (giveUp) tx.notify('warn', id, 'not-delivered', notDelivered(tx, item, tries, outcome.why, outcome.left));
    return;
  }
  // A hook's word since the typing began is newer than the typing, forced or not, however the
  // text was confirmed: the read-back can end after the CLI already asks (Codex's permission
  // prompt), and a busy put over that word would end the prompt's needs-you and raise it again
  // at the next look. Else typing made it busy.
  const activity = hookSinceTyping(rt) ? {} : { activity: 'busy' as const, activityReason: 'typed', waitingLine: null };
  tx.update(id, { typing: null, typedAt: tx.now, ...activity, outbox: rt.outbox.filter((o) => o.id !== itemId) });
  if (item?.kind === 'handoff') {
    const h = tx.handoffs.find((x) => x.id === item.handoff);
    if (h && h.state === 'pending') {
      h.state = 'delivered';
      h.delivered = tx.now;
      tx.notify('info', id, 'delivered', `handoff from ${h.from} delivered`);
    }
  } else if (item?.kind === 'nudge') {
    tx.notify('info', id, 'nudged', 'check-in nudge typed');
  } else if (item?.kind === 'prompt') {
    tx.notify('info', id, 'prompted', 'first prompt typed');
  }
}

/**
 * The CLI's own hook said a turn began (`busy`) or that it asks (`waiting`) after muster
 * began typing an item into its idle input: the CLI took the text (docs/presets.md,
 * "Typing", step 5). Not for a forced item: typed into a busy agent, a hook may speak of
 * the turn already running.
 */
function hookTook(rt: AgentRuntime, item: OutboxItem | undefined): boolean {
  return item !== undefined && !item.force && hookSinceTyping(rt);
}

/** The CLI's hook said `busy` or `waiting` after muster began typing into it. */
function hookSinceTyping(rt: AgentRuntime): boolean {
  if (rt.typedAt === null || rt.hookAt === null || rt.hookAt < rt.typedAt) return false;
  return rt.hookActivity === 'busy' || rt.hookActivity === 'waiting';
}

/** The item without its `left` mark. */
function withoutLeft(item: OutboxItem): OutboxItem {
  if (item.left === undefined) return item;
  const { left: _left, ...rest } = item;
  return rest;
}

/** The event line of an item given up: what, why, and what is left to do. */
function notDelivered(tx: CoordinationTx, item: OutboxItem | undefined, tries: number, why: string, left: boolean): string {
  const what = item?.kind === 'handoff' ? `handoff from ${tx.handoffs.find((h) => h.id === item.handoff)?.from ?? '?'}` : item?.kind === 'prompt' ? 'first prompt' : (item?.kind ?? 'text');
  const after = item?.kind === 'handoff' ? '; the handoff stays pending (h in the TUI delivers it)' : '';
  const input = left ? '; its text is left in the input (no key is known to clear it safely): submit or clear it there' : '';
  return `${what} not delivered after ${tries} tries: ${why}${after}${input}`;
}

/** A new attempt runs: its prompt goes first; nudges meant for the last attempt go. */
export function onLaunched(tx: CoordinationTx, id: string): void {
  const rt = tx.get(id);
  const spec = tx.spec(id);
  if (!rt || !spec) return;
  // a new process: nothing of an earlier try is left in its input
  const kept = rt.outbox.filter((o) => o.kind === 'handoff' || o.kind === 'message').map(withoutLeft);
  tx.update(id, {
    // a resumed conversation has had its first prompt
    outbox: spec.prompt && rt.resumed === null ? [{ id: `prompt-${rt.attempt}`, kind: 'prompt', text: spec.prompt, force: false, tries: 0 }, ...kept] : kept,
    typing: null,
    overdueSince: null,
    lastNudgeAt: null,
    escalated: false,
    stallNotified: false,
  });
}

export function onCheckin(tx: CoordinationTx, id: string, message: string | null): void {
  if (!tx.get(id)) return;
  tx.update(id, { lastCheckin: tx.now, checkinMessage: message, overdueSince: null, escalated: false });
}

/** Where the sender's work is: `on branch muster/web/dev at 1a2b3c4` (empty without a worktree). */
export function branchNote(branch: string | null | undefined, commit: string | null | undefined): string {
  if (!branch) return '';
  return commit ? `on branch ${branch} at ${commit.slice(0, 7)}` : `on branch ${branch}`;
}

export function onHandoff(
  tx: CoordinationTx,
  h: { id: string; from: string; to: string; message: string; file: string | null; branch?: string | null; commit?: string | null },
): void {
  if (tx.handoffs.some((x) => x.id === h.id)) return;
  onCheckin(tx, h.from, `handed off to ${h.to}`);
  const where = branchNote(h.branch, h.commit);
  tx.handoffs.push({ ...h, state: 'pending', created: tx.now, delivered: null });
  enqueue(tx, h.to, { id: `handoff-${h.id}`, kind: 'handoff', handoff: h.id, force: false, tries: 0 });
  tx.notify('info', h.from, 'handoff', `handed off to ${h.to}${where ? ` (${where})` : ''}: ${oneLine(h.message)}`);
}

/** The user asks to deliver a pending handoff now, busy or not (also one given up before). */
export function forceHandoff(tx: CoordinationTx, handoffId: string): boolean {
  const h = tx.handoffs.find((x) => x.id === handoffId && x.state === 'pending');
  const rt = h ? tx.get(h.to) : undefined;
  if (!h || !rt) return false;
  const queued = rt.outbox.some((o) => o.kind === 'handoff' && o.handoff === handoffId);
  const outbox: OutboxItem[] = queued
    ? rt.outbox.map((o) => (o.kind === 'handoff' && o.handoff === handoffId ? { ...o, force: true, tries: 0 } : o))
    : [...rt.outbox, { id: `handoff-${handoffId}`, kind: 'handoff', handoff: handoffId, force: true, tries: 0 }];
  tx.update(h.to, { outbox });
  return true;
}

/** What is typed into the target of a handoff. */
export function handoffText(h: Handoff): string {
  const where = branchNote(h.branch, h.commit);
  return `Handoff from ${h.from}${where ? ` (${where})` : ''}: ${h.message}${h.file ? `\n(file: ${h.file})` : ''}`;
}

function handoffTextOf(tx: CoordinationTx, id: string): string | null {
  const h = tx.handoffs.find((x) => x.id === id);
  return h ? handoffText(h) : null;
}

/**
 * Check-in cadence: due `every` after the last check-in (or the start); overdue → the
 * nudge is queued; past `grace` → `on_miss` (nudge again every grace, restart, stop, none).
 */
export function judgeCheckins(tx: CoordinationTx, specs: readonly AgentSpec[]): void {
  for (const spec of specs) {
    const rt = tx.get(spec.id);
    const c = spec.checkin;
    if (!rt || !c || !typing(rt) || rt.startedAt === null) continue;
    const due = (rt.lastCheckin !== null && rt.lastCheckin > rt.startedAt ? rt.lastCheckin : rt.startedAt) + c.everyMs;
    if (tx.now < due) continue;
    const nudge = (): void => {
      enqueue(tx, spec.id, { id: `nudge-${tx.now}`, kind: 'nudge', text: c.nudge, force: false, tries: 0 });
      tx.update(spec.id, { lastNudgeAt: tx.now });
    };
    if (rt.overdueSince === null) {
      tx.update(spec.id, { overdueSince: due });
      nudge();
      tx.notify('warn', spec.id, 'overdue', `no check-in for ${minutes(tx.now - (due - c.everyMs))}: overdue, nudged`);
    } else if (!rt.escalated && tx.now >= rt.overdueSince + c.graceMs) {
      tx.update(spec.id, { escalated: true });
      const late = `no check-in ${minutes(tx.now - rt.overdueSince)} past due`;
      switch (c.onMiss) {
        case 'nudge':
          nudge();
          tx.notify('warn', spec.id, 'missed', `${late}: nudged again`);
          break;
        case 'restart':
        case 'stop':
          tx.endForCheckin(spec.id, c.onMiss, late);
          break;
        case 'none':
          tx.notify('warn', spec.id, 'missed', `${late} (on_miss: none)`);
          break;
        default:
          unreachable(c.onMiss);
      }
    } else if (rt.escalated && c.onMiss === 'nudge' && rt.lastNudgeAt !== null && tx.now >= rt.lastNudgeAt + c.graceMs) {
      nudge();
    }
  }
}

/**
 * Commit cadence: an agent in a git repository whose last commit is older than
 * `commit.every`, and that has been busy since, is asked to commit (at most once per
 * interval).
 */
export function judgeCommits(tx: CoordinationTx, specs: readonly AgentSpec[], commits: Readonly<Record<string, number | null>>): void {
  for (const spec of specs) {
    const rt = tx.get(spec.id);
    const c = spec.commit;
    const last = commits[spec.id];
    if (!rt || !c || last === undefined || !typing(rt)) continue;
    const since = last ?? rt.startedAt ?? tx.now;
    const active = rt.lastBusyAt !== null && rt.lastBusyAt > since;
    const nudgedRecently = rt.lastCommitNudgeAt !== null && tx.now - rt.lastCommitNudgeAt < c.everyMs;
    if (tx.now - since < c.everyMs || !active || nudgedRecently) continue;
    enqueue(tx, spec.id, { id: `commit-${tx.now}`, kind: 'commit', text: c.nudge, force: false, tries: 0 });
    tx.update(spec.id, { lastCommitNudgeAt: tx.now });
    tx.notify('info', spec.id, 'commit-nudge', `last commit ${last === null ? 'never' : `${minutes(tx.now - last)} ago`}: asked to commit`);
  }
}

/** The attempt's screen showed the CLI's input line for the first time: its outbox may go. */
export function onReady(tx: Pick<CoordinationTx, 'now' | 'get' | 'update' | 'notify'>, id: string): void {
  const rt = tx.get(id);
  if (!rt || rt.readyAt !== null) return;
  tx.update(id, { readyAt: tx.now });
  if (rt.notReadyNotified && rt.startedAt !== null) tx.notify('info', id, 'ready', `ready after ${minutes(tx.now - rt.startedAt)}: its input line shows`);
}

/**
 * Start-up (docs/presets.md, "Start-up"): an attempt whose screen has not shown the CLI's
 * input line within its preset's `ready.timeout` is reported once — unless it shows a
 * prompt or dialog, which needs-you reports already.
 */
export function judgeReadiness(tx: CoordinationTx, specs: readonly AgentSpec[]): void {
  for (const spec of specs) {
    const rt = tx.get(spec.id);
    if (!rt || !typing(rt) || rt.startedAt === null || rt.readyAt !== null || rt.notReadyNotified) continue;
    if (tx.now - rt.startedAt < spec.preset.ready.timeoutMs || rt.activity === 'waiting') continue;
    tx.update(spec.id, { notReadyNotified: true });
    const waits = rt.outbox.length > 0 ? `; nothing typed yet (${rt.outbox.length} waiting)` : '';
    tx.notify('warn', spec.id, 'not-ready', `no input line ${minutes(tx.now - rt.startedAt)} after the start (preset ${spec.preset.name}, ready.timeout)${waits}: muster explain ${spec.id} shows its screen`);
  }
}

/** `expect`: a running agent past twice its expected time is flagged once per attempt. */
export function judgeStalls(tx: CoordinationTx, specs: readonly AgentSpec[]): void {
  for (const spec of specs) {
    const rt = tx.get(spec.id);
    if (!rt || spec.expectMs === null || !typing(rt) || rt.startedAt === null || rt.stallNotified) continue;
    if (tx.now - rt.startedAt <= 2 * spec.expectMs) continue;
    tx.update(spec.id, { stallNotified: true });
    tx.notify('warn', spec.id, 'stalled', `running ${minutes(tx.now - rt.startedAt)}, more than twice the ${minutes(spec.expectMs)} expected: stalled?`);
  }
}

function minutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
