/** Snapshots for TUI tests: agents and handoffs with sensible defaults. */
import type { AgentStatusView, CommandName, CommandReply, HandoffView, StatusView } from '../../src/supervisor/control/contract.js';
import { initialState, type TuiState } from '../../src/ui/tui-state.js';

export const NOW = Date.parse('2026-11-21T10:00:00.000Z');

export function agent(id: string, over: Partial<AgentStatusView> = {}): AgentStatusView {
  const [team = 'crew', name = id] = id.includes('/') ? id.split('/') : ['crew', id];
  return {
    id: `${team}/${name}`,
    team,
    name,
    state: 'running',
    reason: null,
    pane: '%1',
    pid: 1000,
    cpu: 3.2,
    memory: 123 * 1024 * 1024,
    limits: { cpu: 50, memory: 512 * 1024 * 1024 },
    restarts: 0,
    exitCode: null,
    checkin: { last: new Date(NOW - 3 * 60_000).toISOString(), message: 'ok', due: new Date(NOW + 12 * 60_000).toISOString(), overdue: false, off: false },
    activity: 'busy',
    activityReason: 'output',
    attempt: 1,
    startedAt: new Date(NOW - 3_600_000).toISOString(),
    history: { cpu: [1, 2, 3, 4, 5, 6, 7, 8], memory: [1, 1, 2, 2, 3, 3, 4, 4].map((m) => m * 64 * 1024 * 1024) },
    commit: null,
    stalled: false,
    needsYou: null,
    ...over,
  };
}

export function handoff(id: string, over: Partial<HandoffView> = {}): HandoffView {
  return {
    id,
    from: 'crew/pm',
    to: 'crew/dev',
    message: `work ${id}`,
    file: null,
    state: 'pending',
    created: new Date(NOW - 60_000).toISOString(),
    delivered: null,
    ...over,
  };
}

export function snapshot(agents: AgentStatusView[], handoffs: HandoffView[] = []): StatusView {
  return {
    version: 1,
    project: '/home/user/webshop',
    socket: '/tmp/tmux-0/muster-webshop-1234abcd',
    supervisor: { running: true, pid: 4242, cpu: 0.8, memory: 45 * 1024 * 1024 },
    system: { cpu: 42.5, memory: { used: 8 * 1024 ** 3, total: 16 * 1024 ** 3 } },
    agents,
    handoffs,
    ceiling: { cpu: 60, memory: 80 },
    enforcement: 'cgroup v1 (cpu, memory)',
    pulseMs: 2000,
  };
}

/** `n` agents named a00, a01, … */
export function manyAgents(n: number): AgentStatusView[] {
  return Array.from({ length: n }, (_, i) => agent(`crew/a${String(i).padStart(2, '0')}`, { pane: `%${i + 1}` }));
}

export function stateWith(snap: StatusView | null, over: Partial<TuiState> = {}): TuiState {
  return { ...initialState({ cols: 100, rows: 30 }, true, NOW), snapshot: snap, connected: snap !== null, ...over };
}

/** What a supervisor that did as asked would reply to a command. */
export function replyFor<C extends CommandName>(cmd: C, args: unknown): CommandReply<C> {
  const a = (args ?? {}) as { agents?: string[]; agent?: string; id?: string };
  const replies: { [K in CommandName]?: CommandReply<K> } = {
    stop: { agents: a.agents ?? [], survivors: [] },
    restart: { agents: a.agents ?? [] },
    pause: { agents: a.agents ?? [] },
    resume: { agents: a.agents ?? [] },
    nudge: { agents: a.agent ? [a.agent] : [] },
    send: { agent: a.agent ?? '', submitted: true, queued: false },
    deliver: { id: a.id ?? '', state: 'delivering' },
    capture: { agent: a.agent ?? null, text: '' },
    land: { agent: a.agent ?? '', landed: true, message: `${a.agent ?? ''} landed` },
  };
  return replies[cmd] as CommandReply<C>;
}
