/**
 * What flows into the core (events) and out of it (effects). The runner turns IO into
 * events and effects into IO; the core never does either.
 */
import type { Activity, ActivitySeen } from './agent-state.js';
import type { TokenObservation } from './budget-policy.js';
import type { Usage } from './limits-policy.js';
import type { NeedsYou } from './needs-you.js';

export type CrewEvent =
  /** time has passed: start what may start, end backoffs, enforce timeouts */
  | { type: 'tick' }
  /** the runner started an attempt in its pane */
  | { type: 'launched'; agent: string; attempt: number; pane: string; pid: number }
  | { type: 'launch-failed'; agent: string; attempt: number; message: string }
  /** the attempt's pane process exited (code null: killed by a signal or unknown) */
  | { type: 'exited'; agent: string; attempt: number; code: number | null; cause?: 'memory' | 'pids' }
  /** the agent's pane disappeared without an exit status */
  | { type: 'vanished'; agent: string; attempt: number }
  /**
   * a `kill` effect finished: the attempt's processes are gone, but for `survivors` (pids
   * still there after SIGKILL); `code`: how its pane process ended, when tmux knows
   */
  | { type: 'killed'; agent: string; attempt: number; code: number | null; survivors: number[] }
  /** `muster checkin` from inside the agent */
  | { type: 'checkin'; agent: string; message: string | null }
  /** `muster done` from inside the agent */
  | { type: 'done'; agent: string; message: string | null }
  /** `muster handoff` from inside the agent; from an agent with a worktree, its branch and head commit */
  | { type: 'handoff'; id: string; from: string; to: string; message: string; file: string | null; branch?: string | null; commit?: string | null }
  /** one pulse's measurements (agents that were measured); the machine load is in the context */
  | {
      type: 'usage';
      agents: Record<string, Usage>;
      /** what each live agent's pane shows; how long since the last pulse */
      activity?: Record<string, ActivitySeen>;
      /** when the screens were looked at (before this event's time); default: the event's time */
      observedAt?: number;
      intervalMs?: number;
      /** last commit time of agents in a git repository with `commit.every` */
      commits?: Record<string, number | null>;
      /** each agent's tokens and cost so far, read from its CLI's transcripts (agents with one) */
      tokens?: Record<string, TokenObservation>;
    }
  /** what typing an outbox item into the agent came to */
  | { type: 'typed'; agent: string; id: string; outcome: TypedOutcome }
  /** `muster send`; force: type even if the agent is busy */
  | { type: 'message'; agent: string; id: string; text: string; force: boolean }
  /** the user asks for a check-in now */
  | { type: 'nudge'; agent: string }
  /** the user asks to deliver a pending handoff now */
  | { type: 'deliver'; handoff: string }
  /** user commands */
  | { type: 'stop'; agents: string[]; reason?: 'user' | 'down' }
  /** `keepSession`: back into the CLI's conversation (`muster restart --resume`), else a new one */
  | { type: 'reset'; agents: string[]; keepSession?: boolean }
  /** the agent CLI's session id is known (chosen at launch) */
  | { type: 'session'; agent: string; attempt: number; id: string }
  /** the agent's own hook reported its state (null: only its session) and maybe its session id */
  | { type: 'hook'; agent: string; attempt: number; activity: Activity | null; session: string | null }
  | { type: 'pause'; agents: string[] }
  | { type: 'resume'; agents: string[] };

/** What typing an outbox item came to (docs/presets.md, "Typing"). */
export type TypedOutcome =
  /** the agent visibly took it */
  | { result: 'submitted' }
  /**
   * nothing was typed: the screen was not ready (a prompt, a dialog, a draft, busy), as
   * `seen` says; the item stays queued and no try is counted
   */
  | { result: 'refused'; why: string; seen: ActivitySeen | null }
  /** typed, but the agent did not visibly take it; `left`: muster's text still sits in its input */
  | { result: 'unconfirmed'; why: string; left: boolean };

export type NotifyLevel = 'info' | 'warn' | 'error';

export type CrewEffect =
  /** start attempt `attempt` of the agent in its pane; `resume`: back into this session of the CLI, null: a new one */
  | { type: 'launch'; agent: string; attempt: number; resume: string | null }
  /** end the processes of the agent's attempt: graceful = interrupt, TERM, then KILL; answer with a `killed` event */
  | { type: 'kill'; agent: string; attempt: number; graceful: boolean }
  /**
   * hold the agent's processes to `cpu` percent of one core (where no cgroup quota does);
   * `refresh`: it is held already, this pulse's processes (children born since) join
   */
  | { type: 'throttle'; agent: string; cpu: number; refresh: boolean }
  | { type: 'unthrottle'; agent: string }
  /**
   * type text into the agent's pane and submit it; answer with a `typed` event. `force`:
   * whatever the screen shows; `resume`: a supervisor that stopped during this typing may
   * have typed it already — look at the pane first
   */
  | { type: 'type'; agent: string; id: string; text: string; force: boolean; resume?: boolean; retry?: boolean }
  | { type: 'freeze'; agent: string }
  | { type: 'thaw'; agent: string }
  /** the agent has no process left: give back what holds its processes (its cgroup, duty cycling) */
  | { type: 'release'; agent: string }
  /**
   * the agent reached its budget (core/budget-policy.ts): a needs-you occurrence, once per
   * window; `action` is what muster did about it (on_exceed)
   */
  | { type: 'budget-reached'; agent: string; reason: 'tokens' | 'cost'; figure: string; action: 'pause' | 'stop' | 'nudge' | 'none' }
  /** something happened that users should see (event line, log, TUI) */
  | { type: 'notify'; level: NotifyLevel; agent: string | null; kind: string; message: string }
  /** the user is needed (a prompt, a failure, a budget, the crew done): raised once per occurrence (needs-you.ts) */
  | { type: 'needs-you'; needs: NeedsYou };

/** An effect that only keeps up what already holds (a pulse with only these changes nothing). */
export function isRefresh(effect: CrewEffect): boolean {
  return effect.type === 'throttle' && effect.refresh;
}

export interface StepResult<S> {
  state: S;
  effects: CrewEffect[];
}
