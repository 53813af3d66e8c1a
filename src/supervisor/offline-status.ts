/**
 * `muster status` when no supervisor runs: the ledger's last word, checked against what
 * tmux and /proc show now. Nothing is changed.
 */
import type { ProjectSpec } from '../config/types.js';
import { newCrew } from '../core/crew-state.js';
import { reconcile } from '../core/reconcile.js';
import type { StatePaths } from './paths.js';
import type { PaneState } from './ports.js';
import { observedPanes } from './pane-exits.js';
import type { SamplerPort } from './ports.js';
import type { Clock } from '../sys/time.js';
import type { WorktreeInfo } from '../git/worktree-inspect.js';
import type { StatusView } from './control/contract.js';
import type { LoadedLedger } from './saved-state.js';
import { buildStatus, type AgentSample } from './status-snapshot.js';

export interface OfflineInput {
  project: ProjectSpec;
  paths: StatePaths;
  /** what the ledger holds (see saved-state.ts), or null */
  saved: LoadedLedger | null;
  sampler: SamplerPort;
  socketPath: string;
  /** the crew's panes, or null when its tmux server is not running */
  panes: PaneState[] | null;
  clock: Pick<Clock, 'now' | 'sleep'>;
  /** how long to measure CPU over */
  measureMs?: number;
  /** each agent's worktree read now (agents with one; docs/worktrees.md), or null when it could not be read */
  readWorktrees?: () => Promise<ReadonlyMap<string, WorktreeInfo> | null>;
}

export async function offlineStatus(input: OfflineInput): Promise<StatusView> {
  const specs = input.project.teams.flatMap((t) => t.agents);
  const now = input.clock.now();
  // Without a tmux server no agent runs: the agents are shown fresh, the handoffs as the ledger has them.
  const handoffs = input.saved?.crew.handoffs ?? [];
  const known = input.panes && input.saved ? input.saved.crew : { ...newCrew(specs), handoffs };
  const observed = observedPanes(input.panes ?? []);
  const picked = reconcile(known, observed, now);
  const crew = picked.state;
  // Attempts that ended unseen: show them as gone (the next supervisor will judge them).
  for (const e of picked.events) {
    if (e.type !== 'exited' && e.type !== 'vanished') continue;
    const rt = crew.agents[e.agent];
    if (rt) crew.agents[rt.id] = { ...rt, pid: null, exitCode: e.type === 'exited' ? e.code : rt.exitCode };
  }
  // git runs while the CPU is measured
  const worktrees = input.readWorktrees?.() ?? Promise.resolve(null);
  const { sampler } = input;
  const roots = new Map<string, { pid: number }>();
  for (const rt of Object.values(crew.agents)) if (rt.pid !== null) roots.set(rt.id, { pid: rt.pid });
  sampler.sample(roots, now);
  await input.clock.sleep(input.measureMs ?? 200);
  const s = sampler.sample(roots, input.clock.now());
  const samples = new Map<string, AgentSample>([...s.agents].map(([id, u]) => [id, { cpu: u.cpu, memory: u.memory }]));
  return buildStatus({
    project: input.paths.project,
    socket: input.socketPath,
    supervisor: { running: false, pid: null },
    specs,
    crew,
    samples,
    system: { cpu: Math.round(s.machine.cpu * 10) / 10, memory: s.machine.memory },
    now,
    worktrees: (await worktrees) ?? undefined,
  });
}
