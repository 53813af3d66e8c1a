/**
 * The emergency brake (`muster cleanup`, README "Commands"): every process the crew owns is killed at once,
 * its tmux server is killed by its socket, the lock is released; logs and ledger stay.
 * A process counts as the crew's only with proof: it descends from, or shares the
 * session of, one of the crew's pane processes; or its environment carries this
 * project's MUSTER_DIR together with a MUSTER_AGENT (set by muster on every agent and
 * inherited by everything an agent starts, double-forked or not); or it is the
 * supervisor named by the lock, with the start time the lock recorded.
 */
import { indexTable, paneRoot, rootMembers, type RootRef } from '../monitor/membership.js';
import type { ProcTable } from '../monitor/proc-table.js';
import { sleep } from '../sys/time.js';
import type { ProcessPort } from './ports.js';

export interface CrewProcessesInput {
  table: ProcTable;
  /** the crew's pane processes: live panes' proven, dead panes' as ended (see RootRef) */
  roots: readonly RootRef[];
  stateDir: string;
  /** pids never to touch: this process and its ancestors */
  spare: ReadonlySet<number>;
  readEnviron: (pid: number) => string | null;
}

/** Does this environment (NUL-separated) mark a process of this crew's agents? */
export function environMarksCrew(environ: string, stateDir: string): boolean {
  const vars = environ.split('\0');
  return vars.includes(`MUSTER_DIR=${stateDir}`) && vars.some((v) => v.startsWith('MUSTER_AGENT='));
}

export function crewProcesses(input: CrewProcessesInput): number[] {
  const index = indexTable(input.table);
  const found = new Set<number>();
  for (const root of input.roots) for (const pid of rootMembers(index, root)) found.add(pid);
  const environ = input.readEnviron;
  for (const pid of input.table.keys()) {
    if (found.has(pid)) continue;
    const env = environ(pid);
    if (env !== null && environMarksCrew(env, input.stateDir)) found.add(pid);
  }
  return [...found].filter((pid) => !input.spare.has(pid) && input.table.get(pid)?.state !== 'Z').sort((a, b) => a - b);
}

/** This process and every ancestor: never signalled (cleanup may run from inside an agent). */
export function selfAndAncestors(table: ProcTable, pid: number = process.pid): Set<number> {
  const spare = new Set<number>();
  let cur: number | undefined = pid;
  while (cur !== undefined && cur > 0 && !spare.has(cur)) {
    spare.add(cur);
    cur = table.get(cur)?.ppid;
  }
  return spare;
}

export interface CleanupPort {
  processes: ProcessPort & { readEnviron(pid: number): string | null };
  /** the supervisor's lock: who holds it, and clearing it once its holder is gone */
  lock: { holder(): { pid: number; alive: boolean } | null; clearStale(): void };
  /** every pane on the crew's server, its pid and whether its process has ended (empty when no server runs) */
  panes(): Promise<Array<{ pid: number; dead: boolean }>>;
  /** kills the crew's tmux server by its socket and waits until it is gone */
  killServer(): Promise<void>;
  /** kills the members of the crew's cgroups and removes the groups */
  removeGroups(): Promise<void>;
}

export interface CleanupReport {
  supervisorKilled: number | null;
  killed: number[];
  survivors: number[];
  serverKilled: boolean;
}

export async function cleanupCrew(stateDir: string, port: CleanupPort): Promise<CleanupReport> {
  const kill = (pid: number) => port.processes.signal(pid, 'SIGKILL');
  const lock = port.lock.holder();
  let supervisorKilled: number | null = null;
  const firstTable = port.processes.readTable();
  const spare = selfAndAncestors(firstTable);
  if (lock?.alive && !spare.has(lock.pid)) {
    kill(lock.pid); // first, so that it restarts nothing while its crew goes
    supervisorKilled = lock.pid;
  }
  const roots = (await port.panes()).map((p) => paneRoot(firstTable, p.pid, p.dead));
  await port.removeGroups();
  const killed = new Set<number>();
  let survivors: number[] = [];
  let serverKilled = false;
  for (let round = 0; round < 20; round++) {
    const table = round === 0 ? firstTable : port.processes.readTable();
    survivors = crewProcesses({ table, roots, stateDir, spare, readEnviron: port.processes.readEnviron });
    if (survivors.length === 0 && (serverKilled || roots.length === 0)) break;
    for (const pid of survivors) {
      kill(pid);
      killed.add(pid);
    }
    if (!serverKilled) {
      await port.killServer();
      serverKilled = true;
    }
    await sleep(50);
  }
  port.lock.clearStale();
  return { supervisorKilled, killed: [...killed].sort((a, b) => a - b), survivors, serverKilled };
}
