/** `muster cleanup [--yes]`: the emergency brake. Asks first unless --yes. */
import * as readline from 'node:readline/promises';
import { UsageError } from '../../errors.js';
import { cleanupCrew } from '../../supervisor/crew-cleanup.js';
import { crewCgroups, crewServerFor, machineProcesses, supervisorLock } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

export async function runCleanup(ctx: CliContext, yes: boolean): Promise<number> {
  const server = crewServerFor(ctx.dir);
  if (!yes) {
    if (!process.stdin.isTTY) throw new UsageError('cleanup kills every process of the crew and needs confirmation', 'Pass --yes to confirm without a prompt.');
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Kill every process of the crew in ${ctx.dir} and its tmux server (${server.socketName})? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      writeLine(ctx.stdout, 'muster: cleanup cancelled; nothing was touched');
      return 0;
    }
  }
  const running = await server.answers();
  const report = await cleanupCrew(ctx.paths.stateDir, {
    processes: machineProcesses,
    lock: supervisorLock(ctx.paths),
    panes: async () => {
      if (!running) return [];
      const out = await server.exec(['list-panes', '-a', '-F', '#{pane_dead} #{pane_pid}']);
      return out.split('\n').flatMap((line) => {
        const [dead, pid] = line.trim().split(' ').map(Number);
        return Number.isInteger(pid) && (pid as number) > 0 ? [{ pid: pid as number, dead: dead === 1 }] : [];
      });
    },
    killServer: async () => {
      if (running) await server.killServer();
    },
    removeGroups: async () => (await crewCgroups(server)).removeAll(),
  });
  const parts = [
    report.supervisorKilled ? `supervisor (pid ${report.supervisorKilled}) killed` : 'no supervisor was running',
    `${report.killed.length} process(es) killed`,
    running ? `tmux server ${server.socketName} killed` : 'no tmux server was running',
  ];
  writeLine(ctx.stdout, `muster: cleanup: ${parts.join('; ')}; logs and ledger kept in ${ctx.paths.stateDir}`);
  if (report.survivors.length > 0) {
    writeLine(ctx.stderr, `muster: ${report.survivors.length} process(es) survived SIGKILL: ${report.survivors.join(' ')}`);
    return 1;
  }
  return 0;
}
