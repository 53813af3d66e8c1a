/**
 * Ending an agent's processes for good (`muster stop`): interrupt, then TERM, then
 * KILL after a timeout, re-reading the process table at every round so that children
 * born in the meantime are caught, and returning only once they are really gone.
 * Membership is the pane's tree plus its session (double-forked children included) plus
 * any extra pids the caller proves are the agent's (its cgroup).
 */
import { indexTable, paneRoot, rootMembers, type RootRef } from '../monitor/membership.js';
import type { ProcTable } from '../monitor/proc-table.js';

export interface ReaperDeps {
  readTable: () => ProcTable;
  signal: (pid: number, signal: NodeJS.Signals) => void;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export interface StopPlan {
  /**
   * session leaders (pane pids, current and past) whose trees and sessions are the agent's;
   * a root whose pid is given out again while the stop runs roots nothing from then on
   */
  roots: readonly RootRef[];
  /** more pids proven to be the agent's (e.g. its cgroup's members), read at each round */
  extraPids?: () => readonly number[];
  /** sends the interrupt (Ctrl-C into the pane); omitted: straight to TERM */
  interrupt?: () => Promise<void>;
  interruptMs?: number;
  termMs?: number;
  killMs?: number;
  /** pids that must never be signalled (the supervisor itself, the caller) */
  spare?: ReadonlySet<number>;
}

export interface StopResult {
  /** how it ended: `interrupt`, `term`, `kill`, or `none` when nothing ran */
  stage: 'none' | 'interrupt' | 'term' | 'kill';
  /** processes still there after KILL (should be empty; zombies are not counted) */
  remaining: number[];
}

/** The agent's live pids in one table. */
export function membersOf(table: ProcTable, roots: readonly RootRef[], extra: readonly number[] = [], spare?: ReadonlySet<number>): number[] {
  const index = indexTable(table);
  const pids = new Set<number>();
  for (const root of roots) for (const pid of rootMembers(index, root)) pids.add(pid);
  for (const pid of extra) if (table.has(pid)) pids.add(pid);
  return [...pids].filter((pid) => {
    const row = table.get(pid);
    return row !== undefined && row.state !== 'Z' && row.state !== 'X' && !spare?.has(pid);
  });
}

export async function stopProcesses(plan: StopPlan, deps: ReaperDeps): Promise<StopResult> {
  const members = () => membersOf(deps.readTable(), plan.roots, plan.extraPids?.() ?? [], plan.spare);
  if (members().length === 0) return { stage: 'none', remaining: [] };

  if (plan.interrupt) {
    await plan.interrupt().catch(() => undefined);
    if (await waitUntilEmpty(members, plan.interruptMs ?? 1500, deps)) return { stage: 'interrupt', remaining: [] };
  }

  for (const pid of members()) {
    deps.signal(pid, 'SIGTERM');
    deps.signal(pid, 'SIGCONT'); // a stopped (paused, throttled) process must run to handle TERM
  }
  if (await waitUntilEmpty(members, plan.termMs ?? 3000, deps)) return { stage: 'term', remaining: [] };

  const deadline = deps.now() + (plan.killMs ?? 3000);
  for (;;) {
    const left = members();
    if (left.length === 0) return { stage: 'kill', remaining: [] };
    if (deps.now() >= deadline) return { stage: 'kill', remaining: left };
    for (const pid of left) deps.signal(pid, 'SIGKILL');
    await deps.sleep(50);
  }
}

/** Stops every pane's processes at once (`muster down` without a supervisor); this process is spared. */
export async function stopPanes(
  panes: readonly { paneId: string; panePid: number; dead: boolean }[],
  tmux: { sendKeys(paneId: string, keys: string[]): Promise<void> },
  deps: ReaperDeps,
): Promise<StopResult[]> {
  const table = deps.readTable();
  return Promise.all(
    panes.map((p) =>
      stopProcesses(
        {
          roots: [paneRoot(table, p.panePid, p.dead)],
          interrupt: p.dead ? undefined : () => tmux.sendKeys(p.paneId, ['C-c']),
          spare: new Set([process.pid]),
        },
        deps,
      ),
    ),
  );
}

async function waitUntilEmpty(members: () => number[], ms: number, deps: ReaperDeps): Promise<boolean> {
  const deadline = deps.now() + ms;
  for (;;) {
    if (members().length === 0) return true;
    if (deps.now() >= deadline) return false;
    await deps.sleep(50);
  }
}
