/**
 * Shell completion scripts (docs/commands.md#muster-completion-bashzshfish), generated
 * from the command table (args.ts): commands, their flags, and for commands that take
 * agents, the agent names of the project, asked of `muster completion --agents` (which
 * reads files only: no supervisor round trip). Pure: the table in, the script out.
 */
import type { CommandDef } from './args.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Every flag of a command, long and short, as typed. */
export function flagsOf(def: CommandDef): string[] {
  const flags: string[] = [];
  for (const [name, opt] of Object.entries(def.options ?? {})) {
    flags.push(`--${name}`);
    if (opt.short) flags.push(`-${opt.short}`);
  }
  return [...flags, '--help', '-C'];
}

/** Shell-safe single-quoted word. */
const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function names(commands: readonly CommandDef[], kind: NonNullable<CommandDef['completes']>): string {
  return commands
    .filter((c) => c.completes === kind)
    .map((c) => c.name)
    .join('|');
}

/** `case` patterns need at least one name; an impossible one stands in for none. */
const pattern = (list: string): string => (list === '' ? '__muster_none__' : list);

function bash(commands: readonly CommandDef[]): string {
  const flagCases = commands.map((c) => `      ${c.name}) flags=${q(flagsOf(c).join(' '))} ;;`).join('\n');
  return `# muster completion for bash. Load it with: source <(muster completion bash)
_muster_agents() {
  muster \${1:+-C "$1"} completion --agents 2>/dev/null
}
_muster() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" dir="" i npos=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -C|--dir) ((i++)); dir="\${COMP_WORDS[i]}" ;;
      -*) ;;
      *) if [[ -z "$cmd" ]]; then cmd="\${COMP_WORDS[i]}"; else ((npos++)); fi ;;
    esac
  done
  if [[ "$prev" == "-C" || "$prev" == "--dir" ]]; then
    COMPREPLY=($(compgen -d -- "$cur")); return
  fi
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W ${q(`${commands.map((c) => c.name).join(' ')} --help --version -C`)} -- "$cur")); return
  fi
  local flags=""
  case "$cmd" in
${flagCases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur")); return
  fi
  case "$cmd" in
    ${pattern(names(commands, 'agents'))}) COMPREPLY=($(compgen -W "$(_muster_agents "$dir")" -- "$cur")) ;;
    ${pattern(names(commands, 'agent'))}) [[ $npos -eq 0 ]] && COMPREPLY=($(compgen -W "$(_muster_agents "$dir")" -- "$cur")) ;;
    ${pattern(names(commands, 'files'))}) COMPREPLY=($(compgen -f -- "$cur")) ;;
${commands
  .filter((c) => Array.isArray(c.completes))
  .map((c) => `    ${c.name}) [[ $npos -eq 0 ]] && COMPREPLY=($(compgen -W ${q((c.completes as readonly string[]).join(' '))} -- "$cur")) ;;`)
  .join('\n')}
  esac
}
complete -o default -F _muster muster
`;
}

function zsh(commands: readonly CommandDef[]): string {
  const described = commands.map((c) => `    ${q(`${c.name}:${c.summary.replaceAll(':', '\\:')}`)}`).join('\n');
  const flagCases = commands.map((c) => `    ${c.name}) flags=(${flagsOf(c).map(q).join(' ')}) ;;`).join('\n');
  return `#compdef muster
# muster completion for zsh. Load it with: source <(muster completion zsh)   (after compinit)
_muster() {
  local -a commands flags
  commands=(
${described}
  )
  local cmd="" dir="" i npos=0
  for (( i = 2; i < CURRENT; i++ )); do
    case "\${words[i]}" in
      -C|--dir) (( i++ )); dir="\${words[i]}" ;;
      -*) ;;
      *) if [[ -z "$cmd" ]]; then cmd="\${words[i]}"; else (( npos++ )); fi ;;
    esac
  done
  if [[ "\${words[CURRENT-1]}" == -C || "\${words[CURRENT-1]}" == --dir ]]; then _files -/; return; fi
  if [[ -z "$cmd" ]]; then _describe 'command' commands; return; fi
  case "$cmd" in
${flagCases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- $flags; return; fi
  local -a agents
  case "$cmd" in
    ${pattern(names(commands, 'agents'))}) agents=(\${(f)"$(muster \${dir:+-C "$dir"} completion --agents 2>/dev/null)"}); compadd -- $agents ;;
    ${pattern(names(commands, 'agent'))}) if (( npos == 0 )); then agents=(\${(f)"$(muster \${dir:+-C "$dir"} completion --agents 2>/dev/null)"}); compadd -- $agents; fi ;;
    ${pattern(names(commands, 'files'))}) _files ;;
${commands
  .filter((c) => Array.isArray(c.completes))
  .map((c) => `    ${c.name}) (( npos == 0 )) && compadd -- ${(c.completes as readonly string[]).map(q).join(' ')} ;;`)
  .join('\n')}
  esac
}
compdef _muster muster
`;
}

function fish(commands: readonly CommandDef[]): string {
  const lines = [
    '# muster completion for fish. Load it with: muster completion fish > ~/.config/fish/completions/muster.fish',
    'complete -c muster -f',
    "complete -c muster -s C -l dir -r -a '(__fish_complete_directories)' -d 'the project folder'",
    "complete -c muster -n __fish_use_subcommand -l version -d 'print the version'",
  ];
  for (const c of commands) {
    lines.push(`complete -c muster -n __fish_use_subcommand -a ${c.name} -d ${q(c.summary)}`);
    for (const [name, opt] of Object.entries(c.options ?? {})) {
      lines.push(`complete -c muster -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -l ${name}${opt.short ? ` -s ${opt.short}` : ''}${opt.type === 'string' ? ' -r' : ''}`);
    }
    if (c.completes === 'agents' || c.completes === 'agent') lines.push(`complete -c muster -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -a '(muster completion --agents 2>/dev/null)'`);
    if (c.completes === 'files') lines.push(`complete -c muster -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -F`);
    if (Array.isArray(c.completes)) lines.push(`complete -c muster -n ${q(`__fish_seen_subcommand_from ${c.name}`)} -a ${q(c.completes.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for a shell. */
export function completionScript(shell: Shell, commands: readonly CommandDef[]): string {
  return shell === 'bash' ? bash(commands) : shell === 'zsh' ? zsh(commands) : fish(commands);
}
