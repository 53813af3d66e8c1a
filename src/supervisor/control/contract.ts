/**
 * The control contract between the supervisor and its clients (the CLI, the TUI): every
 * command with its argument schema, reply type and timeout, every message the server
 * sends, and the wire types they carry (the status snapshot, event notices). The server
 * checks each request against it (the socket is a boundary); clients use the same types.
 *
 * Adding a command: one entry in `commands` below and one handler in
 * src/supervisor/commands.ts (the `CommandHandlers` type asks for it).
 *
 * Wire format: newline-delimited JSON (framing in protocol.ts), each message carrying the
 * protocol version `v`:
 *   client → server  `{ v, id, cmd, args? }`
 *   server → client  `{ v, id, ok: true, result }` | `{ v, id, ok: false, error }`
 *                    and, to subscribed clients, `{ v, type: 'snapshot', snapshot }` | `{ v, type: 'event', event }`
 */
import { z } from 'zod';
import type { ExitCode } from '../../errors.js';

/** Bumped whenever a command, a reply or a pushed message changes shape. */
export const CONTROL_PROTOCOL = 4;

// ---- wire types -------------------------------------------------------------------------

export type NoticeLevel = 'info' | 'warn' | 'error';

/** One line of the event stream (ledger, headless output, TUI). */
export interface CrewNotice {
  time: string;
  level: NoticeLevel;
  agent: string | null;
  kind: string;
  message: string;
  /** on `needs-you` lines: what needs the user (docs/needs-you.md) */
  needs?: NeedsYouView;
}

/** A needs-you event as it travels (docs/needs-you.md). */
export interface NeedsYouView {
  kind: 'waiting' | 'failed' | 'budget' | 'done';
  reason: string;
  /** the screen line or figure that caused it */
  detail: string | null;
  /** someone was looking at the agent's pane (attached to it): no notification was sent */
  suppressed: boolean;
}

export interface SystemSample {
  /** percent of the whole machine */
  cpu: number;
  memory: { used: number; total: number };
}

/** A handoff as status shows it: times as ISO strings. */
export interface HandoffView {
  id: string;
  from: string;
  to: string;
  message: string;
  file: string | null;
  /** the sender's worktree branch and its head commit at the handoff; null without a worktree (docs/worktrees.md) */
  branch?: string | null;
  commit?: string | null;
  state: 'pending' | 'delivered';
  created: string;
  delivered: string | null;
}

/** An agent's git worktree as status and the grid show it (docs/status-json.md). */
export interface WorktreeView {
  /** the agent whose worktree it is (the agent itself, or the one it shares) */
  owner: string;
  branch: string;
  path: string;
  /** ready, not created, creating, folder missing, branch missing */
  state: string;
  head: string | null;
  /** the branch `land` goes into by default */
  into: string | null;
  ahead: number;
  behind: number;
  /** files changed in all, committed or not */
  files: number;
  /** files with uncommitted changes (untracked included) */
  uncommitted: number;
  merged: boolean;
}

export interface AgentStatusView {
  id: string;
  team: string;
  name: string;
  state: string;
  reason: string | null;
  pane: string | null;
  pid: number | null;
  cpu: number | null;
  memory: number | null;
  /** `pids`: processes and threads at once (cgroup pids controller), null where none is enforced */
  limits: { cpu: number | null; memory: number | null; pids?: number | null };
  restarts: number;
  exitCode: number | null;
  /**
   * The last check-in, always recorded; `off` when the agent has `checkin: off` (nothing is
   * ever due, so it is never overdue).
   */
  checkin: { last: string | null; message: string | null; due: string | null; overdue: boolean; off: boolean };
  activity: 'busy' | 'idle' | 'waiting' | null;
  /** why (docs/status-json.md, "Activity"): `permission`, `dialog`, `draft`, `typed`, … */
  activityReason: string | null;
  attempt: number;
  startedAt: string | null;
  /** recent pulses, oldest first: CPU percent of one core, memory bytes */
  history: { cpu: number[]; memory: number[] };
  commit: { last: string | null; due: string | null; overdue: boolean } | null;
  stalled: boolean;
  /**
   * The agent CLI's own conversation (docs/status-json.md): its id once known (chosen at a
   * fresh start or told by a hook), whether automatic restarts go back into it, and whether
   * the current attempt was started that way.
   */
  session?: { id: string | null; resumes: boolean; resumed: boolean };
  /** where `activity` comes from: the agent's own hooks, or its screen */
  activitySource?: 'hook' | 'screen' | null;
  /** what the agent needs the user for now (a prompt, a failure, a budget), or null (docs/needs-you.md) */
  needsYou: { kind: 'waiting' | 'failed' | 'budget'; reason: string } | null;
  /** its git worktree, as last read (only agents with `worktree: own` or `share`; null until read) */
  worktree?: WorktreeView | null;
  /**
   * Tokens and cost read from the agent CLI's own transcripts (docs/status-json.md,
   * "usage"); absent when muster reads none for this agent (no session id, or a CLI whose
   * transcripts it does not read).
   */
  usage?: UsageView;
}

/** Token counts by kind. */
export interface TokensView {
  input: number;
  output: number;
  cache_write: number;
  cache_read: number;
}

export interface UsageView {
  /** the CLI's session the figures come from (the latest one) */
  session: string;
  /** summed over every session of the agent this supervisor has read */
  tokens: TokensView;
  /** model calls counted */
  calls: number;
  /** US dollars at the price table's prices; null: `cost unknown` (a model without a price, listed in `unpriced`) */
  cost: number | null;
  unpriced: string[];
  models: { model: string; tokens: TokensView }[];
  /** the transcript files read; empty while the CLI has written none */
  files: string[];
  /** the agent's budget and what it counts in its current window, or null */
  budget: BudgetView | null;
}

export interface BudgetView {
  tokens: number | null;
  cost: number | null;
  window_ms: number | null;
  on_exceed: 'pause' | 'stop' | 'nudge' | 'none';
  count_cache: boolean;
  /** counted in the current window */
  used_tokens: number;
  used_cost: number | null;
  window_start: string | null;
  /** the figure that reached it in this window (e.g. `5.2M tokens of its 5M budget`), or null */
  reached: string | null;
}

/** The status document: what `muster status --json` prints and the TUI draws. */
export interface StatusView {
  version: 1;
  project: string;
  socket: string;
  supervisor: { running: boolean; pid: number | null; cpu?: number | null; memory?: number | null };
  system: SystemSample | null;
  agents: AgentStatusView[];
  handoffs: HandoffView[];
  ceiling?: { cpu: number | null; memory: number | null };
  /** how limits are enforced: e.g. `cgroup v1 (cpu, memory, freezer)` or `sampling + duty cycling` */
  enforcement?: string;
  pulseMs?: number;
  /**
   * The state folder's disk as the running supervisor sees it: `full` while it cannot write
   * its state (it keeps running; what it could not write waits in memory), since when, the
   * file that failed, and the event lines waiting (docs/reliability.md).
   */
  disk?: DiskView;
}

export interface DiskView {
  full: boolean;
  since: string | null;
  file: string | null;
  pendingEvents: number;
}

// ---- replies ----------------------------------------------------------------------------

export interface AgentsReply {
  agents: string[];
}

/** `stop`: the agents whose processes are gone, and those with processes that survived SIGKILL. */
export interface StopReply {
  agents: string[];
  survivors: { agent: string; pids: number[] }[];
}

export interface SendReply {
  agent: string;
  submitted: boolean;
  /** the agent was busy (or, forced, showed a prompt: `why`): the message waits in its outbox */
  queued: boolean;
  /** not submitted: why it was given up */
  why?: string;
}

export interface DeliverReply {
  id: string;
  state: 'pending' | 'delivered' | 'delivering';
}

/** `muster explain AGENT`: why the agent has its activity now (docs/commands.md). */
export interface ExplainReply {
  agent: string;
  /** what the screen says now, looked at for this request */
  activity: 'busy' | 'idle' | 'waiting';
  reason: string;
  /** the activity the crew holds (what the last pulse saw, or `busy (typed)` while typing) */
  held: { activity: string | null; reason: string | null };
  /** the rule that decided, where it is written */
  rule: { file: string; line: number; activity: string; reason: string } | null;
  /** the live region read, top to bottom */
  live: string[];
  quietMs: number;
  input: { text: string; empty: boolean; pending: boolean } | null;
  /** what the agent's hooks last said and how long ago (null: not yet in this attempt; absent: its preset has no hooks) */
  hooks?: { activity: 'busy' | 'idle' | 'waiting' | null; agoMs: number } | null;
  /** where the activity the crew shows comes from */
  source: 'hook' | 'screen' | null;
  /** the explanation as lines of text, as the CLI prints it */
  text: string[];
}

/** `land`: what was merged (or nothing to land); a refusal is an error reply that changed nothing. */
export interface LandReply {
  agent: string;
  landed: boolean;
  message: string;
}

export interface CaptureReply {
  agent: string | null;
  text: string;
}

// ---- commands ---------------------------------------------------------------------------

interface CommandDecl<A extends z.ZodType, R> {
  args: A;
  /** how long a client waits for the reply by default */
  timeoutMs: number;
  /** phantom: the reply's type */
  reply?: R;
}

function command<R>() {
  return <A extends z.ZodType>(args: A, timeoutMs: number): CommandDecl<A, R> => ({ args, timeoutMs });
}

const none = z.undefined().or(z.null()).or(z.object({}).strict()).transform(() => ({}));
const agentList = z
  .object({ agents: z.array(z.string().min(1)).default([]), all: z.boolean().default(false) })
  .strict()
  .refine((a) => a.all || a.agents.length > 0, { message: 'name at least one agent, or all' });
/** `resume`: back into the agent CLI's own conversation (`muster restart --resume`) */
const restartArgs = z
  .object({ agents: z.array(z.string().min(1)).default([]), all: z.boolean().default(false), resume: z.boolean().default(false) })
  .strict()
  .refine((a) => a.all || a.agents.length > 0, { message: 'name at least one agent, or all' });
const oneAgent = z.object({ agent: z.string().min(1) }).strict();

export const commands = {
  /** the crew's status document */
  status: command<StatusView>()(none, 10_000),
  /** graceful stop; replies once the processes are gone (or reports the survivors) */
  stop: command<StopReply>()(agentList, 120_000),
  /** a fresh process, counters and circuit cleared */
  restart: command<AgentsReply>()(restartArgs, 120_000),
  pause: command<AgentsReply>()(agentList, 30_000),
  resume: command<AgentsReply>()(agentList, 30_000),
  /** types a message once the agent is idle (at once with force) */
  send: command<SendReply>()(
    z.object({ agent: z.string().min(1), message: z.string(), force: z.boolean().default(false) }).strict(),
    180_000,
  ),
  /** asks the agent to check in now */
  nudge: command<AgentsReply>()(oneAgent, 10_000),
  /** delivers a pending handoff now, busy target or not */
  deliver: command<DeliverReply>()(z.object({ id: z.string().min(1) }).strict(), 10_000),
  /** why the agent has its activity now: the live region, the rule that matched, the quiet time */
  explain: command<ExplainReply>()(oneAgent, 10_000),
  /** the agent's pane as text (the last `lines` lines of history too) */
  capture: command<CaptureReply>()(z.object({ agent: z.string().min(1), lines: z.number().int().min(0).default(0) }).strict(), 5_000),
  /** merges the agent's worktree branch into its base branch (or refuses, changing nothing; docs/worktrees.md) */
  land: command<LandReply>()(
    z.object({ agent: z.string().min(1), squash: z.boolean().default(false), into: z.string().min(1).nullable().default(null) }).strict(),
    120_000,
  ),
  /** stops every agent and ends the supervisor and its tmux server */
  down: command<{ down: true }>()(none, 300_000),
  /** pushes a snapshot now and on every pulse, and every event (handled by the server itself) */
  subscribe: command<null>()(none, 10_000),
  unsubscribe: command<null>()(none, 10_000),
} as const;

export type CommandName = keyof typeof commands;
/** What a client passes. */
export type CommandArgs<C extends CommandName> = z.input<(typeof commands)[C]['args']>;
/** What a handler receives: checked, defaults filled. */
export type HandlerArgs<C extends CommandName> = z.output<(typeof commands)[C]['args']>;
export type CommandReply<C extends CommandName> = (typeof commands)[C] extends CommandDecl<z.ZodType, infer R> ? R : never;

/** Commands the server answers itself. */
export const SERVER_COMMANDS = ['subscribe', 'unsubscribe'] as const;
export type HandledCommand = Exclude<CommandName, (typeof SERVER_COMMANDS)[number]>;

/** The supervisor's side: one handler per command. */
export type CommandHandlers = {
  [C in HandledCommand]: (args: HandlerArgs<C>) => Promise<CommandReply<C>> | CommandReply<C>;
};

// ---- messages ---------------------------------------------------------------------------

/** Why a request failed, as the CLI shows it. */
export interface ControlErrorBody {
  message: string;
  hint: string | null;
  exitCode: ExitCode;
}

export interface ControlRequest {
  v: number;
  id: number;
  cmd: string;
  args?: unknown;
}

export type ControlResponse = { v: number; id: number; ok: true; result: unknown } | { v: number; id: number; ok: false; error: ControlErrorBody };

/** What the server pushes to subscribed clients. */
export type ControlPush = { type: 'snapshot'; snapshot: StatusView } | { type: 'event'; event: CrewNotice };

export type ServerMessage = ControlResponse | (ControlPush & { v: number });

/** A request checked against the contract: the command and its arguments, or why it is refused. */
export function checkRequest(
  cmd: string,
  args: unknown,
): { ok: true; cmd: CommandName; args: unknown } | { ok: false; error: ControlErrorBody } {
  if (!Object.hasOwn(commands, cmd)) {
    return {
      ok: false,
      error: { message: `the supervisor does not know the command "${cmd}"`, hint: 'Is this muster newer than the supervisor? Run `muster --version`.', exitCode: 2 },
    };
  }
  const name = cmd as CommandName;
  const parsed = commands[name].args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: { message: `bad arguments for "${cmd}": ${where}${issue?.message ?? 'invalid'}`, hint: 'This is a bug in the client.', exitCode: 2 } };
  }
  return { ok: true, cmd: name, args: parsed.data };
}

/** The error for a supervisor and a client of different protocol versions. */
export function protocolMismatch(supervisor: unknown, client: unknown): ControlErrorBody {
  const speaks = (v: unknown) => (typeof v === 'number' ? `control protocol ${v}` : 'an older control protocol');
  return {
    message: `the supervisor speaks ${speaks(supervisor)}, this muster ${speaks(client)}`,
    hint: 'The supervisor was started by another version of muster: use that version, or run `muster down` and `muster up` with this one.',
    exitCode: 1,
  };
}
