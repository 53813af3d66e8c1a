/**
 * `muster down`: every agent stopped gracefully, the crew's sessions removed, then its
 * supervisor and tmux server end. Logs and ledger stay.
 */
import { stopPanes } from '../../supervisor/process-reaper.js';
import { sleep } from '../../sys/time.js';
import { acquireLock, ANCHOR_SESSION, connectSupervisor, crewCgroups, crewServerFor, machineReaper, readLock } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

export async function runDown(ctx: CliContext): Promise<number> {
  const server = crewServerFor(ctx.dir);
  const held = readLock(ctx.paths.stateDir);
  if (held?.alive) {
    const client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 2000 });
    try {
      await client.request('down');
    } finally {
      client.close();
    }
    await waitUntil(() => !readLock(ctx.paths.stateDir)?.alive && true, 15_000);
    await waitUntil(async () => !(await server.answers()), 15_000);
    writeLine(ctx.stdout, `muster: down: every agent stopped; supervisor (pid ${held.pid}) and tmux server ended`);
    return 0;
  }
  if (!(await server.answers())) {
    writeLine(ctx.stdout, 'muster: down: nothing is running');
    return 0;
  }
  // No supervisor: hold its lock so none starts meanwhile, and stop the panes ourselves.
  const lock = acquireLock(ctx.paths.stateDir);
  try {
    await server.open({ start: false });
    await stopPanes((await server.listPanes()).filter((p) => p.sessionName !== ANCHOR_SESSION), server, machineReaper);
    await server.killServer();
    await (await crewCgroups(server)).removeAll();
  } finally {
    lock.release();
  }
  writeLine(ctx.stdout, 'muster: down: every agent stopped; tmux server ended');
  return 0;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond()) && Date.now() < deadline) await sleep(50);
}
