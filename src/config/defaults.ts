/** Built-in defaults (README, "A team file"), applied after a team's own `defaults`. */
import { DEFAULT_LOG_CAP } from '../sys/capped-log.js';
import type { LogsSpec, NotifySpec, Priority, RestartSpec } from './types.js';

/** Typed into an agent whose check-in is overdue, unless the team says otherwise. */
export const DEFAULT_CHECKIN_NUDGE = 'Please check in: run `muster checkin "<one line on your progress>"`.';
/** Typed into an agent whose last commit is too old, unless the team says otherwise. */
export const DEFAULT_COMMIT_NUDGE = 'Please commit your work now (git add -A && git commit).';
/** How long past a missed check-in before `on_miss` acts. */
export const DEFAULT_CHECKIN_GRACE_MS = 5 * 60_000;
/** Restart policy and backoff of an agent whose team says nothing. */
export const DEFAULT_RESTART: RestartSpec = {
  policy: 'on-failure',
  max: 5,
  withinMs: 10 * 60_000,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
};
/** Start order and pause order of an agent whose team says nothing. */
export const DEFAULT_PRIORITY: Priority = 'normal';
/** The sampling and enforcement period when muster.yaml says nothing. */
export const DEFAULT_PULSE_MS = 2000;
/** The layout name of a team that names none: one window per agent. */
export const DEFAULT_LAYOUT_NAME = 'default';
/** The log cap when no file sets one: `logs: { max: 50MiB, keep: 3 }` (at most 200 MiB per agent). */
export const DEFAULT_LOGS: LogsSpec = DEFAULT_LOG_CAP;
/** Processes (threads included) an agent may have at once where the cgroup pids controller exists. */
export const DEFAULT_PIDS = 4096;

/** Needs-you events go to the desktop, and to a notify command for every kind (docs/needs-you.md). */
export const DEFAULT_NOTIFY: NotifySpec = { command: null, on: ['waiting', 'failed', 'budget', 'done'], timeoutMs: 10_000, desktop: true };
