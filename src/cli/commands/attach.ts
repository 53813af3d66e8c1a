/**
 * `muster attach AGENT`: this terminal on the agent's pane (tmux attach on the crew's own
 * socket). Works from inside the user's own tmux too: TMUX is not passed on, so tmux
 * nests instead of refusing. Detach (prefix d) returns.
 */
import { spawnSync } from 'node:child_process';
import { loadProject } from '../../config/load-project.js';
import { MusterError, UsageError } from '../../errors.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import { crewServerFor } from '../compose.js';
import type { CliContext } from '../context.js';

export async function runAttach(ctx: CliContext, name: string): Promise<number> {
  const project = await loadProject(ctx.dir);
  const ids = resolveAgents(project.teams.flatMap((t) => t.agents), [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; attach takes one`, `Pick one of: ${ids.join(', ')}`);
  const server = crewServerFor(ctx.dir);
  if (!(await server.answers())) throw new MusterError('the crew is not running', { hint: 'Start it with `muster up`.' });
  await server.open({ start: false });
  let pane;
  try {
    pane = (await server.listPanes()).find((p) => p.agentId === ids[0]);
  } finally {
    await server.close();
  }
  if (!pane) throw new MusterError(`${ids[0]} has no pane`, { hint: 'See `muster status`.' });
  if (!process.stdin.isTTY) throw new UsageError('attach needs a terminal (stdin is not a tty)', 'Run it in a terminal, or read the output with `muster logs AGENT`.');
  const cmd = server.tmuxCommand([
    'select-window', '-t', pane.windowId, ';',
    'select-pane', '-t', pane.paneId, ';',
    'attach-session', '-t', pane.sessionId,
  ]);
  const result = spawnSync(cmd.file, cmd.args, { stdio: 'inherit', env: cmd.env });
  if (result.error) throw new MusterError(`could not run tmux: ${result.error.message}`, { hint: 'Is tmux installed?' });
  return result.status ?? 1;
}
