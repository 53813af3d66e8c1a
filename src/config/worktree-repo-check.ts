/**
 * The git side of `worktree: own`, checked at `muster validate` and `muster up` so that
 * it is never a surprise at an agent's first start (docs/worktrees.md): the agent's
 * folder must be in a git repository that has a commit, and `base` must name a commit.
 * Git is reached through a small probe, so the loader stays testable without it.
 */
import type { FileProblem } from '../errors.js';
import type { ExpandedAgent } from './expand.js';
import type { YamlSource } from './yaml-source.js';

/** What the check asks git. */
export interface RepoProbe {
  /** the top folder of the git work tree holding `dir`, or null when it is in none */
  toplevel(dir: string): Promise<string | null>;
  /** the commit `rev` names in the repository at `repo`, or null */
  commitOf(repo: string, rev: string): Promise<string | null>;
}

export interface RepoCheckTeam {
  src: YamlSource;
  agents: readonly ExpandedAgent[];
}

/** Problems of every agent with a worktree of its own; each git question is asked once. */
export async function checkWorktreeRepos(teams: readonly RepoCheckTeam[], probe: RepoProbe): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  const tops = new Map<string, Promise<string | null>>();
  const commits = new Map<string, Promise<string | null>>();
  const top = (dir: string) => tops.get(dir) ?? (tops.set(dir, probe.toplevel(dir)), tops.get(dir) as Promise<string | null>);
  const commit = (repo: string, rev: string) => {
    const key = `${repo}\0${rev}`;
    if (!commits.has(key)) commits.set(key, probe.commitOf(repo, rev));
    return commits.get(key) as Promise<string | null>;
  };
  for (const team of teams) {
    for (const agent of team.agents) {
      const wt = agent.spec.worktree;
      if (!wt || wt.mode !== 'own' || agent.worktreeAt === null) continue;
      const at = agent.worktreeAt;
      const repo = await top(agent.spec.cwd);
      if (repo === null) {
        problems.push(
          team.src.problem(at, `worktree: own needs a git repository, but ${agent.spec.cwd} (the cwd of ${agent.spec.id}) is not in one: run \`git init\` and commit, or use worktree: off`),
        );
        continue;
      }
      if ((await commit(repo, 'HEAD')) === null) {
        problems.push(team.src.problem(at, `worktree: own needs a commit to start from, but the repository ${repo} has none yet: commit once (git commit), or use worktree: off`));
        continue;
      }
      if (wt.base !== null && (await commit(repo, wt.base)) === null) {
        problems.push(team.src.problem(agent.baseAt ?? at, `unknown base ${JSON.stringify(wt.base)}: no branch, tag or commit of that name in ${repo}`));
      }
    }
  }
  return problems;
}
