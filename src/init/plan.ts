/**
 * What `muster init` writes (docs/commands.md#muster-init): from the user's choices, the
 * text of `muster.yaml` and `teams/<name>.yaml`. Pure: no files, no PATH, no clock.
 */
import { toName } from '../config/schema.js';
import { UsageError } from '../errors.js';

/** The agent CLIs muster knows, in the order they are offered, and `shell`. */
export const KNOWN_CLIS = ['claude', 'codex', 'gemini', 'qwen', 'opencode', 'aider'] as const;
export type KnownCli = (typeof KNOWN_CLIS)[number];
export type AgentKind = KnownCli | 'shell';
export const AGENT_KINDS: readonly AgentKind[] = [...KNOWN_CLIS, 'shell'];

/** How each kind is run, and the preset that reads its screen (docs/presets.md), if any. */
const KIND_RUN: Record<AgentKind, { run: string; preset: string | null }> = {
  claude: { run: 'claude', preset: 'claude' },
  codex: { run: 'codex', preset: 'codex' },
  gemini: { run: 'gemini', preset: 'gemini' },
  qwen: { run: 'qwen', preset: null },
  opencode: { run: 'opencode', preset: null },
  aider: { run: 'aider', preset: 'aider' },
  shell: { run: 'exec "${SHELL:-/bin/sh}"', preset: 'shell' },
};

/** The team's shape: independent agents, or a PM whose plan the others wait for. */
export const SHAPES = ['crew', 'pm-dev'] as const;
export type Shape = (typeof SHAPES)[number];

export interface InitChoices {
  /** the team's name (valid, see NAME_RE) */
  name: string;
  shape: Shape;
  /** how many of each kind, in order */
  agents: Array<{ kind: AgentKind; count: number }>;
  /** the dev server's command, or null */
  server: string | null;
  /** each coding agent works in a git worktree of its own */
  worktrees: boolean;
  /** every agent's memory limit in bytes, or null for none */
  memoryBytes: number | null;
  /** the `$schema` targets for the two files (paths or URLs), or null for no line */
  schema: { team: string; project: string } | null;
}

export interface InitFile {
  /** relative to the project folder */
  path: string;
  text: string;
}

/** `claude:2,codex:1` → kinds and counts; a kind alone counts 1. Throws UsageError (exit 2). */
export function parseAgentsFlag(value: string): Array<{ kind: AgentKind; count: number }> {
  const out: Array<{ kind: AgentKind; count: number }> = [];
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [kind = '', countText] = part.split(':', 2);
    if (!(AGENT_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--agents: unknown agent CLI "${kind}"`, `Use ${AGENT_KINDS.join(', ')}, each with an optional count, e.g. claude:2,codex:1.`);
    }
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 20) {
      throw new UsageError(`--agents: bad count "${countText ?? ''}" for ${kind}`, 'Use a whole number from 1 to 20, e.g. claude:2.');
    }
    const same = out.find((a) => a.kind === kind);
    if (same) same.count += count;
    else out.push({ kind: kind as AgentKind, count });
  }
  if (out.length === 0) throw new UsageError('--agents names no agent', 'Example: --agents claude:2,codex:1');
  return out;
}

/** A valid team name from a folder name: `My App` → `my-app`; `crew` when nothing is left. */
export function teamNameFrom(folder: string): string {
  return toName(folder, 'crew');
}

/** A memory size as a team file writes it: whole GiB, else whole MiB. */
export function formatMemory(bytes: number): string {
  const mib = Math.max(1, Math.round(bytes / 2 ** 20));
  return mib % 1024 === 0 ? `${mib / 1024}GiB` : `${mib}MiB`;
}

/** The memory limit offered per agent: an eighth of the machine, in 256 MiB steps, 512 MiB to 4 GiB. */
export function suggestedMemory(totalBytes: number): number {
  const step = 256 * 2 ** 20;
  const eighth = Math.floor(totalBytes / 8 / step) * step;
  return Math.min(4 * 2 ** 30, Math.max(2 * step, eighth));
}

/** A port the server command names (`--port 3000`, `PORT=3000`, `:8080`), or null. */
export function portOf(command: string): number | null {
  const m = /(?:--port[= ]|\bPORT=|-p\s+|:)(\d{2,5})\b/.exec(command);
  const port = m?.[1] === undefined ? null : Number(m[1]);
  return port !== null && port >= 1 && port <= 65535 ? port : null;
}

/** Agent names for the chosen kinds: `claude` alone, or `claude-1`, `claude-2`; with the pm-dev shape the first is `pm`, the rest `dev…`. */
export function agentNames(choices: Pick<InitChoices, 'shape' | 'agents'>): Array<{ name: string; kind: AgentKind }> {
  const flat = choices.agents.flatMap((a) => Array.from({ length: a.count }, (_, i) => ({ kind: a.kind, i, count: a.count })));
  if (choices.shape === 'pm-dev') {
    const devs = flat.length - 1;
    return flat.map((a, i) => ({ kind: a.kind, name: i === 0 ? 'pm' : devs === 1 ? 'dev' : `dev-${i}` }));
  }
  return flat.map((a) => ({ kind: a.kind, name: a.count === 1 ? a.kind : `${a.kind}-${a.i + 1}` }));
}

const quote = (s: string): string => JSON.stringify(s);

/** The PM's first message: plan, then one handoff per dev (each dev starts on it). */
function pmPrompt(devs: readonly string[]): string {
  return (
    `You are the PM of this team. Read the project and write a short plan to PLAN.md, one part per dev (${devs.join(', ')}). ` +
    'Hand each dev its part with `muster handoff DEV "…" --file PLAN.md`, then run `muster done`.'
  );
}

/** The team file's text. */
export function teamFileText(choices: InitChoices): string {
  const names = agentNames(choices);
  const lines: string[] = [];
  if (choices.schema) lines.push(`# yaml-language-server: $schema=${choices.schema.team}`);
  lines.push(
    `# Written by muster init. Every key: docs/team-file.md of muster (or \`muster schema team\`).`,
    `name: ${choices.name}`,
    'defaults:',
    `  restart: { policy: on-failure, max: 5, within: 10m }`,
  );
  if (choices.memoryBytes !== null) lines.push(`  limits: { memory: ${formatMemory(choices.memoryBytes)} }`);
  const coding = names.some((n) => n.kind !== 'shell');
  if (choices.worktrees && coding) lines.push('  worktree: own                # each agent on its own branch');
  lines.push('agents:');
  for (const { name, kind } of names) {
    const { run, preset } = KIND_RUN[kind];
    lines.push(`  ${name}:`, `    run: ${kind === 'shell' ? quote(run) : run}`);
    if (preset) lines.push(`    preset: ${preset}`);
    if (choices.shape === 'pm-dev' && name === 'pm') lines.push(`    prompt: ${quote(pmPrompt(names.slice(1).map((n) => n.name)))}`);
    if (choices.shape === 'pm-dev' && name !== 'pm') lines.push('    after: [pm]');
  }
  if (choices.server !== null) {
    const port = portOf(choices.server);
    lines.push('  server:', `    run: ${quote(choices.server)}`, '    restart: { policy: always }');
    if (choices.worktrees && coding) lines.push('    worktree: off');
    if (port !== null) lines.push(`    uses: [port:${port}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** The project file's text. */
export function projectFileText(choices: InitChoices): string {
  const lines: string[] = [];
  if (choices.schema) lines.push(`# yaml-language-server: $schema=${choices.schema.project}`);
  const commands = [...new Set(choices.agents.map((a) => a.kind).filter((k): k is KnownCli => k !== 'shell'))];
  lines.push(
    '# Written by muster init. Every key: docs/project-file.md of muster (or `muster schema project`).',
    `teams: [teams/${choices.name}.yaml]`,
    'pulse: 2s',
    '# ceiling: { cpu: 80%, memory: 85% }   # above this share of the machine, no new agent starts',
  );
  if (commands.length > 0) lines.push('requires:', `  commands: [${commands.join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** Both files, in the order they are written. */
export function initFiles(choices: InitChoices): InitFile[] {
  return [
    { path: 'muster.yaml', text: projectFileText(choices) },
    { path: `teams/${choices.name}.yaml`, text: teamFileText(choices) },
  ];
}
