/**
 * The typed, fully resolved configuration. Units are parsed once, here:
 * durations in milliseconds, memory in bytes, CPU in percent of one core.
 * Every default is applied; nothing downstream looks at YAML again.
 */
import type { PresetSpec } from './preset-types.js';
import type { PriceEntry } from '../usage/prices.js';
export type Priority = 'high' | 'normal' | 'low';
export type OnMemory = 'restart' | 'stop' | 'none';
export type OnCpu = 'throttle' | 'none';
export type OnMiss = 'nudge' | 'restart' | 'stop' | 'none';
export type RestartPolicyName = 'always' | 'on-failure' | 'never';

export interface LimitsSpec {
  /** percent of one core (200 = two cores), or null for no limit */
  cpu: number | null;
  /** bytes, or null for no limit */
  memory: number | null;
  /** processes (and threads) the agent may have at once, or null for no limit; enforced where the cgroup pids controller exists */
  pids: number | null;
  onMemory: OnMemory;
  onCpu: OnCpu;
}

export interface CheckinSpec {
  everyMs: number;
  graceMs: number;
  onMiss: OnMiss;
  /** text typed into the agent when a check-in is overdue */
  nudge: string;
}

export interface CommitSpec {
  everyMs: number;
  nudge: string;
}

/** The size cap of a log and how many rotated files are kept (docs/reliability.md). */
export interface LogsSpec {
  /** bytes */
  maxBytes: number;
  keep: number;
}

export type OnExceed = 'pause' | 'stop' | 'nudge' | 'none';

/** A budget of tokens and/or dollars (docs/team-file.md, "budget"). */
export interface BudgetSpec {
  /** tokens counted against it (input, output, cache writes; cache reads only with countCache), or null */
  tokens: number | null;
  /** US dollars, or null */
  cost: number | null;
  /** counted afresh every this long, or null: over the whole run */
  windowMs: number | null;
  onExceed: OnExceed;
  countCache: boolean;
  /** text typed into the agent when on_exceed is nudge; null: muster's, with the figure */
  nudge: string | null;
}

export interface RestartSpec {
  policy: RestartPolicyName;
  /** more than `max` restarts within `withinMs` opens the circuit */
  max: number;
  withinMs: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/**
 * An agent's git worktree (docs/worktrees.md): its own (`own`) or another agent's
 * (`share`). `base`, `include` and `setup` are the owner's.
 */
export interface WorktreeSpec {
  mode: 'own' | 'share';
  /** id of the agent whose worktree it is (the agent itself for `own`) */
  owner: string;
  /** the git revision a new worktree starts from; null: the commit the checkout is on at first start */
  base: string | null;
  /** files or globs (relative to the repository's top) copied into a new worktree */
  include: string[];
  /** a command run once in a new worktree before the agent starts */
  setup: string | null;
}

export interface AgentSpec {
  /** `team/name` */
  id: string;
  team: string;
  name: string;
  /** command line, run by /bin/sh -c in the pane */
  run: string;
  /** absolute working directory */
  cwd: string;
  /** team env merged with the agent's own */
  env: Record<string, string>;
  prompt: string | null;
  /** ids (`team/name`) of the agents this one waits for */
  after: string[];
  priority: Priority;
  limits: LimitsSpec;
  checkin: CheckinSpec | null;
  commit: CommitSpec | null;
  restart: RestartSpec;
  logs: LogsSpec;
  /** tokens and cost it may spend, or null */
  budget: BudgetSpec | null;
  optional: boolean;
  /** exclusive resources, e.g. `port:3000` */
  uses: string[];
  timeoutMs: number | null;
  expectMs: number | null;
  /** one-shot agents: re-runs on non-zero exit */
  retries: number;
  /**
   * automatic restarts (crash, memory, check-in, pane gone) go back into the CLI's own
   * conversation where its preset can resume one; `off`: every start is a new conversation
   */
  resume: 'auto' | 'off';
  /** how its screen is read and text typed into it (docs/presets.md) */
  preset: PresetSpec;
  /** `muster mcp` wired into its launch (the preset's `mcp` section says how) */
  mcp: boolean;
  /** the for_each item this agent was expanded from, if any */
  item: string | null;
  /** its git worktree, or null (`worktree: off`) */
  worktree: WorktreeSpec | null;
}

export interface WindowSpec {
  name: string;
  /** a tmux layout name (tiled, main-vertical, …) or null for tmux's default */
  layout: string | null;
  /** agent names (not ids) of this team, in pane order */
  panes: string[];
}

export interface TeamSpec {
  name: string;
  /** absolute path of the team file */
  file: string;
  cwd: string;
  maxParallel: number | null;
  /** the layout's name (`default` when none is given) */
  layoutName: string;
  /** resolved windows: every agent of the team is placed exactly once */
  windows: WindowSpec[];
  agents: AgentSpec[];
}

export interface CeilingSpec {
  /** percent of the whole machine (0–100), or null */
  cpu: number | null;
  /** percent of the whole machine's memory (0–100), or null */
  memory: number | null;
}

export interface RequiresSpec {
  commands: string[];
  env: string[];
  ports: number[];
  /** bytes of free disk in the project directory, or null */
  disk: number | null;
}

/** What needs the user (docs/needs-you.md). */
export type NeedsYouKind = 'waiting' | 'failed' | 'budget' | 'done';

/** Where needs-you events go besides the TUI (`notify:` in muster.yaml, docs/needs-you.md). */
export interface NotifySpec {
  /** run once per event, the event on stdin; null: none */
  command: string | null;
  on: NeedsYouKind[];
  timeoutMs: number;
  desktop: boolean;
}

export interface ProjectSpec {
  /** absolute project directory */
  dir: string;
  /** absolute path of muster.yaml, or null when there is none */
  file: string | null;
  teams: TeamSpec[];
  pulseMs: number;
  ceiling: CeilingSpec;
  /** the project's log cap: the default of every agent, and the supervisor's own log */
  logs: LogsSpec;
  requires: RequiresSpec;
  /** model prices: the project's (muster.yaml `prices:`) first, then the package's (prices.yaml) */
  prices: readonly PriceEntry[];
  notify: NotifySpec;
}
