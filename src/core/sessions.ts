/**
 * The agent CLI's own conversation and what its hooks report (README, "Sessions, resume
 * and hooks"; docs/presets.md). Pure: functions of the agent's runtime, its spec and the
 * time, used by the crew's transaction.
 *
 * - The session id is learnt at launch (muster chose it) or from a hook, and kept in the
 *   ledger. An automatic restart (crash, memory limit, check-in escalation, pane gone)
 *   launches the CLI with its resume form and types no first prompt; a reset starts a new
 *   conversation unless asked to keep it (`muster restart --resume`).
 * - A resumed attempt that ends with a failure before it showed any sign of life (no
 *   idle or waiting screen, no hook) within `RESUME_PROOF_MS` is taken as the CLI refusing the
 *   session (its files gone or corrupt): muster says so and starts a new conversation at once.
 * - Hooks are the authority for busy / waiting / idle; the screen's state is the fallback
 *   before any hook spoke, and wins only when it has shown idle since the last hook (a
 *   turn the CLI ended without a hook, e.g. interrupted with Esc); that idle spends the
 *   hook's word, so the screen decides until the next hook.
 */
import type { AgentSpec } from '../config/types.js';
import type { Activity, ActivitySeen, AgentRuntime } from './agent-state.js';

/** A resumed attempt that fails sooner than this, showing nothing, did not resume. */
export const RESUME_PROOF_MS = 60_000;

/** Does this agent restart into its conversation? */
export function resumes(spec: AgentSpec): boolean {
  return spec.resume === 'auto' && spec.preset.session.resume !== null;
}

/** The session the next launch resumes, or null for a fresh conversation. */
export function sessionToResume(spec: AgentSpec, rt: AgentRuntime): string | null {
  return resumes(spec) && rt.resumeNext && rt.session !== null ? rt.session : null;
}

/** Did the resumed attempt that just ended fail to resume (the CLI refused the session)? */
export function resumeRefused(rt: AgentRuntime, code: number | null, now: number): boolean {
  if (rt.resumed === null || code === 0) return false;
  const shortLived = rt.startedAt === null || now - rt.startedAt < RESUME_PROOF_MS;
  return shortLived && !rt.shown && rt.hookAt === null;
}

/** The state shown and acted on: the hook's, unless the screen has shown idle since the hook last spoke. */
export function effectiveActivity(rt: Pick<AgentRuntime, 'hookActivity' | 'hookAt' | 'screenActivity' | 'screenSince'>): Activity | null {
  if (rt.hookAt === null || rt.hookActivity === null) return rt.screenActivity;
  if (rt.screenActivity === 'idle' && rt.hookActivity !== 'idle' && rt.screenSince !== null && rt.screenSince > rt.hookAt) return 'idle';
  return rt.hookActivity;
}

/** Where the shown state comes from (status --json `activity_source`). */
export function activitySource(rt: Pick<AgentRuntime, 'hookActivity' | 'hookAt' | 'screenActivity' | 'screenSince'>): 'hook' | 'screen' | null {
  const a = effectiveActivity(rt);
  if (a === null) return null;
  return rt.hookAt !== null && rt.hookActivity === a ? 'hook' : 'screen';
}

/**
 * The screen's state this pulse: kept with the time it last changed. An idle screen that
 * overrules the hooks' busy or waiting spends that word: the CLI ended the turn without a
 * hook (Codex says nothing when a prompt is declined with Esc), so later screens decide until
 * a hook speaks again — a repaint read as busy must not bring back a prompt long answered.
 */
export function screenPatch(rt: AgentRuntime, seen: ActivitySeen, now: number): Partial<AgentRuntime> {
  const screen = seen.activity;
  // Only a screen a rule knows (idle, waiting) proves the CLI came up: not fresh output
  // (busy), nor a quiet screen no rule matched (a preset with `quiet: 0s` reads it as idle).
  const shown = rt.shown || (screen !== 'busy' && seen.known);
  const patch: Partial<AgentRuntime> =
    rt.screenActivity === screen && rt.shown === shown ? {} : { screenActivity: screen, screenSince: rt.screenActivity === screen ? rt.screenSince : now, shown };
  const next = { ...rt, ...patch };
  const spent = next.hookActivity !== null && next.hookActivity !== 'idle' && effectiveActivity(next) === 'idle';
  return spent ? { ...patch, hookActivity: null } : patch;
}

/** Fields a new attempt starts with: nothing seen, nothing reported. */
export const FRESH_OBSERVATION = { screenActivity: null, screenSince: null, shown: false, hookActivity: null, hookAt: null } as const;
