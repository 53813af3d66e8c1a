/**
 * The zod schema of a preset (`presets/<name>.yaml`, or a map under an agent's `preset:`
 * key); docs/presets.md describes every key. Patterns are JavaScript regular expressions,
 * checked here and compiled (multi-line: `^` and `$` match at each line) when the preset
 * is resolved.
 */
import { z } from 'zod';
import { strict } from './issues.js';
import { WAITING_REASONS } from './preset-types.js';
import { parseDuration } from './units.js';

/** A preset name: a file name in a `presets/` folder. */
export const PRESET_NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** Compiles a pattern as muster does (`m`, and `i` when asked). */
export function compilePattern(source: string, ignoreCase = false): RegExp {
  return new RegExp(source, ignoreCase ? 'mi' : 'm');
}

/** Why `v` is not a usable pattern, or null. */
function patternProblem(v: unknown): string | null {
  if (typeof v !== 'string') return `bad pattern ${JSON.stringify(v)}: use a regular expression in quotes`;
  try {
    compilePattern(v);
    return null;
  } catch (err) {
    return `bad pattern ${JSON.stringify(v)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

/** What a pattern, or a list of patterns, may be written as (for editors). */
const PATTERN_INPUT = { type: 'string', examples: ['esc to interrupt', '^❯ '] };
const PATTERNS_INPUT = { anyOf: [PATTERN_INPUT, { type: 'array', items: PATTERN_INPUT, minItems: 1 }] };

/** A key's description for editors (json-schema.ts). */
function doc<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description });
}

const pattern = z
  .unknown()
  .transform((v, ctx): string => {
    const problem = patternProblem(v);
    if (problem === null) return v as string;
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  })
  .meta(PATTERN_INPUT);
/** One pattern, or a list of them (all must match). */
const patterns = z.unknown().transform((v, ctx): string[] => {
  if (typeof v === 'string') {
    const problem = patternProblem(v);
    if (problem === null) return [v];
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  if (!Array.isArray(v) || v.length === 0) {
    ctx.addIssue({ code: 'custom', message: `bad patterns ${JSON.stringify(v)}: use a pattern or a list of patterns` });
    return z.NEVER;
  }
  v.forEach((p, i) => {
    const problem = patternProblem(p);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
  });
  return v as string[];
}).meta(PATTERNS_INPUT);

const duration = (min: number) =>
  z
    .unknown()
    .transform((v, ctx): number => {
      const r = parseDuration(v);
      if (r.ok && r.value >= min) return r.value;
      ctx.addIssue({ code: 'custom', message: r.ok ? `bad duration ${JSON.stringify(v)}: use at least ${min}ms` : r.error });
      return z.NEVER;
    })
    .meta({ type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h))+\\s*$', examples: ['3s', '200ms'] });

const word = z.string().regex(/^[a-z][a-z0-9_-]*$/, { error: 'use a word of a-z, 0-9, _ and -' });

/** One rule; exactly one of `waiting`, `busy` and `idle` says what it means. */
export const ruleSchema = strict(
  {
    waiting: doc(z.enum(WAITING_REASONS), 'The live region shows a prompt someone must answer: permission (a tool), question, picker or dialog (a first-run dialog).').optional(),
    busy: doc(word, 'The live region shows the agent working; the word says why (e.g. working, spinner).').optional(),
    idle: doc(word, 'The live region shows the agent ready for input (idle once its output is quiet); the word says why (e.g. prompt).').optional(),
    match: doc(patterns, 'A regular expression, or a list that must all match, tested against the live region (^ and $ match at each line).'),
    unless: doc(patterns, 'Patterns any of which, when they match, make the rule not apply.').optional(),
    ignore_case: doc(z.boolean(), 'Match regardless of upper and lower case. Default: false.').optional(),
  },
  'use a map with waiting, busy or idle, and match',
).superRefine((rule, ctx) => {
  const kinds = (['waiting', 'busy', 'idle'] as const).filter((k) => rule[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: kinds.length === 0 ? 'a rule needs one of waiting, busy or idle (e.g. waiting: permission)' : `a rule has one meaning: use only one of ${kinds.join(', ')}`,
    });
  }
});

const args = (what: string) => doc(z.array(z.string(), { error: 'use a list of arguments, e.g. [--resume, "{id}"]' }), what);

/** The CLI's session: how it is named at a fresh start and resumed (docs/presets.md). */
export const sessionSchema = strict(
  {
    start: args('Arguments added to the command at a fresh start; {id} is a new UUID muster keeps (e.g. [--session-id, "{id}"]). Default: none (the id is learnt from the hooks).').optional(),
    resume: args('Arguments added to the command to restart into the session {id} (e.g. [--resume, "{id}"]). Default: none (restarts start a new conversation).').optional(),
  },
  'use a map with start, resume',
);

const hookEventSchema = strict(
  {
    on: doc(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { error: 'use an event name, e.g. Stop' }), "The CLI's hook event (e.g. UserPromptSubmit, Stop)."),
    match: doc(z.string().min(1), "The CLI's own matcher for the event (e.g. permission_prompt for a notification type); with the plugin format, a regular expression over the event's properties as JSON. Default: every one.").optional(),
    state: doc(z.enum(['busy', 'waiting', 'idle', 'none']), 'What the event means: busy, waiting, idle, or none (it only tells the session id).'),
  },
  'use a map with on, state and optionally match',
);

/** Per-run hooks: how they are installed, and which events mean what (docs/presets.md). */
export const hooksSchema = strict(
  {
    format: doc(
      z.enum(['settings', 'config-args', 'plugin']),
      'settings: a JSON settings file {"hooks": …} ({file}); config-args: -c hooks.<Event>=… overrides (Codex); plugin: a plugin module muster writes for the run ({plugin} in settings), named in the settings file (opencode). Default: settings.',
    ).optional(),
    args: args('Arguments added to the command; {file} is the settings file, {home} the per-agent home.').optional(),
    env: doc(z.record(z.string(), z.string()), 'Environment variables added to the command ({file}, {home} as in args).').optional(),
    home: doc(z.string().regex(/^\.[A-Za-z0-9_.-]+$/, { error: 'use a folder name, e.g. .gemini' }), "A per-agent home: the settings file is {home}/<this>/settings.json, merged over the user's ~/<this>/settings.json, with the user's other entries there linked.").optional(),
    settings: doc(z.record(z.string(), z.unknown()), 'More settings written into the settings file.').optional(),
    events: doc(z.array(hookEventSchema, { error: 'use a list of { on, state }' }).min(1), 'The hook events muster installs, each with the state it reports.'),
  },
  'use a map with events and how to install them',
).superRefine((hooks, ctx) => {
  // the plugin muster writes tests each `match` as a regular expression
  if (hooks.format !== 'plugin') return;
  hooks.events.forEach((e, i) => {
    const problem = e.match === undefined ? null : patternProblem(e.match);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['events', i, 'match'] });
  });
});

/** Keys a preset file and an inline `preset:` map share. */
export const presetShape = {
  description: doc(z.string(), 'What this preset is for, shown by muster explain.').optional(),
  extends: doc(z.string().regex(PRESET_NAME_RE, { error: 'use a preset name, e.g. claude' }), "A preset this one builds on: its keys replace the other's, its rules are tried first. A project preset extending its own name extends the built-in one.").optional(),
  commands: doc(z.array(z.string().min(1), { error: 'use a list of program names, e.g. [claude]' }), "Programs (the first word of an agent's run) that get this preset when the agent names none.").optional(),
  quiet: doc(duration(0), 'Output quiet this long (a duration), with an idle rule matching, counts as idle; 0s: output alone never makes the agent busy, its rules decide (for a CLI whose busy rule shows for as long as it works). Default: 5s.').optional(),
  unready: doc(z.number({ error: 'use a number of at least 1' }).min(1), 'With no rule matching, idle needs this many times quiet. Default: 1.').optional(),
  live: doc(
    strict(
      {
        lines: doc(z.number().int().min(1).max(200), 'At most this many non-blank lines from the bottom of the screen. Default: 15.').optional(),
        below: doc(pattern, 'A separator line (e.g. a full-width rule): the live region starts at the nth-last one among those lines.').optional(),
        nth: doc(z.number().int().min(1).max(10), 'Which separator from the bottom starts the region. Default: 1.').optional(),
        above: doc(z.number().int().min(0).max(20), 'Lines above that separator that count too (a spinner right above an input box). Default: 0.').optional(),
      },
      'use a map with lines, below, nth, above',
    ),
    'Which lines of the screen are live (input box, prompt, spinner) and not transcript, where model text can say anything.',
  ).optional(),
  rules: doc(z.array(ruleSchema, { error: 'use a list of rules' }), 'Screen rules tried in order; the first that matches the live region decides.').optional(),
  input: doc(
    strict(
      {
        line: doc(pattern, 'The input line; its first group is the text in the input.').optional(),
        empty: doc(patterns, 'Input text that means empty (placeholders).').optional(),
        pending: doc(patterns, 'Marks that stand for pasted text not yet submitted (e.g. [Pasted text #1]).').optional(),
        ignore: doc(z.array(z.string().min(1)), 'Characters the CLI adds to the input text, removed before comparing (e.g. U+200B).').optional(),
      },
      'use a map with line, empty, pending, ignore',
    ),
    "How to read the agent's input line: to leave a draft alone and to see that typed text was submitted.",
  ).optional(),
  submit: doc(
    strict(
      {
        pause: doc(duration(50), 'Between the paste and Enter (a duration). Default: 200ms.').optional(),
        paste: doc(z.enum(['bracketed', 'plain']), 'bracketed: the CLI takes newlines as text; plain: typed as keys. Default: bracketed.').optional(),
        enter_while_busy: doc(z.enum(['queue', 'steer']), 'What Enter does while the agent works: queue the message, or steer the running turn. Default: queue.').optional(),
      },
      'use a map with pause, paste, enter_while_busy',
    ),
    'How text is typed into the agent.',
  ).optional(),
  mcp: doc(
    strict(
      {
        args: doc(z.array(z.string()), 'Words put on the command line right after the program, e.g. [--mcp-config={file}].').optional(),
        env: doc(z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'use a variable name' }), z.string()), 'Environment variables set for the run, e.g. a config in a variable.').optional(),
        file: doc(z.string(), 'The text of a per-run config file muster writes (private, under .muster/mcp/); {file} in args and env is its path.').optional(),
      },
      'use a map with args, env, file',
    ),
    "How muster's MCP server (muster mcp) is given to this CLI for one run, keeping the user's own configuration. In every text {command}, {agent} and {dir} are the launcher, the agent's id and the state folder as JSON strings. Absent: the CLI takes no MCP server per run, and mcp defaults to false.",
  ).optional(),
  ready: doc(
    strict(
      {
        when: doc(z.enum(['input', 'idle']), 'input: ready once the screen shows the input line (match); idle: once idle at all, for a program that shows no prompt (a line reader). Default: input.').optional(),
        match: doc(patterns, 'The live region shows the input line: any of these matching means the CLI takes text. Default: an idle rule matching (with no idle rule: idle).').optional(),
        timeout: doc(duration(1000), 'Not ready this long after the start: one not-ready event (nothing is typed until it is ready). Default: 60s.').optional(),
      },
      'use a map with when, match, timeout',
    ),
    "Start-up: nothing is typed into a new attempt before its screen shows the CLI's input line.",
  ).optional(),
  keys: doc(
    strict(
      { clear: doc(z.array(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'use tmux key names, e.g. C-u' })), 'Keys that empty the input line without answering anything (tmux key names).').optional() },
      'use a map with clear',
    ),
    'Keys muster may send.',
  ).optional(),
  session: doc(sessionSchema, "The CLI's own conversation: how muster names it at a fresh start and restarts into it.").optional(),
  hooks: doc(z.union([hooksSchema, z.literal('off')], { error: 'use a map with events, or off' }), 'Per-run hooks that tell muster busy, waiting, idle and the session id; off: the screen alone tells.').optional(),
};

export const presetSchema = strict(presetShape, 'use a map of preset keys').meta({
  description: "A preset: how an agent CLI's screen shows that it works, waits or is ready, and how text is typed into it (docs/presets.md).",
});
export type RawPreset = z.output<typeof presetSchema>;
export type RawRule = z.output<typeof ruleSchema>;

/** An agent's `preset:`: a preset's name, or a map that extends one. */
export const presetRefSchema = z.union([z.string().regex(PRESET_NAME_RE, { error: 'use a preset name, e.g. claude' }), presetSchema], {
  error: 'use a preset name (e.g. claude) or a map with extends and the keys to change',
});
