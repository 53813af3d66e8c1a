/**
 * `after` across all loaded teams: each entry is `agent` (same team) or
 * `team/agent`; a for_each base name means all of its expansions (fan-in).
 * Unknown targets and dependency cycles are problems at the `after` entry.
 */
import type { FileProblem } from '../errors.js';
import type { AfterRef, ExpandedAgent } from './expand.js';
import { closest, orList } from './suggest.js';
import type { Path, YamlSource } from './yaml-source.js';

/** What the graph needs to know of one team. */
export interface GraphTeam {
  name: string;
  src: YamlSource;
  agents: readonly ExpandedAgent[];
  /** agent names (as written) whose problems kept them out: references to them are not checked */
  dropped: readonly string[];
  /** `after` entries of those agents: checked for unknown targets only */
  droppedRefs: readonly AfterRef[];
}

/** Every agent's dependencies as ids, and the problems found. */
export interface GraphResult {
  /** agent id → ids it waits for, in the order written */
  after: Map<string, string[]>;
  problems: FileProblem[];
}

interface Edge {
  to: string;
  src: YamlSource;
  path: Path;
}

/** The ids a name stands for in one team: the agent itself, or every expansion of a for_each base. */
function namesOf(team: GraphTeam): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const a of team.agents) {
    names.set(a.spec.name, [a.spec.id]);
    if (a.spec.item !== null) names.set(a.base, [...(names.get(a.base) ?? []), a.spec.id]);
  }
  return names;
}

function isDropped(team: GraphTeam, name: string): boolean {
  return team.dropped.some((d) => name === d || name.startsWith(`${d}-`));
}

/**
 * Resolves every agent's `after` to ids and finds cycles. `partial` says some
 * team files could not be read well enough to know their names: references
 * to unknown teams are then not reported.
 */
export function resolveAfter(teams: readonly GraphTeam[], partial: boolean): GraphResult {
  const problems: FileProblem[] = [];
  const byName = new Map(teams.map((t) => [t.name, { team: t, names: namesOf(t) }]));
  const after = new Map<string, string[]>();
  const edges = new Map<string, Edge[]>();

  /** The ids `ref` (written in `team`) stands for; null (and maybe a problem) when unknown. */
  const lookup = (team: GraphTeam, { ref, path }: AfterRef): string[] | null => {
    const slash = ref.indexOf('/');
    const teamName = slash >= 0 ? ref.slice(0, slash) : team.name;
    const agentName = slash >= 0 ? ref.slice(slash + 1) : ref;
    const target = byName.get(teamName);
    if (!target) {
      if (!partial) {
        const guess = closest(teamName, [...byName.keys()]);
        const help = guess ? `did you mean ${JSON.stringify(guess)}?` : `loaded teams: ${orList([...byName.keys()])}`;
        problems.push(team.src.problem(path, `unknown team ${JSON.stringify(teamName)} in after ${JSON.stringify(ref)} (${help})`));
      }
      return null;
    }
    const found = target.names.get(agentName);
    if (!found && !isDropped(target.team, agentName)) {
      const known = [...target.names.keys()];
      const guess = closest(agentName, known);
      const where = teamName === team.name ? '' : ` in team ${JSON.stringify(teamName)}`;
      const help = guess ? `did you mean ${JSON.stringify(guess)}?` : `agents: ${orList(known)}`;
      problems.push(team.src.problem(path, `unknown agent ${JSON.stringify(agentName)}${where} in after (${help})`));
    }
    return found ?? null;
  };

  for (const team of teams) {
    for (const agent of team.agents) {
      const ids: string[] = [];
      const out: Edge[] = [];
      for (const ref of agent.afterRefs) {
        for (const id of lookup(team, ref) ?? []) {
          if (ids.includes(id)) continue;
          ids.push(id);
          out.push({ to: id, src: team.src, path: ref.path });
        }
      }
      after.set(agent.spec.id, ids);
      edges.set(agent.spec.id, out);
    }
    for (const ref of team.droppedRefs) lookup(team, ref);
  }
  problems.push(...findCycles(teams, edges));
  return { after, problems };
}

/** One problem per `after` entry that closes a cycle, naming the cycle. */
function findCycles(teams: readonly GraphTeam[], edges: Map<string, Edge[]>): FileProblem[] {
  const problems: FileProblem[] = [];
  const reported = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const teamOf = (id: string) => id.slice(0, id.indexOf('/'));
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const edge of edges.get(id) ?? []) {
      const s = state.get(edge.to);
      if (s === 'open') {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to];
        const sameTeam = cycle.every((c) => teamOf(c) === teamOf(id));
        const shown = cycle.map((c) => (sameTeam ? c.slice(c.indexOf('/') + 1) : c));
        const problem = edge.src.problem(edge.path, `dependency cycle: ${shown.join(' -> ')}`);
        const where = `${problem.file}:${problem.line}:${problem.col}`;
        if (!reported.has(where)) problems.push(problem);
        reported.add(where);
      } else if (s === undefined) {
        visit(edge.to);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const team of teams) for (const agent of team.agents) if (!state.has(agent.spec.id)) visit(agent.spec.id);
  return problems;
}
