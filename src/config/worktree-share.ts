/**
 * `worktree: { share: AGENT }` across all loaded teams (docs/worktrees.md): each share
 * names one agent (`agent` in the same team or `team/agent`); following shares must end
 * at an agent with `worktree: own`, whose worktree (and base, include, setup) the sharer
 * gets. Unknown targets, targets without a worktree and cycles are problems at the
 * `share` entry.
 */
import type { FileProblem } from '../errors.js';
import type { ExpandedAgent } from './expand.js';
import { closest, orList } from './suggest.js';
import type { WorktreeSpec } from './types.js';
import type { YamlSource } from './yaml-source.js';

/** What share resolution needs of one team. */
export interface ShareTeam {
  name: string;
  src: YamlSource;
  agents: readonly ExpandedAgent[];
  /** agent names (as written) left out for their problems: shares of them are not checked */
  dropped: readonly string[];
}

export interface ShareResult {
  /** agent id → the worktree it shares (only agents with a resolvable share) */
  worktree: Map<string, WorktreeSpec>;
  problems: FileProblem[];
}

interface Node {
  team: ShareTeam;
  agent: ExpandedAgent;
}

/** Resolves every share; `partial` says some teams could not be read (unknown teams are then not reported). */
export function resolveShares(teams: readonly ShareTeam[], partial: boolean): ShareResult {
  const problems: FileProblem[] = [];
  const byId = new Map<string, Node>();
  for (const team of teams) for (const agent of team.agents) byId.set(agent.spec.id, { team, agent });
  const teamNames = new Set(teams.map((t) => t.name));

  /** The id a share points at, or null (with a problem when it is wrong). */
  const target = (node: Node): string | null => {
    const ref = node.agent.shareRef;
    if (!ref) return null;
    const slash = ref.ref.indexOf('/');
    const teamName = slash >= 0 ? ref.ref.slice(0, slash) : node.team.name;
    const agentName = slash >= 0 ? ref.ref.slice(slash + 1) : ref.ref;
    const report = (message: string) => problems.push(node.team.src.problem(ref.path, message));
    const team = teams.find((t) => t.name === teamName);
    if (!team) {
      if (!partial && !teamNames.has(teamName)) report(`unknown team ${JSON.stringify(teamName)} in worktree share ${JSON.stringify(ref.ref)}`);
      return null;
    }
    const id = `${teamName}/${agentName}`;
    if (id === node.agent.spec.id) {
      report('an agent cannot share its own worktree: use worktree: own');
      return null;
    }
    if (byId.has(id)) return id;
    if (team.dropped.some((d) => agentName === d || agentName.startsWith(`${d}-`))) return null;
    const expansions = team.agents.filter((a) => a.spec.item !== null && a.base === agentName);
    if (expansions.length > 0) {
      report(`worktree share ${JSON.stringify(ref.ref)} names ${expansions.length} agents (a for_each): share one of ${orList(expansions.map((a) => a.spec.name))}`);
      return null;
    }
    const known = team.agents.map((a) => a.spec.name);
    const guess = closest(agentName, known);
    const where = teamName === node.team.name ? '' : ` in team ${JSON.stringify(teamName)}`;
    report(`unknown agent ${JSON.stringify(agentName)}${where} in worktree share (${guess ? `did you mean ${JSON.stringify(guess)}?` : `agents: ${orList(known)}`})`);
    return null;
  };

  const next = new Map<string, string | null>();
  for (const node of byId.values()) if (node.agent.shareRef) next.set(node.agent.spec.id, target(node));

  const worktree = new Map<string, WorktreeSpec>();
  const reported = new Set<string>();
  for (const [id] of next) {
    const chain = [id];
    let at: string | null | undefined = next.get(id);
    while (at && next.has(at) && !chain.includes(at)) {
      chain.push(at);
      at = next.get(at);
    }
    if (at === null || at === undefined) continue; // a problem already reported
    const node = byId.get(id) as Node;
    const ref = node.agent.shareRef as NonNullable<ExpandedAgent['shareRef']>;
    if (chain.includes(at)) {
      const cycle = [...chain.slice(chain.indexOf(at)), at];
      const key = [...cycle].slice(0, -1).sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        problems.push(node.team.src.problem(ref.path, `worktree share cycle: ${cycle.join(' -> ')}; one of them needs worktree: own`));
      }
      continue;
    }
    const owner = byId.get(at);
    const own = owner?.agent.spec.worktree;
    if (!own || own.mode !== 'own') {
      if (chain.length === 1) {
        problems.push(node.team.src.problem(ref.path, `worktree share ${JSON.stringify(ref.ref)}: ${at} has no worktree of its own: give it worktree: own`));
      }
      continue;
    }
    worktree.set(id, { ...own, mode: 'share', owner: at });
  }
  return { worktree, problems };
}
