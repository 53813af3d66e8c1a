/**
 * Wiring `muster mcp` into an agent's launch, as its preset's `mcp` section says
 * (docs/presets.md, "mcp"): words after the program on the command line, variables, and a
 * per-run config file, so that the user's own MCP configuration stays as it is. Pure: the
 * caller writes the file.
 */
import * as path from 'node:path';
import type { AgentSpec } from '../config/types.js';
import type { McpSpec } from '../config/preset-types.js';
import { shellQuote } from '../text/shell-quote.js';

export interface McpLaunch {
  /** the run line with the preset's words after the program */
  run: string;
  env: Record<string, string>;
  /** the per-run file to write first, if the preset has one */
  file: { path: string; text: string } | null;
}

/** `.muster/mcp/<team>.<agent>.json` */
export function mcpFileOf(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'mcp', `${agentId.replace('/', '.')}.json`);
}

/** Fills `{command}`, `{agent}`, `{dir}` (as JSON strings) and, when given, `{file}` (as is). */
function fill(text: string, values: { command: string; agent: string; dir: string }, file: string | null): string {
  let out = text.replaceAll('{command}', JSON.stringify(values.command)).replaceAll('{agent}', JSON.stringify(values.agent)).replaceAll('{dir}', JSON.stringify(values.dir));
  if (file !== null) out = out.replaceAll('{file}', file);
  return out;
}

/**
 * Where the preset's words go: right after the first word of `run` that names one of the
 * preset's programs (`claude`, `/opt/bin/claude`, `'claude'`); null when no word does (a
 * wrapper script), and then nothing is wired.
 */
export function programEnd(run: string, commands: readonly string[]): number | null {
  for (const m of run.matchAll(/\S+/g)) {
    const word = m[0].replace(/[;&|)]+$/, '');
    if (commands.includes(path.basename(word.replace(/^['"]|['"]$/g, '')))) return (m.index ?? 0) + word.length;
  }
  return null;
}

export function mcpLaunch(spec: AgentSpec, mcp: McpSpec, o: { launcher: string; stateDir: string }): McpLaunch | null {
  const at = programEnd(spec.run, spec.preset.commands);
  if (at === null) return null;
  const values = { command: o.launcher, agent: spec.id, dir: o.stateDir };
  const filePath = mcp.file !== null ? mcpFileOf(o.stateDir, spec.id) : null;
  const words = mcp.args.map((a) => shellQuote(fill(a, values, filePath)));
  const run = words.length === 0 ? spec.run : `${spec.run.slice(0, at)} ${words.join(' ')}${spec.run.slice(at)}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(mcp.env)) env[k] = fill(v, values, filePath);
  return { run, env, file: filePath !== null && mcp.file !== null ? { path: filePath, text: fill(mcp.file, values, null) } : null };
}
