/** `muster validate [FILES…]`: every problem at once as FILE:LINE:COL, exit 2 when any. */
import { loadProject } from '../../config/load-project.js';
import { cliWorktreeGit } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

export async function runValidate(ctx: CliContext, files: string[]): Promise<number> {
  // git is asked about the repositories of agents with `worktree: own` (docs/worktrees.md)
  const project = await loadProject(ctx.dir, files.length > 0 ? files : undefined, { repoProbe: cliWorktreeGit });
  const agents = project.teams.reduce((n, t) => n + t.agents.length, 0);
  const teams = project.teams.map((t) => `${t.name} (${t.agents.length})`).join(', ');
  writeLine(ctx.stdout, `ok: ${project.teams.length} team(s), ${agents} agent(s): ${teams}`);
  return 0;
}
