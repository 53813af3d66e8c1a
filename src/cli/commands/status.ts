/** `muster status [--json]`: from the supervisor when one runs, else from the ledger, tmux and /proc. */
import { loadProject } from '../../config/load-project.js';
import type { StatusView } from '../../supervisor/control/contract.js';
import { MusterError } from '../../errors.js';
import { offlineStatus } from '../../supervisor/offline-status.js';
import { cliWorktreeGit, connectSupervisor, crewServerFor, newSampler, readLedger, readWorktreeInfos } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';
import { renderStatus } from '../status-table.js';
import { realClock } from '../../sys/time.js';

export async function runStatus(ctx: CliContext, json: boolean): Promise<number> {
  const view = await crewStatus(ctx);
  writeLine(ctx.stdout, json ? JSON.stringify(view, null, 2) : renderStatus(view, Date.now()));
  return 0;
}

/** The status document: from the running supervisor, else from the ledger, tmux and /proc. */
export async function crewStatus(ctx: CliContext): Promise<StatusView> {
  return (await fromSupervisor(ctx)) ?? (await offline(ctx));
}

/** Asks the running supervisor; null when none answers. */
export async function fromSupervisor(ctx: CliContext): Promise<StatusView | null> {
  let client;
  try {
    client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 1000 });
  } catch (err) {
    if (err instanceof MusterError) return null;
    throw err;
  }
  try {
    return await client.request('status');
  } finally {
    client.close();
  }
}

async function offline(ctx: CliContext): Promise<StatusView> {
  const project = await loadProject(ctx.dir);
  const server = crewServerFor(ctx.dir);
  let panes = null;
  if (await server.answers()) {
    await server.open({ start: false });
    try {
      panes = await server.listPanes();
    } finally {
      await server.close();
    }
  }
  const specs = project.teams.flatMap((t) => t.agents);
  // worktrees from git and their records, as the supervisor would show them; a git failure shows them unread (null)
  const readWorktrees = specs.some((s) => s.worktree) ? () => readWorktreeInfos(cliWorktreeGit, ctx.paths.stateDir, specs).catch(() => null) : undefined;
  return offlineStatus({ project, paths: ctx.paths, saved: readLedger(ctx.paths, project), sampler: newSampler(), socketPath: server.socketPath(), panes, clock: realClock, readWorktrees });
}
