/**
 * Turning what a user typed (`dev`, `frontend/dev`, `translate`) into agent ids. Pure.
 */
import type { AgentSpec } from '../config/types.js';
import { UsageError } from '../errors.js';

/**
 * `team/agent` exactly; or an agent name that is unique across teams; or a for_each base
 * name, meaning all of its expansions (`translate` → `translate-intro`, `translate-faq`).
 */
export function resolveAgents(specs: readonly AgentSpec[], names: readonly string[]): string[] {
  const ids: string[] = [];
  for (const name of names) {
    for (const id of resolveOne(specs, name)) if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function resolveOne(specs: readonly AgentSpec[], name: string): string[] {
  const exact = specs.filter((s) => s.id === name || s.name === name);
  if (exact.length === 1) return [exact[0]!.id];
  if (exact.length > 1) {
    throw new UsageError(
      `"${name}" is ambiguous: ${exact.map((s) => s.id).join(', ')}`,
      `Name the agent with its team, e.g. \`${exact[0]!.id}\`.`,
    );
  }
  const [team, base] = name.includes('/') ? name.split('/', 2) : [null, name];
  const expansions = specs.filter((s) => s.item !== null && s.name === `${base}-${s.item}` && (team === null || s.team === team));
  if (expansions.length > 0) return expansions.map((s) => s.id);
  const known = specs.map((s) => s.id).join(', ');
  throw new UsageError(`no agent "${name}" in this project`, `Known agents: ${known || '(none)'}. See \`muster status\`.`);
}
