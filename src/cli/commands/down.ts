/**
 * `muster down`: every agent stopped gracefully, the crew's sessions removed, then its
 * supervisor and tmux server end. Logs and ledger stay.
 */
import { detectCgroups } from '../../monitor/cgroups.js';
import { connectControl } from '../../supervisor/control/control-client.js';
import { paneRoot } from '../../monitor/membership.js';
import { processSource } from '../../monitor/process-source.js';
import { stopProcesses } from '../../supervisor/process-reaper.js';
import { acquireLock, readLock } from '../../supervisor/store/lock.js';
import { ANCHOR_SESSION, CrewServer } from '../../tmux/crew-server.js';
import { crewServerFor } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

export async function runDown(ctx: CliContext): Promise<number> {
  const server = crewServerFor(ctx.dir);
  const held = readLock(ctx.paths.stateDir);
  if (held?.alive) {
    const client = await connectControl(ctx.paths.stateDir, { timeoutMs: 2000 });
    try {
      await client.request('down', undefined, { timeoutMs: 300_000 });
    } finally {
      client.close();
    }
    await waitUntil(() => !readLock(ctx.paths.stateDir)?.alive && true, 15_000);
    await waitUntil(async () => !(await CrewServer.probe(server.socketName)), 15_000);
    writeLine(ctx.stdout, `muster: down: every agent stopped; supervisor (pid ${held.pid}) and tmux server ended`);
    return 0;
  }
  if (!(await CrewServer.probe(server.socketName))) {
    writeLine(ctx.stdout, 'muster: down: nothing is running');
    return 0;
  }
  // No supervisor: hold its lock so none starts meanwhile, and stop the panes ourselves.
  const lock = acquireLock(ctx.paths.stateDir);
  try {
    await server.open({ start: false });
    const panes = (await server.listPanes()).filter((p) => p.sessionName !== ANCHOR_SESSION);
    const table = processSource().tableNow();
    await Promise.all(
      panes.map((p) =>
        stopProcesses({
          roots: [paneRoot(table, p.panePid, p.dead)],
          interrupt: p.dead ? undefined : () => server.sendKeys(p.paneId, ['C-c']),
          spare: new Set([process.pid]),
        }),
      ),
    );
    await server.killServer();
    await (await detectCgroups({ name: server.socketName })).removeAll();
  } finally {
    lock.release();
  }
  writeLine(ctx.stdout, 'muster: down: every agent stopped; tmux server ended');
  return 0;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
