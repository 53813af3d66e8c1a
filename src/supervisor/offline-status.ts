/**
 * `muster status` when no supervisor runs: the ledger's last word, checked against what
 * tmux and /proc show now. Nothing is changed.
 */
import type { ProjectSpec } from '../config/types.js';
import { initialCrew } from '../core/crew.js';
import { reconcile } from '../core/reconcile.js';
import { buildStatus, type AgentSample, type StatusView } from '../core/status-view.js';
import { Sampler } from '../monitor/sampler.js';
import { processSource } from '../monitor/process-source.js';
import type { StatePaths } from './paths.js';
import type { PaneState } from './ports.js';
import { observedPanes } from './pane-exits.js';
import { Ledger } from './store/ledger.js';
import type { SavedState } from './supervisor.js';

export interface OfflineInput {
  project: ProjectSpec;
  paths: StatePaths;
  socketPath: string;
  /** the crew's panes, or null when its tmux server is not running */
  panes: PaneState[] | null;
  now: number;
  /** how long to measure CPU over */
  measureMs?: number;
}

export async function offlineStatus(input: OfflineInput): Promise<StatusView> {
  const specs = input.project.teams.flatMap((t) => t.agents);
  const saved = input.panes ? new Ledger(input.paths.stateDir).loadSnapshot<SavedState>() : null;
  const observed = observedPanes(input.panes ?? []);
  const picked = reconcile(initialCrew(specs, saved?.crew ?? null), observed, input.now);
  const crew = picked.state;
  // Attempts that ended unseen: show them as gone (the next supervisor will judge them).
  for (const e of picked.events) {
    if (e.type !== 'exited' && e.type !== 'vanished') continue;
    const rt = crew.agents[e.agent];
    if (rt) crew.agents[rt.id] = { ...rt, pid: null, exitCode: e.type === 'exited' ? e.code : rt.exitCode };
  }
  // two readings 200 ms apart: each must be taken then (the ps source would hand out its last one)
  const sampler = new Sampler({ readTable: () => processSource().tableNow() });
  const roots = new Map<string, { pid: number }>();
  for (const rt of Object.values(crew.agents)) if (rt.pid !== null) roots.set(rt.id, { pid: rt.pid });
  sampler.sample(roots, Date.now());
  await new Promise((r) => setTimeout(r, input.measureMs ?? 200));
  const s = sampler.sample(roots, Date.now());
  const samples = new Map<string, AgentSample>([...s.agents].map(([id, u]) => [id, { cpu: u.cpu, memory: u.memory }]));
  return buildStatus({
    project: input.paths.project,
    socket: input.socketPath,
    supervisor: { running: false, pid: null },
    specs,
    crew,
    samples,
    system: { cpu: Math.round(s.machine.cpu * 10) / 10, memory: s.machine.memory },
    handoffs: [],
    now: input.now,
  });
}
