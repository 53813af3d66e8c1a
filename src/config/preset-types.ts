/**
 * A preset, resolved: how one agent CLI's screen shows that it works, waits for an
 * answer or is ready, and how text is typed into it. Presets are data
 * (`presets/<name>.yaml`, docs/presets.md); this is their checked, compiled form, with
 * every rule remembering the file and line it was written at (for `muster explain`).
 */

/** Where a rule or setting was written. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

export type ActivityName = 'busy' | 'idle' | 'waiting';

/** Why an agent waits: a tool permission prompt, a question or picker, a first-run dialog. */
export const WAITING_REASONS = ['permission', 'question', 'picker', 'dialog'] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

/** One screen rule: when every `match` pattern and no `unless` pattern is found in the live region. */
export interface PresetRule {
  activity: ActivityName;
  /** `permission`, `dialog`, … for waiting; a free word (`spinner`, `prompt`) otherwise */
  reason: string;
  match: RegExp[];
  unless: RegExp[];
  at: SourceRef;
}

/** Which lines of the screen are live (the input box, a prompt, a spinner), not transcript. */
export interface LiveRegionSpec {
  /** at most this many non-blank lines from the bottom */
  lines: number;
  /** a separator line (a full-width rule): the region starts below the `nth` last one among those lines */
  below: RegExp | null;
  nth: number;
  /** non-blank lines above that separator that count too (a spinner line right above an input box) */
  above: number;
}

export interface InputSpec {
  /** the input line; its first group is the text in the input */
  line: RegExp | null;
  /** input text that means "empty" (placeholders) */
  empty: RegExp[];
  /** marks that stand for pasted text not yet submitted (`[Pasted text #1 +3 lines]`) */
  pending: RegExp[];
  /** characters the CLI adds to the input's text (U+200B), removed before comparing */
  ignore: string[];
}

export interface SubmitSpec {
  /** between the paste and Enter */
  pauseMs: number;
  /** paste as a bracketed paste (the CLI then keeps newlines as text) */
  bracketed: boolean;
  /** what Enter does while the agent works: `queue` the message, or `steer` the running turn */
  enterWhileBusy: 'queue' | 'steer';
}

/**
 * The CLI's own conversation (docs/presets.md, "Sessions and hooks"): how muster names it
 * at a fresh start, and how it restarts into it. `{id}` in an argument is the session id.
 */
export interface SessionSpec {
  /** arguments added at a fresh start, `{id}` a new UUID; null: the CLI takes no id, its hooks tell it */
  start: string[] | null;
  /** arguments added to restart into the session `{id}`; null: the CLI cannot resume */
  resume: string[] | null;
}

/** One hook event the CLI fires, and the state it means (null: it only tells the session id). */
export interface HookEventSpec {
  /** the CLI's event name (`UserPromptSubmit`, `Stop`, …) */
  event: string;
  /** the CLI's own matcher for the event (e.g. a notification type), or null for every one */
  match: string | null;
  activity: ActivityName | null;
}

/**
 * How muster installs per-agent hooks for a run without touching the user's files:
 * a settings file (`{hooks: …}` merged with `settings`) passed by `args`/`env`, `-c`
 * config overrides (Codex), or a plugin module muster writes for the run (opencode), named
 * in the settings file as `{plugin}`. `{file}` is that settings file, `{home}` a per-agent home.
 */
export interface HooksSpec {
  format: 'settings' | 'config-args' | 'plugin';
  args: string[];
  env: Record<string, string>;
  /** a per-agent home: `{home}/<home>/settings.json` is the file, the user's `~/<home>` entries are linked beside it */
  home: string | null;
  /** more settings written into the file (e.g. turning off a CLI's session clean-up) */
  settings: Record<string, unknown>;
  events: HookEventSpec[];
}

/**
 * How `muster mcp` is given to the CLI for one run, without touching the user's own
 * configuration (docs/presets.md, "mcp"). In every text `{command}`, `{agent}` and `{dir}`
 * stand for the launcher's path, the agent's id and the state folder, each as a JSON string
 * (quoted; also a TOML string); in `args` and `env`, `{file}` stands for the path of the
 * per-run file written from `file`.
 */
export interface McpSpec {
  /** words put on the command line right after the program */
  args: string[];
  /** environment variables set for the run */
  env: Record<string, string>;
  /** the text of a per-run config file, or null */
  file: string | null;
  at: SourceRef;
}

/**
 * Start-up: nothing is typed into a new attempt before its screen shows the CLI's input line
 * (a CLI draws its prompt before it reads keys; text typed sooner is lost or half-taken).
 */
export interface ReadySpec {
  /** `input`: ready once the input line shows; `idle`: once idle at all (a line reader shows no prompt) */
  when: 'input' | 'idle';
  /** the live region shows the input line: any of these matching means ready; empty: an idle rule matching (or, with no idle rule, idle) */
  match: RegExp[];
  /** not ready this long after the start: one `not-ready` event */
  timeoutMs: number;
}

export interface PresetSpec {
  /** the preset's name (`claude`), `<name>+` for one extended inline in a team file */
  name: string;
  description: string;
  /** the files it was built from, most specific first */
  files: string[];
  /** program names (first word of `run`) that select this preset when `preset:` is not given */
  commands: string[];
  /** output quiet this long, with an idle rule matching, counts as idle */
  quietMs: number;
  /** with no rule matching, idle needs this many times `quietMs` */
  unreadyFactor: number;
  live: LiveRegionSpec;
  /** tried in order; the first that matches decides */
  rules: PresetRule[];
  input: InputSpec;
  submit: SubmitSpec;
  /** keys that empty the input line without answering anything (tmux key names) */
  clearKeys: string[];
  /** when a started CLI takes its first text (docs/presets.md, "Start-up") */
  ready: ReadySpec;
  session: SessionSpec;
  /** null: the CLI has no hooks muster installs; its screen alone tells its state */
  hooks: HooksSpec | null;
  /** how `muster mcp` is wired into a run; null: this CLI takes no MCP server per run */
  mcp: McpSpec | null;
}
