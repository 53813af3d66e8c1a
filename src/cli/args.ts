/**
 * Command-line parsing (docs/commands.md). `-C DIR` and `--help` are accepted before or after the
 * command name; each command declares its own flags. Pure: argv in, a parsed command out.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export interface CommandDef {
  name: string;
  summary: string;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** [min, max] positional arguments; max null = any */
  positionals: [number, number | null];
  /** what shell completion offers for positionals: agent names (`agent`: the first only), files, or these words */
  completes?: 'agents' | 'agent' | 'files' | readonly string[];
}

export const COMMANDS: readonly CommandDef[] = [
  { name: 'up', summary: 'start the crew and its supervisor (or pick them up) and open the TUI', usage: 'up [--headless] [--quiet] [FILES…]', options: { headless: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } }, positionals: [0, null], completes: 'files' },
  { name: 'status', summary: 'the crew as a table, or as JSON', usage: 'status [--json]', options: { json: { type: 'boolean' } }, positionals: [0, 0] },
  { name: 'validate', summary: 'check the team, layout and project files', usage: 'validate [FILES…]', positionals: [0, null], completes: 'files' },
  { name: 'checkin', summary: 'from inside an agent (or with MUSTER_AGENT and -C DIR): report progress', usage: 'checkin [MESSAGE]', positionals: [0, 1] },
  { name: 'handoff', summary: 'from inside an agent: hand work to another agent', usage: 'handoff TO MESSAGE [--file PATH]', options: { file: { type: 'string' } }, positionals: [2, 2], completes: 'agent' },
  { name: 'done', summary: 'from inside an agent: its work is finished', usage: 'done [MESSAGE]', positionals: [0, 1] },
  { name: 'mcp', summary: 'from inside an agent: an MCP server on stdio with the tools checkin, handoff, done and crew_status', usage: 'mcp', positionals: [0, 0] },
  { name: 'stop', summary: 'stop agents gracefully', usage: 'stop AGENT… | --all', options: { all: { type: 'boolean' } }, positionals: [0, null], completes: 'agents' },
  { name: 'restart', summary: "reset agents: a fresh process, counters cleared, a new conversation (--resume: the CLI's own conversation kept)", usage: 'restart AGENT… [--resume]', options: { resume: { type: 'boolean' } }, positionals: [1, null], completes: 'agents' },
  { name: 'pause', summary: 'freeze an agent', usage: 'pause AGENT…', positionals: [1, null], completes: 'agents' },
  { name: 'resume', summary: 'thaw a paused agent', usage: 'resume AGENT…', positionals: [1, null], completes: 'agents' },
  { name: 'send', summary: 'type a message into an agent and submit it', usage: 'send AGENT MESSAGE [--force]', options: { force: { type: 'boolean' } }, positionals: [2, 2], completes: 'agent' },
  { name: 'explain', summary: 'why an agent is busy, idle or waiting: the screen lines read and the preset rule that matched', usage: 'explain AGENT [--json]', options: { json: { type: 'boolean' } }, positionals: [1, 1], completes: 'agent' },
  { name: 'attach', summary: "put this terminal on the agent's pane", usage: 'attach AGENT', positionals: [1, 1], completes: 'agent' },
  { name: 'logs', summary: "the agent's output as its screen showed it, across its rotated files (-f follows, --raw the bytes)", usage: 'logs AGENT [-f] [-n LINES] [--raw]', options: { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' }, raw: { type: 'boolean' } }, positionals: [1, 1], completes: 'agent' },
  {
    name: 'wait',
    summary: 'wait until agents are idle, waiting, done, failed, or changed (for scripts; exit 1 on timeout)',
    usage: 'wait AGENT… --until idle|waiting|done|failed|change [--timeout D]',
    options: { until: { type: 'string' }, timeout: { type: 'string' } },
    positionals: [1, null],
    completes: 'agents',
  },
  { name: 'report', summary: 'the run per agent and per phase, with parallel efficiency (also .muster/report.md)', usage: 'report [--json]', options: { json: { type: 'boolean' } }, positionals: [0, 0] },
  { name: 'worktrees', summary: "every agent's worktree: branch, base, commits ahead and behind, changes, merged", usage: 'worktrees [--json]', options: { json: { type: 'boolean' } }, positionals: [0, 0] },
  { name: 'diff', summary: "the agent's work against its base (committed and uncommitted), through git diff", usage: 'diff AGENT [--stat]', options: { stat: { type: 'boolean' } }, positionals: [1, 1], completes: 'agent' },
  { name: 'land', summary: "merge the agent's branch into its base branch (or refuse, changing nothing)", usage: 'land AGENT [--squash] [--into BRANCH]', options: { squash: { type: 'boolean' }, into: { type: 'string' } }, positionals: [1, 1], completes: 'agent' },
  { name: 'discard', summary: "remove the agent's worktree and branch (refuses unmerged work without --force)", usage: 'discard AGENT [--force]', options: { force: { type: 'boolean' } }, positionals: [1, 1], completes: 'agent' },
  { name: 'down', summary: "stop every agent gracefully and remove the crew's tmux sessions", usage: 'down', positionals: [0, 0] },
  { name: 'cleanup', summary: 'emergency: kill everything the crew owns at once', usage: 'cleanup [--yes]', options: { yes: { type: 'boolean', short: 'y' } }, positionals: [0, 0] },
  {
    name: 'init',
    summary: 'write muster.yaml and a team of the agent CLIs on PATH (asks on a terminal)',
    usage: 'init [--agents CLI:N,…] [--server CMD] [--force] …',
    options: { agents: { type: 'string' }, server: { type: 'string' }, name: { type: 'string' }, shape: { type: 'string' }, memory: { type: 'string' }, worktrees: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, force: { type: 'boolean' } },
    positionals: [0, 0],
  },
  {
    name: 'import',
    summary: 'a team (and layout) from a tmuxinator or tmuxp file or a Procfile',
    usage: 'import FILE [--name NAME] [--stdout] [--force] …',
    options: { name: { type: 'string' }, format: { type: 'string' }, stdout: { type: 'boolean' }, force: { type: 'boolean' } },
    positionals: [1, 1],
    completes: 'files',
  },
  {
    name: 'completion',
    summary: "shell completion: commands, flags and the project's agent names",
    usage: 'completion bash|zsh|fish',
    options: { agents: { type: 'boolean' } },
    positionals: [0, 1],
    completes: ['bash', 'zsh', 'fish'],
  },
  { name: 'schema', summary: 'the JSON Schema of a file format, for editors', usage: 'schema [team|layout|project|preset]', positionals: [0, 1], completes: ['team', 'layout', 'project', 'preset'] },
];

export type ParsedCommand =
  | { kind: 'help'; command: CommandDef | null }
  | { kind: 'version' }
  | {
      kind: 'run';
      command: string;
      dir: string | null;
      positionals: string[];
      flags: Record<string, string | boolean | undefined>;
    };

export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const { dir, rest, help, version } = extractGlobals(argv);
  if (version && rest.length === 0) return { kind: 'version' };
  const first = rest[0];
  const name = first === undefined || first.startsWith('-') ? 'up' : first;
  const def = COMMANDS.find((c) => c.name === name);
  if (!def) throw new UsageError(`unknown command "${name}"`, 'Run `muster --help` to see the commands.');
  if (help) return { kind: 'help', command: first === undefined ? null : def };
  const args = first === name ? rest.slice(1) : rest;

  let parsed;
  try {
    parsed = parseArgs({ args, options: def.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify.*$/s, '')}`, `Usage: muster ${def.usage}`);
  }
  const [min, max] = def.positionals;
  const n = parsed.positionals.length;
  if (n < min || (max !== null && n > max)) {
    throw new UsageError(`${name}: expected ${describeArity(min, max)}, got ${n}`, `Usage: muster ${def.usage}`);
  }
  if (name === 'stop' && (n === 0) === !parsed.values.all) {
    throw new UsageError('stop: name the agents to stop, or pass --all (not both)', `Usage: muster ${def.usage}`);
  }
  return { kind: 'run', command: name, dir, positionals: parsed.positionals, flags: parsed.values as Record<string, string | boolean | undefined> };
}

function extractGlobals(argv: readonly string[]) {
  const rest: string[] = [];
  let dir: string | null = null;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '-C' || a === '--dir') {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${a} needs a directory`, 'Example: muster -C ~/work/app status');
      dir = value;
      i++;
    } else if (a.startsWith('-C') && a.length > 2) dir = a.slice(2);
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--version' || a === '-V') version = true;
    else rest.push(a);
  }
  return { dir, rest, help, version };
}

function describeArity(min: number, max: number | null): string {
  if (max === null) return `at least ${min} argument${min === 1 ? '' : 's'}`;
  if (min === max) return `${min} argument${min === 1 ? '' : 's'}`;
  return `${min} to ${max} arguments`;
}

export function helpText(def: CommandDef | null, version: string): string {
  if (def) {
    const flags = Object.entries(def.options ?? {}).map(([name, o]) => `--${name}${o.type === 'string' ? ' VALUE' : ''}`);
    return `Usage: muster ${def.usage} [-C DIR]\n\n${def.summary}\n${flags.length > 0 ? `\nFlags: ${flags.join(', ')} (docs/commands.md)\n` : ''}`;
  }
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    `muster ${version}: a terminal supervisor for teams of AI coding agents in tmux`,
    '',
    'Usage: muster [-C DIR] COMMAND [ARGS…]   (no command: `muster up`)',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes -C DIR (the project directory) and --help.',
    '',
  ].join('\n');
}
