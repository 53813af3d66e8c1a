/** Small readers shared by the importers (tmuxinator.ts, tmuxp.ts, procfile.ts). */
import * as os from 'node:os';
import type { FileProblem } from '../errors.js';
import type { Path, YamlSource } from '../config/yaml-source.js';

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A pane's command line: null for an empty pane, `bad` when the value is not commands. */
export type Commands = string | null | 'bad';

/**
 * Commands as these tools write them: one command, or a list typed one after the other
 * (joined with `; `, which runs them in order as typing them would); tmuxp's `{ cmd: … }`
 * items too. Empty values are an empty pane (a shell).
 */
export function commandsOf(value: unknown): Commands {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!Array.isArray(value)) return 'bad';
  const parts: string[] = [];
  for (const item of value) {
    const one = isMap(item) && 'cmd' in item ? commandsOf(item.cmd) : commandsOf(item);
    if (one === 'bad') return 'bad';
    if (one !== null) parts.push(one);
  }
  return parts.length === 0 ? null : parts.join('; ');
}

/** `~/x` → the home folder's x (muster does not expand `~` in cwd). */
export function expandHome(dir: string): string {
  return dir === '~' ? os.homedir() : dir.startsWith('~/') ? `${os.homedir()}${dir.slice(1)}` : dir;
}

/** How a value is shown in a "not carried over" line: short, on one line. */
function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/** A part of the file that is not carried over, at its line, with what to do instead. */
export function leftOut(src: YamlSource, path: Path, key: string, value: unknown, why: string): FileProblem {
  const shown = shortValue(value);
  return src.problem(path, `not carried over: ${key}${shown === '' ? '' : ` (${shown})`}: ${why}`, 'key');
}

/** A key the format does not have (or muster does not know): listed, not guessed at. */
export function unknownKey(src: YamlSource, path: Path, format: string): FileProblem {
  return src.problem(path, `not carried over: ${String(path[path.length - 1])}: not a ${format} key muster knows`, 'key');
}
