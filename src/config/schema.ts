/**
 * The zod schemas of the user's files (docs/team-file.md, docs/layouts.md,
 * docs/project-file.md). They check shapes, enums and units, and turn units into
 * numbers (ms, bytes, percent); defaults, for_each, names and references are dealt
 * with after them. Every key carries a description (with its units and default): it
 * is what `muster schema` exports for editors (json-schema.ts), and a test requires it.
 */
import { z } from 'zod';
import { strict } from './issues.js';
import { presetRefSchema } from './preset-schema.js';
import { parseCpu, parseDollars, parseDuration, parseMemory, parsePercent, parseTokens, type UnitResult } from './units.js';
import { priceTableSchema } from './price-file.js';

/** Team and agent names: also tmux session names and path parts. */
export const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** What a valid team or agent name looks like, for messages. */
export const NAME_HINT = 'use a-z, 0-9, _ and -, starting with a letter, at most 32 characters';
/** A valid team or agent name made from any text (`My App` → `my-app`), or `fallback`. */
export function toName(text: string, fallback: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return NAME_RE.test(name) ? name : fallback;
}
/** Layout names: file names in a `layouts/` folder. */
export const LAYOUT_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
/** Environment variable names. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The allowed values of the enum keys (docs/team-file.md). */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export const ON_MEMORY = ['restart', 'stop', 'none'] as const;
export const ON_CPU = ['throttle', 'none'] as const;
export const ON_MISS = ['nudge', 'restart', 'stop', 'none'] as const;
export const ON_EXCEED = ['pause', 'stop', 'nudge', 'none'] as const;
export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
/** The needs-you event kinds (docs/needs-you.md). */
export const NEEDS_YOU_KINDS = ['waiting', 'failed', 'budget', 'done'] as const;
export const TMUX_LAYOUTS = ['even-horizontal', 'even-vertical', 'main-horizontal', 'main-vertical', 'tiled'] as const;

/** A JSON Schema fragment: how a value with a unit may be written (for editors). */
type JsonInput = Record<string, unknown>;

/**
 * A value written with a unit, parsed by one of the unit parsers. `input` says in JSON
 * Schema terms what may be written (the parser stays the authority).
 */
function unit<T>(parse: (v: unknown) => UnitResult<T>, input: JsonInput) {
  return z
    .unknown()
    .transform((v, ctx): T => {
      const r = parse(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.error, input: v });
      return z.NEVER;
    })
    .meta(input);
}

/** A key's description for editors: what it does, its units and its default. */
function doc<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description });
}

const NUM = String.raw`\d+(\.\d+)?`;
const DURATION_INPUT: JsonInput = { type: 'string', pattern: `^\\s*(${NUM}(ms|s|m|h|d))+\\s*$`, examples: ['30s', '15m', '1h30m'] };
const TOKENS_INPUT: JsonInput = { anyOf: [{ type: 'string', pattern: `^\\s*${NUM}\\s*[kKMG]?\\s*$` }, { type: 'integer', exclusiveMinimum: 0 }], examples: ['500K', '5M'] };
const DOLLARS_INPUT: JsonInput = { anyOf: [{ type: 'string', pattern: `^\\s*\\$?\\s*${NUM}\\s*$` }, { type: 'number', exclusiveMinimum: 0 }], examples: [10, '$2.50'] };
const MEMORY_INPUT: JsonInput = {
  anyOf: [
    { type: 'string', pattern: `^\\s*${NUM}\\s*(B|K|KiB|M|MiB|G|GiB|T|TiB)?\\s*$` },
    { type: 'integer', exclusiveMinimum: 0 },
  ],
  examples: ['512MiB', '2GiB'],
};
const CPU_INPUT: JsonInput = {
  anyOf: [
    { type: 'string', pattern: `^\\s*${NUM}\\s*%?\\s*$` },
    { type: 'number', exclusiveMinimum: 0 },
  ],
  examples: ['50%', '200%'],
};
const PERCENT_INPUT: JsonInput = {
  anyOf: [
    { type: 'string', pattern: `^\\s*${NUM}\\s*%?\\s*$` },
    { type: 'number', minimum: 0, maximum: 100 },
  ],
  examples: ['60%', '80%'],
};
/** `none` or a value with a unit. */
const orNone = (input: JsonInput): JsonInput => ({ anyOf: [{ const: 'none' }, ...((input.anyOf as JsonInput[] | undefined) ?? [input])], examples: [...((input.examples as string[]) ?? []), 'none'] });

/** `none` (no limit) or a value with a unit. */
function noneOr<T>(parse: (v: unknown) => UnitResult<T>): (v: unknown) => UnitResult<T | null> {
  return (v) => (v === 'none' ? { ok: true, value: null } : parse(v));
}

const duration = unit((v) => parseDuration(v), DURATION_INPUT);
const positiveDuration = unit((v) => parseDuration(v, { positive: true }), DURATION_INPUT);
const memory = unit(parseMemory, MEMORY_INPUT);
const percent = unit(parsePercent, PERCENT_INPUT);
const count = (min: number) => z.number({ error: `use a whole number of at least ${min}` }).int().min(min);
const text = z.string().min(1);
const textList = z.array(text, { error: 'use a list, e.g. [a, b]' });

/** `off` (or false) instead of a map turns a feature off. */
function offOr<T extends z.ZodType>(map: T, keys: string) {
  return z.union([z.literal('off'), z.literal(false).transform(() => 'off' as const), map], {
    error: `use off or a map with ${keys}`,
  });
}

const envValue = z.union([z.string(), z.number(), z.boolean()], { error: 'use a string, a number or true/false' }).transform(String);
/** Environment variables; numbers and booleans become strings. */
export const envSchema = z.record(z.string().regex(ENV_NAME_RE, { error: 'use letters, digits and _, not starting with a digit' }), envValue, {
  error: 'use a map of NAME: value',
});

/** `pids`: a whole number of processes (threads count too), or `none`. */
const PIDS_HINT = 'use a whole number of processes (at least 8), or none';
const pidsLimit = z.union([z.literal('none').transform(() => null), z.number({ error: PIDS_HINT }).int({ error: PIDS_HINT }).min(8, { error: PIDS_HINT })], {
  error: PIDS_HINT,
});

const limitsSchema = strict({
  cpu: doc(unit(noneOr(parseCpu), orNone(CPU_INPUT)), 'CPU limit, percent of one core (200% = two cores), or none. Held there by a cgroup quota or by stop/continue duty cycling. Default: no limit.').optional(),
  memory: doc(unit(noneOr(parseMemory), orNone(MEMORY_INPUT)), 'Memory limit: bytes, or a number with B, KiB, MiB, GiB, TiB (K M G T are binary too), or none. Over it on two pulses (or killed by the kernel in a cgroup) → on_memory. Default: no limit.').optional(),
  pids: doc(pidsLimit, 'Processes (threads count too) the agent may have at once, at least 8, or none: a cgroup pids limit where the machine has the pids controller (docs/reliability.md). Default: 4096.').optional(),
  on_memory: doc(z.enum(ON_MEMORY), 'What happens past the memory limit: restart, stop (failed, reason memory) or none. Default: restart.').optional(),
  on_cpu: doc(z.enum(ON_CPU), 'throttle holds the agent at its CPU limit; none only reports it. Default: throttle.').optional(),
});
const budgetSchema = offOr(
  strict(
    {
      tokens: doc(unit(parseTokens, TOKENS_INPUT), 'Tokens the agent may use per window: input, output and cache writes (cache reads too with count_cache); a number, or one with K, M, G (decimal: 5M = 5,000,000). Default: no token budget.').optional(),
      cost: doc(unit(parseDollars, DOLLARS_INPUT), 'US dollars the agent may spend per window, at the price table\'s prices (a model without a price never reaches it). Default: no cost budget.').optional(),
      window: doc(positiveDuration, 'The budget counts afresh every this long (a duration: 12h, 1d). Default: the whole run.').optional(),
      on_exceed: doc(z.enum(ON_EXCEED), 'What happens when the budget is reached: pause (frozen, shown paused (budget); resume with p or muster resume), stop, nudge (a message typed into it) or none (only the needs-you event). Default: pause.').optional(),
      count_cache: doc(z.boolean(), 'Count cache reads against the token budget (they grow with the length of a session, not with its work). Default: false.').optional(),
      nudge: doc(text, 'Text typed into the agent when on_exceed is nudge. Default: asks it to wrap up and check in, with the figure.').optional(),
    },
    'use a map with tokens, cost, window, on_exceed, count_cache, nudge',
  ),
  'tokens, cost, window, on_exceed, count_cache, nudge',
);
const checkinSchema = offOr(
  strict({
    every: doc(positiveDuration, 'The agent must check in at least this often (a duration: 500ms, 30s, 15m, 2h, 1h30m). Required to turn check-ins on.').optional(),
    grace: doc(duration, 'How long past a missed check-in before on_miss acts (a duration). Default: 5m.').optional(),
    on_miss: doc(z.enum(ON_MISS), 'What happens once the grace is over: nudge, restart, stop or none. Default: nudge.').optional(),
    nudge: doc(text, 'Text typed into an agent whose check-in is overdue. Default: asks it to run `muster checkin "…"`.').optional(),
  }),
  'every, grace, on_miss, nudge',
);
const commitSchema = offOr(
  strict({
    every: doc(positiveDuration, 'Asks for a commit when the last one is older than this (a duration) while the agent has been busy.').optional(),
    nudge: doc(text, 'Text typed into the agent. Default: "Please commit your work now (git add -A && git commit)."').optional(),
  }),
  'every, nudge',
);
/** `off` (default), `own` (a worktree on the agent's own branch), or `{ share: AGENT }` (docs/team-file.md, docs/worktrees.md). */
const worktreeSchema = z.union(
  [
    z.literal('off'),
    z.literal(false).transform(() => 'off' as const),
    z.literal('own'),
    strict({ share: doc(text, 'The agent (name, or team/name) whose worktree this agent runs in; that agent has `worktree: own`.') }, 'use a map with share, e.g. { share: dev }'),
  ],
  { error: 'use off, own or { share: AGENT }' },
);
/** The smallest log cap: a log must hold a screenful or two. */
export const MIN_LOG_BYTES = 4096;
const logMax = unit((v) => {
  const r = parseMemory(v);
  return r.ok && r.value < MIN_LOG_BYTES ? { ok: false as const, error: `bad logs max ${JSON.stringify(v)}: use at least 4KiB` } : r;
}, MEMORY_INPUT);
/** `logs: { max: 50MiB, keep: 3 }`: the size cap of an agent's log and the rotated files kept (docs/reliability.md). */
export const logsSchema = strict(
  {
    max: doc(logMax, 'The log is rotated when it holds this much: bytes, or a number with KiB, MiB, GiB; at least 4KiB. Default: 50MiB.').optional(),
    keep: doc(count(0).max(100, { error: 'keep at most 100 rotated files' }), 'Rotated files kept (<agent>.log.1 …), 0-100; 0 starts the log afresh. Default: 3.').optional(),
  },
  'use a map with max, keep',
);
const restartSchema = strict({
  policy: doc(z.enum(RESTART_POLICIES), 'When an ended agent is started again: always, on-failure (non-zero exit, killed or lost) or never. Default: on-failure.').optional(),
  max: doc(count(0), 'More than this many restarts within `within` opens the circuit (failed, reason circuit) until reset. Default: 5.').optional(),
  within: doc(positiveDuration, "The circuit breaker's window (a duration). Default: 10m.").optional(),
  backoff: doc(duration, 'Wait before the first restart; doubles each time (a duration). Default: 1s.').optional(),
  max_backoff: doc(duration, 'The longest wait between restarts (a duration). Default: 60s.').optional(),
});

/** Agent keys that team `defaults` may also set. */
const sharedAgentShape = {
  run: doc(text, 'The command line, run by /bin/sh -c in the agent\'s tmux pane. Required (here or in the team\'s defaults).').optional(),
  cwd: doc(text, "The agent's working directory, relative to the team's cwd. Default: the team's cwd.").optional(),
  env: doc(envSchema, "Environment variables added to the agent's (over the team's env); numbers and booleans become strings.").optional(),
  prompt: doc(z.string(), 'Typed into the agent as its first message once it is ready (idle).').optional(),
  priority: doc(z.enum(PRIORITIES), 'Start order, and who is paused first under machine pressure: high, normal or low. Default: normal.').optional(),
  limits: doc(limitsSchema, "The agent's CPU and memory limits, and what happens past them.").optional(),
  checkin: doc(checkinSchema, 'The check-in cadence (muster checkin, handoff or done count), or off. Default: off.').optional(),
  commit: doc(commitSchema, 'Commit reminders for an agent in a git repository, or off. Default: off.').optional(),
  restart: doc(restartSchema, 'Restart policy, backoff and circuit breaker.').optional(),
  logs: doc(logsSchema, "The size cap of the agent's log and how many rotated files are kept; over muster.yaml's logs (docs/reliability.md). Default: max 50MiB, keep 3.").optional(),
  budget: doc(budgetSchema, 'Tokens and dollars the agent may spend (read from its CLI\'s transcripts; docs/needs-you.md), and what happens when they are reached; or off. Default: off.').optional(),
  optional: doc(z.boolean(), 'Its failure does not fail the team. Default: false.').optional(),
  uses: doc(textList, 'Exclusive resources (e.g. port:3000): agents sharing one never run at the same time.').optional(),
  timeout: doc(positiveDuration, 'A run still going past this (a duration) is stopped and failed, reason timeout. Default: none.').optional(),
  expect: doc(positiveDuration, 'A run past twice this (a duration) is flagged as stalled. Default: none.').optional(),
  resume: doc(
    z.enum(['auto', 'off']),
    "auto: an automatic restart (crash, memory limit, check-in escalation, pane gone) goes back into the CLI's own conversation where its preset can resume one, without typing the prompt again; off: every start is a new conversation. Default: auto.",
  ).optional(),
  retries: doc(count(0), 'One-shot agents: re-runs after a non-zero exit (each gets MUSTER_ATTEMPT and MUSTER_PREVIOUS_OUTPUT). Default: 0.').optional(),
  mcp: doc(
    z.boolean(),
    "Give the agent muster's MCP server (muster mcp: the tools checkin, handoff, done, crew_status) for each run, as its preset's mcp section says, keeping the user's own MCP configuration. Default: true when the preset has an mcp section (claude, codex, qwen, opencode), else false; true with a preset that has none is an error.",
  ).optional(),
  preset: doc(
    presetRefSchema,
    "How the agent's screen is read (busy, idle, waiting) and text typed into it: a preset's name (claude, codex, gemini, qwen, opencode, aider, shell, default, or one in the project's presets/), or a map that extends one (docs/presets.md). Default: the preset whose commands list the first word of run, else default.",
  ).optional(),
  worktree: doc(
    worktreeSchema,
    "off, own (a git worktree of the project's repository on the agent's own branch muster/<team>/<agent>, in .muster/worktrees/<team>/<agent>), or { share: AGENT } (run in that agent's worktree). Needs a git repository with a commit. Default: off.",
  ).optional(),
  base: doc(text, "Where a new worktree's branch starts: a branch, tag or commit of the repository. Default: the commit the project's checkout is on at the agent's first start.").optional(),
  include: doc(textList, 'Gitignored files or globs (relative to the repository, inside it) copied into a new worktree, e.g. [.env, .env.local]; a .worktreeinclude file in the repository is read too.').optional(),
  setup: doc(text, 'A command run once (by /bin/sh -c) in a new worktree before the agent starts, e.g. npm ci; its failure fails the start, its output goes to the agent\'s log.').optional(),
};

const forEachItem = z.union([z.string(), z.number().int().nonnegative()], { error: 'use a word, e.g. intro' }).transform(String);

/** One agent as written in a team file (units already parsed). */
export const agentSchema = strict(
  {
    ...sharedAgentShape,
    after: doc(textList, 'Start only when each of these agents is done or has handed off to this one (agent, or team/agent).').optional(),
    for_each: doc(
      z.array(forEachItem, { error: 'use a list of items, e.g. [intro, faq]' }).min(1, { error: 'use at least one item' }),
      'Fan-out: one agent per item, named <agent>-<item>; {item} in run, cwd, env, prompt and after is replaced by the item.',
    ).optional(),
  },
  'use a map with at least "run"',
);
/** A team's `defaults`: agent keys merged into every agent. */
export const defaultsSchema = strict(sharedAgentShape, 'use a map of agent keys');

/** A team file's own keys; `defaults` and each agent are checked separately. */
export const teamHeadSchema = strict(
  {
    name: doc(z.string(), 'The team name (a-z, 0-9, _ and -, starting with a letter, at most 32 characters); also its tmux session name. Default: the file name.').optional(),
    layout: doc(z.string(), 'A layout: layouts/<name>.yaml of the project, else a built-in one (one-per-agent, pm-dev-server, tiled). Default: one window per agent.').optional(),
    cwd: doc(text, 'Working directory of every agent, relative to the project folder. Default: the project folder.').optional(),
    env: doc(envSchema, "Environment variables added to every agent's environment.").optional(),
    max_parallel: doc(count(1), 'At most this many agents of the team alive at once. Default: no cap.').optional(),
    defaults: doc(z.unknown(), 'Agent keys merged into every agent unless the agent sets them (maps key by key).').optional(),
    agents: doc(z.record(z.string(), z.unknown(), { error: 'use a map of agent names to agents' }), 'The agents, by name; each is one tmux pane.'),
  },
  'use a map with name and agents',
);

/** What the schemas give: the files' shapes with units as numbers (ms, bytes, percent). */
export type RawAgent = z.output<typeof agentSchema>;
export type RawDefaults = z.output<typeof defaultsSchema>;
export type RawTeamHead = z.output<typeof teamHeadSchema>;
export type RawLimits = NonNullable<RawAgent['limits']>;
export type RawCheckin = NonNullable<RawAgent['checkin']>;
export type RawCommit = NonNullable<RawAgent['commit']>;
export type RawBudget = NonNullable<RawAgent['budget']>;
export type RawRestart = NonNullable<RawAgent['restart']>;
export type RawLogs = NonNullable<RawAgent['logs']>;
export type RawWorktree = NonNullable<RawAgent['worktree']>;

const windowName = z
  .string()
  .min(1)
  .regex(/^[^:.]+$/, { error: 'use a name without ":" or "."' });
const paneName = z.string().regex(/^(\*|[a-z][a-z0-9_-]*)$/, { error: 'use an agent name or "*"' });

/** A layout file: windows of panes, each pane an agent name (or `*`). */
export const layoutSchema = strict(
  {
    windows: doc(
      z.array(
        strict(
          {
            name: doc(windowName, "The tmux window's name (no \":\" or \".\").") ,
            layout: doc(z.enum(TMUX_LAYOUTS), "How the window's panes are arranged (a tmux layout). Default: tmux's.").optional(),
            panes: doc(z.array(paneName).min(1), 'One pane per agent, in order; a for_each base name places all its expansions; "*" every agent no other window places.'),
          },
          'use a map with name and panes',
        ),
        { error: 'use a list of windows' },
      ),
      'The windows, in order. Agents the layout does not place get a window of their own after these.',
    ),
  },
  'use a map with windows',
);
/** A checked layout file. */
export type RawLayout = z.output<typeof layoutSchema>;

const port = z.number({ error: 'use a port number, 1 to 65535' }).int().min(1).max(65535);

/** The project file `muster.yaml`. */
export const projectSchema = strict(
  {
    teams: doc(z.array(text, { error: 'use a list of team files, e.g. [teams/web.yaml]' }), 'The team files, relative to the project folder. Default: teams/*.yaml.').optional(),
    pulse: doc(
      unit((v) => {
        const r = parseDuration(v);
        return r.ok && r.value < 100 ? { ok: false as const, error: `bad pulse ${JSON.stringify(v)}: use at least 100ms` } : r;
      }, DURATION_INPUT),
      'The sampling and enforcement period (a duration, at least 100ms). Default: 2s.',
    ).optional(),
    ceiling: doc(
      strict({
        cpu: doc(percent, "While the whole machine's CPU is above this share (0-100%), agents that have not started wait.").optional(),
        memory: doc(percent, "While the machine's memory in use is above this share (0-100%), agents that have not started wait.").optional(),
      }),
      'Limits of the whole machine: above them no new agent starts, and under sustained pressure the lowest-priority agent is paused.',
    ).optional(),
    logs: doc(logsSchema, "Every agent's log cap unless a team or agent sets its own, and the supervisor's own log's (docs/reliability.md). Default: max 50MiB, keep 3.").optional(),
    prices: doc(
      priceTableSchema,
      'Model prices in US dollars per million tokens (input, output, cache_write, cache_read), by model name (`*` matches any text), read before the table shipped with muster (docs/needs-you.md).',
    ).optional(),
    requires: doc(
      strict({
        commands: doc(textList, 'Commands that must be on PATH.').optional(),
        env: doc(z.array(z.string().regex(ENV_NAME_RE, { error: 'use letters, digits and _, not starting with a digit' })), 'Environment variables that must be set.').optional(),
        ports: doc(z.array(port), 'Ports that must be free (1-65535).').optional(),
        disk: doc(memory, 'Free disk needed in the project folder: bytes, or a number with KiB, MiB, GiB.').optional(),
      }),
      'Checked by muster up before anything starts; every miss is listed at once.',
    ).optional(),
    notify: doc(
      strict(
        {
          command: doc(
            text,
            'A shell command run once per needs-you event, in the project folder: the event as one JSON line on its stdin and in MUSTER_EVENT_* variables, never in its command line (docs/needs-you.md).',
          ).optional(),
          on: doc(
            z.array(z.enum(NEEDS_YOU_KINDS, { error: `use ${NEEDS_YOU_KINDS.join(', ')}` })),
            `Which events run the command: ${NEEDS_YOU_KINDS.join(', ')}. Default: all of them.`,
          ).optional(),
          timeout: doc(positiveDuration, 'A run still going after this (a duration) is killed with its process group. Default: 10s.').optional(),
          desktop: doc(z.boolean(), 'Desktop notifications with notify-send when a desktop session is there. Default: true.').optional(),
        },
        'use a map with command, on, timeout, desktop',
      ),
      'Where needs-you events go besides the TUI: a command of your choice (ntfy, Slack, …) and the desktop (docs/needs-you.md).',
    ).optional(),
  },
  'use a map with teams, pulse, ceiling, logs, requires, notify',
);
/** A checked muster.yaml. */
export type RawProject = z.output<typeof projectSchema>;

/** Only the `teams` list of a project file, for when the rest of it is wrong. */
export const projectTeamsSchema = z.array(text);
