/**
 * The runtime state of one agent: one type per lifecycle state, plus the
 * counters every state carries. Plain data, JSON-serialisable: it is what the ledger
 * persists and what a new supervisor picks up after a crash.
 */
export type PendingReason = 'after' | 'max_parallel' | 'ceiling' | 'uses';
export type FailReason = 'exit' | 'circuit' | 'timeout' | 'memory' | 'pids' | 'checkin' | 'launch' | 'lost';
export type StopReason = 'user' | 'memory' | 'checkin' | 'down' | 'budget';

export type AgentStatus =
  | { state: 'pending'; reason: PendingReason }
  | { state: 'starting'; since: number }
  | { state: 'running'; since: number }
  | { state: 'throttled'; since: number }
  | { state: 'paused'; since: number; by: 'user' | 'ceiling' | 'budget' }
  | { state: 'backoff'; until: number; reason: FailReason }
  /** asked to stop: its processes are being ended (interrupt, TERM, KILL) */
  | { state: 'stopping'; since: number; reason: StopReason }
  /** its processes are gone; `survivors`: pids still there after SIGKILL (normally none) */
  | { state: 'stopped'; at: number; reason: StopReason; survivors: number[] }
  | { state: 'done'; at: number }
  | { state: 'failed'; at: number; reason: FailReason };

export type AgentStateName = AgentStatus['state'];

export type Activity = 'busy' | 'idle' | 'waiting';

/**
 * What an agent's screen showed when it was looked at (docs/status-json.md, "Activity"):
 * the activity, why (a waiting rule's `permission`, `question`, `picker` or `dialog`; a
 * busy rule's word, `output`, `no-prompt` or `typed`; `draft`, an idle rule's word or
 * `quiet`), and for `waiting` the screen line that showed the prompt.
 */
export interface ActivitySeen {
  activity: Activity;
  reason: string;
  line: string | null;
  /** the screen shows the CLI's input line: it takes text */
  ready: boolean;
  /**
   * a preset rule, or text in the CLI's input line, recognised the screen: the CLI is up.
   * Quiet time or fresh output alone never sets it.
   */
  known: boolean;
}

/**
 * Text waiting to be typed into the agent once it can take it. A handoff's item names the
 * handoff (the crew's list owns it); its text is made from it when it is typed.
 */
export type OutboxItem = OutboxText | OutboxHandoff;

interface OutboxBase {
  id: string;
  /** typed even while the agent is busy (the user asked) */
  force: boolean;
  /** tries that were typed but not confirmed (three and it is given up) */
  tries: number;
  /**
   * the last try left its text in the agent's input (docs/presets.md, "Typing"): the draft
   * there is muster's own, so the next try presses Enter on it rather than waiting for
   * someone to clear it
   */
  left?: true;
}

export interface OutboxText extends OutboxBase {
  kind: 'prompt' | 'nudge' | 'commit' | 'message';
  text: string;
}

export interface OutboxHandoff extends OutboxBase {
  kind: 'handoff';
  /** the id of the handoff it delivers */
  handoff: string;
}

/** A handoff from one agent to another; the crew's `handoffs` list is its one owner. */
export interface Handoff {
  id: string;
  from: string;
  to: string;
  message: string;
  file: string | null;
  /** the sender's worktree branch and its head commit at the handoff (docs/worktrees.md) */
  branch?: string | null;
  commit?: string | null;
  state: 'pending' | 'delivered';
  created: number;
  delivered: number | null;
}

export interface AgentRuntime {
  id: string;
  status: AgentStatus;
  /** the tmux pane that holds the agent (kept across restarts) */
  pane: string | null;
  /** the pane's process (a session leader) of the current attempt, while it lives */
  pid: number | null;
  /** launches so far; the current (or last) attempt's number */
  attempt: number;
  /** restarts since the last reset (shown to users) */
  restarts: number;
  /** times of recent automatic restarts, for the circuit breaker */
  restartTimes: number[];
  /** re-runs used by a one-shot agent (`retries`) */
  retriesUsed: number;
  exitCode: number | null;
  /** when the current attempt started running, and when the last one ended */
  startedAt: number | null;
  endedAt: number | null;
  doneMessage: string | null;
  /** the last check-in (`muster checkin`, `handoff` or `done`) and its message */
  lastCheckin: number | null;
  checkinMessage: string | null;
  /** consecutive pulses over the memory limit, and calm under the CPU limit while throttled */
  memoryOver: number;
  cpuCalm: number;
  /** its state (the hooks' where they spoke, else the screen's; core/sessions.ts), and when it was last seen busy */
  activity: Activity | null;
  /** why it has that activity (see ActivitySeen) */
  activityReason: string | null;
  /** the screen line that showed the prompt it waits on */
  waitingLine: string | null;
  lastBusyAt: number | null;
  /** time seen busy, summed over pulses */
  busyMs: number;
  outbox: OutboxItem[];
  /** the outbox item being typed now (saved before the paste: a new supervisor resumes it) */
  typing: string | null;
  /** when muster last typed into it: a look at the screen from before then cannot make it idle */
  typedAt: number | null;
  /**
   * when this attempt's screen first showed the CLI's input line (docs/presets.md,
   * "Start-up"); nothing is typed into it before
   */
  readyAt: number | null;
  /** the `not-ready` event of this attempt was raised */
  notReadyNotified: boolean;
  /** check-in cadence: when the missing check-in fell due, the last nudge, on_miss done */
  overdueSince: number | null;
  lastNudgeAt: number | null;
  escalated: boolean;
  lastCommitNudgeAt: number | null;
  stallNotified: boolean;
  /** the agent CLI's own conversation id, once known (README, "Sessions, resume and hooks") */
  session: string | null;
  /** the next launch goes back into `session` (an automatic restart, or `restart --resume`) */
  resumeNext: boolean;
  /** the session the current attempt was launched to resume, or null (a fresh conversation) */
  resumed: string | null;
  /** what the agent's hooks last reported in this attempt, and when they last spoke */
  hookActivity: Activity | null;
  hookAt: number | null;
  /** what its screen showed at the last pulse, and since when */
  screenActivity: Activity | null;
  screenSince: number | null;
  /** this attempt's screen has shown idle or waiting (the CLI came up) */
  shown: boolean;
  /** its budget's current window and what was reached in it (core/budget-policy.ts), once tokens were seen */
  budget: BudgetWindow | null;
}

/** Token counts of each kind, summed over the agent's sessions. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** A budget's window: when it began, the figures at its start, and the figure that reached the budget in it. */
export interface BudgetWindow {
  start: number;
  baseTokens: TokenCounts;
  /** dollars at the window's start; null while the cost is unknown */
  baseCost: number | null;
  /** e.g. `5.2M tokens of 5M`; null while under the budget */
  reached: string | null;
}

/**
 * The whole crew as the core sees it and the ledger keeps it. Every part is always there:
 * it is made by `newCrew` or read by `fromLedger` (crew-state.ts), and everything else
 * only transforms it.
 */
export interface CrewState {
  /** agent id → runtime, in config order */
  agents: Record<string, AgentRuntime>;
  /** consecutive pulses with the machine above, and below, its ceiling */
  pressure: { over: number; under: number };
  /** every handoff of the run, pending or delivered, oldest first */
  handoffs: Handoff[];
}

/** States in which the agent's processes are (or are about to be) alive. */
export function isAlive(status: AgentStatus): boolean {
  return (
    status.state === 'starting' ||
    status.state === 'running' ||
    status.state === 'throttled' ||
    status.state === 'paused' ||
    status.state === 'stopping'
  );
}

/** Alive and meant to stay so (not being stopped): timeouts and exits are judged for these. */
export function isLive(status: AgentStatus): boolean {
  return isAlive(status) && status.state !== 'stopping';
}

/** States that hold a slot against `max_parallel`, `uses` and the ceiling. */
export function holdsSlot(status: AgentStatus): boolean {
  return isAlive(status) || status.state === 'backoff';
}

export function freshRuntime(id: string): AgentRuntime {
  return {
    id,
    status: { state: 'pending', reason: 'after' },
    pane: null,
    pid: null,
    attempt: 0,
    restarts: 0,
    restartTimes: [],
    retriesUsed: 0,
    exitCode: null,
    startedAt: null,
    endedAt: null,
    doneMessage: null,
    lastCheckin: null,
    checkinMessage: null,
    memoryOver: 0,
    cpuCalm: 0,
    activity: null,
    activityReason: null,
    waitingLine: null,
    lastBusyAt: null,
    busyMs: 0,
    outbox: [],
    typing: null,
    typedAt: null,
    readyAt: null,
    notReadyNotified: false,
    overdueSince: null,
    lastNudgeAt: null,
    escalated: false,
    lastCommitNudgeAt: null,
    stallNotified: false,
    session: null,
    resumeNext: false,
    resumed: null,
    hookActivity: null,
    hookAt: null,
    screenActivity: null,
    screenSince: null,
    shown: false,
    budget: null,
  };
}

/** The `reason` field that status shows for a status. */
export function statusReason(status: AgentStatus): string | null {
  switch (status.state) {
    case 'stopped':
      return status.survivors.length > 0 ? 'survivors' : status.reason;
    case 'pending':
    case 'backoff':
    case 'failed':
    case 'stopping':
      return status.reason;
    case 'paused':
      return status.by;
    default:
      return null;
  }
}
