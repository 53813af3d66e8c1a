/**
 * Turning a scripted tool call into the call a CLI expects: its own shell tool is found by
 * name among the tools the request offers, and its arguments are built from the schema the
 * CLI sent (a command as a string or as an argv array, required fields filled in, Codex's
 * escalation fields where the schema has them).
 */
import type { JsonSchema, ToolDef } from './dialect.js';
import type { ToolCallScript } from './types.js';

/**
 * Names of the CLIs' shell tools, most specific first: Claude Code `Bash`, Codex `shell` /
 * `shell_command` / `exec_command`, Gemini CLI and Qwen Code `run_shell_command`, opencode `bash`.
 */
export const SHELL_TOOL_NAMES = ['Bash', 'shell_command', 'shell', 'exec_command', 'run_shell_command', 'bash'];

/** The request's shell tool, if it offers one. */
export function shellTool(tools: ToolDef[]): ToolDef | undefined {
  for (const name of SHELL_TOOL_NAMES) {
    const tool = tools.find((t) => t.name === name);
    if (tool) return tool;
  }
  return undefined;
}

function typeOf(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  // Gemini writes types in capitals (`OBJECT`, `STRING`)
  if (Array.isArray(schema.type)) return String(schema.type.find((t) => String(t).toLowerCase() !== 'null') ?? '').toLowerCase();
  if (typeof schema.type === 'string') return schema.type.toLowerCase();
  const alt = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  return alt ? typeOf(alt) : '';
}

/** A value that satisfies `schema` (its default, its first enum value, or an empty one of its type). */
export function sampleOf(schema: JsonSchema | undefined, text = ''): unknown {
  if (!schema) return text;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (typeOf(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = schema.properties ?? {};
      for (const key of schema.required ?? Object.keys(props)) out[key] = sampleOf(props[key], text);
      return out;
    }
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'null':
      return null;
    default:
      return text;
  }
}

/** Builds the tool call for `script` from the tools the request offers; throws when the CLI offers no such tool. */
export function resolveToolCall(script: ToolCallScript, tools: ToolDef[]): { name: string; args: Record<string, unknown> } {
  if ('tool' in script) return { name: script.tool, args: script.args };
  const tool = shellTool(tools);
  if (!tool) throw new Error(`the request offers no shell tool (tools: ${tools.map((t) => t.name).join(', ') || 'none'})`);
  const props = tool.schema.properties ?? {};
  const args: Record<string, unknown> = {};
  const commandKey = props.command ? 'command' : props.cmd ? 'cmd' : 'command';
  args[commandKey] = typeOf(props[commandKey]) === 'array' ? ['bash', '-lc', script.shell] : script.shell;
  if (props.description) args.description = script.description ?? `Run ${script.shell}`;
  if (script.escalate) {
    if (props.sandbox_permissions) args.sandbox_permissions = 'require_escalated';
    else if (props.with_escalated_permissions) args.with_escalated_permissions = true;
    else throw new Error(`the shell tool ${tool.name} has no escalation field (properties: ${Object.keys(props).join(', ')})`);
    if (props.justification) args.justification = script.justification ?? 'The test needs this command to run outside the sandbox.';
  }
  for (const key of tool.schema.required ?? []) {
    if (!(key in args)) args[key] = sampleOf(props[key]);
  }
  return { name: tool.name, args };
}
