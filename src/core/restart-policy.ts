/**
 * What happens when an attempt ends: done, a restart after a backoff, or failure.
 * Pure: a function of the agent's spec, its counters, the exit code and the time.
 */
import type { AgentSpec } from '../config/types.js';
import type { AgentRuntime, FailReason } from './agent-state.js';

export type ExitDecision =
  | { kind: 'done' }
  | { kind: 'restart'; delayMs: number; restartTimes: number[] }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed'; reason: FailReason };

/** Exponential backoff: `backoff`, doubled for each recent restart, capped at `max_backoff`. */
export function backoffDelay(backoffMs: number, maxBackoffMs: number, recentRestarts: number): number {
  const factor = 2 ** Math.min(recentRestarts, 30);
  return Math.min(backoffMs * factor, Math.max(backoffMs, maxBackoffMs));
}

/**
 * Decide the fate of an attempt that ended with `code` (null: killed by a signal, or
 * unknown) or was ended by the supervisor for `cause` (e.g. `memory`).
 */
export function decideExit(
  spec: AgentSpec,
  rt: AgentRuntime,
  code: number | null,
  now: number,
  cause: FailReason = 'exit',
): ExitDecision {
  const success = code === 0 && cause === 'exit';

  if (spec.retries > 0) {
    if (success) return { kind: 'done' };
    if (rt.retriesUsed >= spec.retries) return { kind: 'failed', reason: cause };
    return { kind: 'retry', delayMs: backoffDelay(spec.restart.backoffMs, spec.restart.maxBackoffMs, rt.retriesUsed) };
  }

  const policy = spec.restart.policy;
  if (success && policy !== 'always') return { kind: 'done' };
  if (policy === 'never') return { kind: 'failed', reason: cause };

  const recent = rt.restartTimes.filter((t) => now - t < spec.restart.withinMs);
  if (recent.length >= spec.restart.max) return { kind: 'failed', reason: 'circuit' };
  return {
    kind: 'restart',
    delayMs: backoffDelay(spec.restart.backoffMs, spec.restart.maxBackoffMs, recent.length),
    restartTimes: [...recent, now],
  };
}
