/**
 * The small interfaces through which the runner reaches everything outside it: the crew's
 * tmux server, the machine's processes (measuring, limiting, signalling), the inbox, the
 * commit watch, the ledger and the clock. The real ones are made in one place
 * (src/cli/compose.ts); the runner's tests (test/unit/supervisor/) give it in-memory ones.
 */
import type { AgentSpec } from '../config/types.js';
import type { InboxVerdict } from '../inbox/inbox-watcher.js';
import type { InboxRecord } from '../inbox/record.js';
import type { ProcRow, ProcTable } from '../monitor/proc-table.js';
import type { AgentHistory, AgentRoot } from '../monitor/sampler.js';
import type { PaneInfo } from '../tmux/pane-format.js';
import type { LandOutcome } from '../git/worktree-land.js';
import type { WorktreeInfo } from '../git/worktree-inspect.js';
import type { LedgerHealth } from './store/ledger.js';
import type { Clock } from '../sys/time.js';
import type { SessionRef } from '../transcripts/locate.js';
import type { TokenReading } from '../transcripts/transcript-reader.js';
import type { Notifier } from '../notify/notifiers.js';

export type { Clock } from '../sys/time.js';

// ---- tmux ----------------------------------------------------------------------------

/** A pane as the runner reads it (deadSignal and deadStatus both null: its exit is not known yet). */
export type PaneState = Pick<PaneInfo, 'paneId' | 'panePid' | 'dead' | 'deadStatus' | 'deadSignal' | 'agentId' | 'attempt' | 'sessionName'>;

export interface TeamLayoutPlan {
  name: string;
  windows: { name: string; layout: string | null; panes: { agentId: string; title: string }[] }[];
}

export interface LaunchOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  attempt: string;
  logFile: string;
  /** the log's size cap and rotated files kept */
  logCap?: { maxBytes: number; keep: number };
}

/** The crew's own tmux server. */
export interface CrewTmux {
  socketPath(): string;
  ensureTeam(team: TeamLayoutPlan): Promise<Map<string, string>>;
  listPanes(): Promise<PaneState[]>;
  launch(paneId: string, options: LaunchOptions): Promise<{ pid: number }>;
  sendKeys(paneId: string, keys: string[]): Promise<void>;
  pasteText(paneId: string, text: string): Promise<void>;
  capture(paneId: string, options?: { lines?: number }): Promise<string>;
  /** the text of the line under the pane's cursor (to see whether typed text was submitted) */
  cursorLine(paneId: string): Promise<string>;
  killSession(name: string): Promise<void>;
  /** called when a pane's process dies or a pane is removed (a hint: the supervisor re-reads the panes) */
  onPaneDied(listener: (paneId: string) => void): void;
  /** true while deaths and removals are reported as they happen; else the supervisor re-reads the panes every pulse */
  reportsPaneChanges(): boolean;
  /** the panes tmux clients attached to the crew's server are looking at */
  viewedPanes(): Promise<string[]>;
}

// ---- processes -----------------------------------------------------------------------

/** The machine's processes: read and signalled (never the supervisor's own). */
export interface ProcessPort {
  /** every process now, in one scan */
  readTable(): ProcTable;
  /** one process, or null when it does not exist */
  readRow(pid: number): ProcRow | null;
  /** sends a signal; a process already gone (or not ours) is no error */
  signal(pid: number, signal: NodeJS.Signals): void;
  /** a process's environment (NUL-separated), or null when it cannot be read (gone, or not ours) */
  readEnviron(pid: number): string | null;
}

/** One pulse's reading of the agents asked for, and of the machine (see monitor/sampler.ts). */
export interface SamplerPort {
  sample(
    roots: ReadonlyMap<string, AgentRoot>,
    nowMs: number,
    options?: { scope?: 'machine' | 'members' },
  ): {
    agents: ReadonlyMap<string, { cpu: number; memory: number; pids: number[] }>;
    machine: { cpu: number; memory: { used: number; total: number } };
    self: { cpu: number; memory: number };
  };
  history(agentId: string): AgentHistory;
}

/** How limits are enforced (monitor/limits-runtime.ts): cgroups where there are, signals elsewhere. */
export interface LimitsPort {
  describe(): string;
  /** creates (or reopens) the agent's group; returns the shell prelude that joins it */
  prepare(spec: AgentSpec): Promise<string>;
  oomKilled(agentId: string): boolean;
  kernelMemory(agentId: string): boolean;
  readonly usesSignals: boolean;
  readonly groupsListMembers: boolean;
  groupPids(agentId: string): number[];
  hasGroup(agentId: string): boolean;
  demand(agentId: string): number | null;
  throttle(agentId: string, pids: readonly number[], cpu: number): void;
  unthrottle(agentId: string): void;
  freeze(agentId: string, pids: readonly number[]): Promise<void>;
  thaw(agentId: string, pids: readonly number[]): Promise<void>;
  release(agentId: string): Promise<void>;
  /** the supervisor ends; the agents keep running */
  detach(): void;
  /** `limits.pids` is enforced here (the cgroup pids controller) */
  readonly enforcesPids: boolean;
  /** the agent's pids limit refused a fork since it was launched */
  pidsLimited(agentId: string): boolean;
  /** agents that reached their pids limit and were not reported yet, each with its event line */
  newPidsLimits(): Array<{ agentId: string; message: string }>;
}

// ---- coordination --------------------------------------------------------------------

/** The inbox (`.muster/inbox/`): records agents leave, taken one at a time, exactly once (inbox/inbox-watcher.ts). */
export interface InboxPort {
  start(
    take: (record: InboxRecord) => Promise<InboxVerdict | void> | InboxVerdict | void,
    callbacks: {
      /** the ledger already holds this record (taken before a crash) */
      isTaken(id: string): boolean;
      onRejected(file: string, reason: string): void;
      onError(error: Error, recordId: string | null): void;
    },
  ): Promise<void>;
  close(): Promise<void>;
}

/** The last commit of each agent's repository, watched (git/commit-watch.ts). */
export interface CommitsPort {
  add(agentId: string, cwd: string): Promise<unknown>;
  lastCommit(agentId: string): number | null;
  /** null while the agent's working directory is not known to be in a repository */
  gitDirOf(agentId: string): string | null;
  close(): Promise<void> | void;
}

// ---- notifications -------------------------------------------------------------------

/** A channel needs-you events leave by: the user's notify command, the desktop (notify/notifiers.ts). */
export type NotifierPort = Notifier;
/**
 * Agents' git worktrees (git/worktree-runtime.ts; docs/worktrees.md): made whole at each
 * start, read for the grid's branch column, landed on the TUI's `L`.
 */
export interface WorktreesPort {
  /** the folder the agent starts in (inside its worktree, made whole first), and what was done to it */
  cwdFor(spec: AgentSpec): Promise<{ cwd: string; notes: string[] }>;
  /** where the agent runs when its worktree exists (no git call): for watching its commits */
  knownCwd(spec: AgentSpec): string;
  /** ends a setup command under way for the agent (it is being stopped) */
  abortSetup(agentId: string): void;
  /** the sender's branch and head commit, for a handoff; null without a worktree */
  headOf(agentId: string): Promise<{ branch: string; commit: string | null } | null>;
  /** each agent's worktree as last read (sharers see their owner's) */
  infos(): Map<string, WorktreeInfo>;
  /** one pulse: reads again, in the background, the worktrees that changed */
  observe(now: number, busySince: (agentId: string) => number | null): void;
  /** merges the owner's branch (refuses, changing nothing, with a typed error) */
  land(ownerId: string, opts: { squash: boolean; into: string | null; checkins: readonly string[] }): Promise<LandOutcome>;
  /** resolves once reads under way are done */
  settle(): Promise<void>;
  close(): void;
}

// ---- ledger --------------------------------------------------------------------------

/** Where the runner writes its state before acting on it (store/ledger.ts). */
export interface LedgerPort {
  /** on a full disk the state waits in the ledger and is written later (docs/reliability.md) */
  saveSnapshot(state: unknown): unknown;
  appendEvents<T extends object>(events: readonly T[]): unknown;
  lastSeq(): number;
  /** whether everything is written, or the disk is full and what waits */
  health(): LedgerHealth;
  /** called when the disk becomes full and when everything waiting has been written */
  onHealth(listener: (health: LedgerHealth) => void): void;
}

/** Everything the runner reaches outside itself. */
export interface RunnerPorts {
  tmux: CrewTmux;
  processes: ProcessPort;
  sampler: SamplerPort;
  limits: LimitsPort;
  inbox: InboxPort;
  commits: CommitsPort;
  worktrees: WorktreesPort;
  ledger: LedgerPort;
  clock: Clock;
  /** where needs-you events go besides the event stream (none in tests that do not ask) */
  notifiers: NotifierPort[];
  /** tokens from the agents' transcripts; absent: no usage is read */
  transcripts?: TranscriptPort;
}

// ---- transcripts -----------------------------------------------------------------------

/** The agents' token usage from their CLIs' transcripts (src/transcripts/). */
export interface TranscriptPort {
  /** reads what the session's transcripts gained; the agent's totals over its sessions */
  read(agentId: string, ref: SessionRef, now: number): TokenReading;
}
