/**
 * The zod schemas of the user's files (SPEC §1). They check shapes, enums
 * and units, and turn units into numbers (ms, bytes, percent); defaults,
 * for_each, names and references are dealt with after them.
 */
import { z } from 'zod';
import { strict } from './issues.js';
import { parseCpu, parseDuration, parseMemory, parsePercent, type UnitResult } from './units.js';

/** Team and agent names: also tmux session names and path parts. */
export const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** What a valid team or agent name looks like, for messages. */
export const NAME_HINT = 'use a-z, 0-9, _ and -, starting with a letter, at most 32 characters';
/** Layout names: file names in a `layouts/` folder. */
export const LAYOUT_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
/** Environment variable names. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The allowed values of the enum keys (SPEC §1). */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export const PRESETS = ['claude', 'codex', 'aider', 'gemini', 'shell'] as const;
export const ON_MEMORY = ['restart', 'stop', 'none'] as const;
export const ON_CPU = ['throttle', 'none'] as const;
export const ON_MISS = ['nudge', 'restart', 'stop', 'none'] as const;
export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
export const TMUX_LAYOUTS = ['even-horizontal', 'even-vertical', 'main-horizontal', 'main-vertical', 'tiled'] as const;

/** A value written with a unit, parsed by one of the unit parsers. */
function unit<T>(parse: (v: unknown) => UnitResult<T>) {
  return z.unknown().transform((v, ctx): T => {
    const r = parse(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.error, input: v });
    return z.NEVER;
  });
}

/** `none` (no limit) or a value with a unit. */
function noneOr<T>(parse: (v: unknown) => UnitResult<T>): (v: unknown) => UnitResult<T | null> {
  return (v) => (v === 'none' ? { ok: true, value: null } : parse(v));
}

const duration = unit((v) => parseDuration(v));
const positiveDuration = unit((v) => parseDuration(v, { positive: true }));
const memory = unit(parseMemory);
const percent = unit(parsePercent);
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

const limitsSchema = strict({
  cpu: unit(noneOr(parseCpu)).optional(),
  memory: unit(noneOr(parseMemory)).optional(),
  on_memory: z.enum(ON_MEMORY).optional(),
  on_cpu: z.enum(ON_CPU).optional(),
});
const checkinSchema = offOr(
  strict({
    every: positiveDuration.optional(),
    grace: duration.optional(),
    on_miss: z.enum(ON_MISS).optional(),
    nudge: text.optional(),
  }),
  'every, grace, on_miss, nudge',
);
const commitSchema = offOr(strict({ every: positiveDuration.optional(), nudge: text.optional() }), 'every, nudge');
/** `off` (default), `own` (a worktree on the agent's own branch), or `{ share: AGENT }` (docs/worktrees.md). */
const worktreeSchema = z.union(
  [
    z.literal('off'),
    z.literal(false).transform(() => 'off' as const),
    z.literal('own'),
    strict({ share: text }, 'use a map with share, e.g. { share: dev }'),
  ],
  { error: 'use off, own or { share: AGENT }' },
);
const restartSchema = strict({
  policy: z.enum(RESTART_POLICIES).optional(),
  max: count(0).optional(),
  within: positiveDuration.optional(),
  backoff: duration.optional(),
  max_backoff: duration.optional(),
});

/** Agent keys that team `defaults` may also set. */
const sharedAgentShape = {
  run: text.optional(),
  cwd: text.optional(),
  env: envSchema.optional(),
  prompt: z.string().optional(),
  priority: z.enum(PRIORITIES).optional(),
  limits: limitsSchema.optional(),
  checkin: checkinSchema.optional(),
  commit: commitSchema.optional(),
  restart: restartSchema.optional(),
  optional: z.boolean().optional(),
  uses: textList.optional(),
  timeout: positiveDuration.optional(),
  expect: positiveDuration.optional(),
  retries: count(0).optional(),
  preset: z.enum(PRESETS).optional(),
  worktree: worktreeSchema.optional(),
  base: text.optional(),
  include: textList.optional(),
  setup: text.optional(),
};

const forEachItem = z.union([z.string(), z.number().int().nonnegative()], { error: 'use a word, e.g. intro' }).transform(String);

/** One agent as written in a team file (units already parsed). */
export const agentSchema = strict(
  {
    ...sharedAgentShape,
    after: textList.optional(),
    for_each: z
      .array(forEachItem, { error: 'use a list of items, e.g. [intro, faq]' })
      .min(1, { error: 'use at least one item' })
      .optional(),
  },
  'use a map with at least "run"',
);
/** A team's `defaults`: agent keys merged into every agent. */
export const defaultsSchema = strict(sharedAgentShape, 'use a map of agent keys');

/** A team file's own keys; `defaults` and each agent are checked separately. */
export const teamHeadSchema = strict(
  {
    name: z.string().optional(),
    layout: z.string().optional(),
    cwd: text.optional(),
    env: envSchema.optional(),
    max_parallel: count(1).optional(),
    defaults: z.unknown().optional(),
    agents: z.record(z.string(), z.unknown(), { error: 'use a map of agent names to agents' }),
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
export type RawRestart = NonNullable<RawAgent['restart']>;
export type RawWorktree = NonNullable<RawAgent['worktree']>;

const windowName = z
  .string()
  .min(1)
  .regex(/^[^:.]+$/, { error: 'use a name without ":" or "."' });
const paneName = z.string().regex(/^(\*|[a-z][a-z0-9_-]*)$/, { error: 'use an agent name or "*"' });

/** A layout file: windows of panes, each pane an agent name (or `*`). */
export const layoutSchema = strict(
  {
    windows: z.array(
      strict({ name: windowName, layout: z.enum(TMUX_LAYOUTS).optional(), panes: z.array(paneName).min(1) }, 'use a map with name and panes'),
      { error: 'use a list of windows' },
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
    teams: z.array(text, { error: 'use a list of team files, e.g. [teams/web.yaml]' }).optional(),
    pulse: unit((v) => {
      const r = parseDuration(v);
      return r.ok && r.value < 100 ? { ok: false as const, error: `bad pulse ${JSON.stringify(v)}: use at least 100ms` } : r;
    }).optional(),
    ceiling: strict({ cpu: percent.optional(), memory: percent.optional() }).optional(),
    requires: strict({
      commands: textList.optional(),
      env: z.array(z.string().regex(ENV_NAME_RE, { error: 'use letters, digits and _, not starting with a digit' })).optional(),
      ports: z.array(port).optional(),
      disk: memory.optional(),
    }).optional(),
  },
  'use a map with teams, pulse, ceiling, requires',
);
/** A checked muster.yaml. */
export type RawProject = z.output<typeof projectSchema>;

/** Only the `teams` list of a project file, for when the rest of it is wrong. */
export const projectTeamsSchema = z.array(text);
