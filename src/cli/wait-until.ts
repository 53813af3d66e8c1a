/**
 * `muster wait`'s judgement (docs/commands.md, "wait"): does a status snapshot show the
 * condition for every named agent, can it still come, and what each agent shows. Pure.
 */
import { UsageError } from '../errors.js';
import type { AgentStatusView, StatusView } from '../supervisor/control/contract.js';

export const WAIT_CONDITIONS = ['idle', 'waiting', 'done', 'failed', 'change'] as const;
export type WaitCondition = (typeof WAIT_CONDITIONS)[number];

export function parseCondition(text: string | undefined): WaitCondition {
  if (text === undefined) throw new UsageError('say what to wait for with --until', `Use --until ${WAIT_CONDITIONS.join('|')}.`);
  if (!(WAIT_CONDITIONS as readonly string[]).includes(text)) {
    throw new UsageError(`unknown condition "${text}" for --until`, `Use one of ${WAIT_CONDITIONS.join(', ')}.`);
  }
  return text as WaitCondition;
}

/** The agents' ids for the names given (an id, or a name unique in the crew). */
export function resolveNames(view: StatusView, names: readonly string[]): string[] {
  return names.map((name) => {
    const found = view.agents.filter((a) => a.id === name || a.name === name);
    if (found.length === 1) return (found[0] as AgentStatusView).id;
    if (found.length > 1) throw new UsageError(`"${name}" is ambiguous: ${found.map((a) => a.id).join(', ')}`, `Name the agent with its team, e.g. \`${found[0]?.id}\`.`);
    throw new UsageError(`no agent "${name}" in this crew`, `Known agents: ${view.agents.map((a) => a.id).join(', ') || '(none)'}.`);
  });
}

/** What an agent shows, for `change` and for the output: `running, idle`. */
export function seenText(a: AgentStatusView): string {
  const activity = a.activity ? `, ${a.activity}${a.activityReason && a.activity === 'waiting' ? ` (${a.activityReason})` : ''}` : '';
  return `${a.state}${a.reason && a.state !== 'running' ? ` (${a.reason})` : ''}${activity}`;
}

const FINISHED = new Set(['done', 'failed', 'stopped']);

/** Does the agent show the condition now? `first`: what it showed when the wait began (for `change`). */
export function holds(a: AgentStatusView, condition: WaitCondition, first: string): boolean {
  switch (condition) {
    case 'idle':
      return !FINISHED.has(a.state) && a.pid !== null && a.activity === 'idle';
    case 'waiting':
      return !FINISHED.has(a.state) && a.activity === 'waiting';
    case 'done':
      return a.state === 'done';
    case 'failed':
      return a.state === 'failed';
    case 'change':
      return seenText(a) !== first;
  }
}

/** The condition can no longer come on its own (the agent finished otherwise): why, or null. */
export function neverNow(a: AgentStatusView, condition: WaitCondition): string | null {
  if (condition === 'change' || !FINISHED.has(a.state) || holds(a, condition, '')) return null;
  return `${a.id} is ${a.state}: it will not be ${condition} on its own`;
}

export type Judgement = { kind: 'holds' } | { kind: 'never'; why: string } | { kind: 'wait' };

/**
 * Every agent shows the condition (an agent that showed it once, for `change`, counts as
 * holding); or one can no longer get there; or wait on.
 */
export function judge(view: StatusView, ids: readonly string[], condition: WaitCondition, first: ReadonlyMap<string, string>, met: Set<string>): Judgement {
  for (const id of ids) {
    const a = view.agents.find((x) => x.id === id);
    if (!a) return { kind: 'never', why: `${id} is no longer in the crew` };
    if (holds(a, condition, first.get(id) ?? '')) {
      if (condition === 'change') met.add(id);
      continue;
    }
    if (condition === 'change' && met.has(id)) continue;
    const never = neverNow(a, condition);
    if (never) return { kind: 'never', why: never };
    return { kind: 'wait' };
  }
  return { kind: 'holds' };
}
