/**
 * An in-memory world for the runner's tests: a fake clock, a crew tmux server whose panes
 * run fake processes, a sampler, limits, an inbox, a commit watch and a ledger, all behind
 * the runner's ports (src/supervisor/ports.ts). Nothing real is started; time moves only
 * when a test advances the clock.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentSpec, ProjectSpec } from '../../../src/config/types.js';
import type { InboxVerdict } from '../../../src/inbox/inbox-watcher.js';
import type { InboxRecord } from '../../../src/inbox/record.js';
import type { ProcRow, ProcTable } from '../../../src/monitor/proc-table.js';
import type { NeedsYouEvent } from '../../../src/notify/notify-command.js';
import { statePaths, type StatePaths } from '../../../src/supervisor/paths.js';
import type {
  NotifierPort,
  Clock,
  CommitsPort,
  CrewTmux,
  InboxPort,
  LaunchOptions,
  LedgerPort,
  LimitsPort,
  PaneState,
  ProcessPort,
  RunnerPorts,
  SamplerPort,
  TeamLayoutPlan,
  WorktreesPort,
} from '../../../src/supervisor/ports.js';
import { loadLedger, type LoadedLedger } from '../../../src/supervisor/saved-state.js';
import type { LedgerHealth } from '../../../src/supervisor/store/ledger.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';

/** Lets every promise and immediate that is ready run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== handle);
  };

  sleep = (ms: number): Promise<void> => new Promise((resolve) => this.setTimeout(resolve, ms));

  /** Forgets every timer (the runner that set them is gone, as after a crash). */
  dropTimers(): void {
    this.timers = [];
  }

  /** Moves time forward by `ms`, firing each timer at its time and letting what it started run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next || next.at > end) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

interface FakePane {
  paneId: string;
  agentId: string;
  session: string;
  pid: number;
  dead: boolean;
  deadStatus: number | null;
  attempt: string | null;
  /** what sits on the input line, and every line submitted with Enter */
  input: string;
  submitted: string[];
  screen: string;
  /** the folder of its last launch */
  cwd?: string;
}

/** The crew's tmux server and the machine's processes, in memory. */
export class FakeMachine {
  readonly rows = new Map<number, ProcRow>();
  readonly panes = new Map<string, FakePane>();
  /** pids that survive every signal (a process stuck in the kernel) */
  readonly unkillable = new Set<number>();
  /** environments (NUL-separated) of processes that have one, for stops that find processes by MUSTER_AGENT */
  readonly environs = new Map<number, string>();
  /** pids that ignore Ctrl-C and TERM (only KILL ends them) */
  readonly stubborn = new Set<number>();
  readonly signals: string[] = [];
  private nextPid = 5000;
  private nextPane = 1;
  private readonly died: ((paneId: string) => void)[] = [];

  /** tmux calls that never answer (a test cutting the runner off mid-effect) */
  hang = false;
  /** panes a tmux client is attached to */
  readonly viewed = new Set<string>();

  private spawn(ppid: number, sid: number, comm: string): number {
    const pid = this.nextPid++;
    this.rows.set(pid, { pid, ppid, pgrp: sid, sid, state: 'S', ticks: 0, rss: 1 << 20, starttime: pid, comm });
    return pid;
  }

  /** The agent's processes: its pane process and those in its session. */
  members(panePid: number): number[] {
    return [...this.rows.values()].filter((r) => r.sid === panePid).map((r) => r.pid);
  }

  paneOf(agentId: string): FakePane | undefined {
    return [...this.panes.values()].find((p) => p.agentId === agentId);
  }

  private end(pid: number): void {
    this.rows.delete(pid);
    for (const pane of this.panes.values()) {
      if (pane.pid === pid && !pane.dead) {
        pane.dead = true;
        pane.deadStatus = null;
        for (const l of this.died) l(pane.paneId);
      }
    }
  }

  private blocked(): Promise<never> | null {
    return this.hang ? new Promise<never>(() => {}) : null;
  }

  readonly tmux: CrewTmux = {
    socketPath: () => '/fake/tmux.sock',
    ensureTeam: async (team: TeamLayoutPlan) => {
      const ids = new Map<string, string>();
      for (const w of team.windows) {
        for (const p of w.panes) {
          let pane = this.paneOf(p.agentId);
          if (!pane) {
            pane = { paneId: `%${this.nextPane++}`, agentId: p.agentId, session: team.name, pid: this.spawn(1, 0, 'placeholder'), dead: true, deadStatus: 0, attempt: null, input: '', submitted: [], screen: '' };
            this.rows.delete(pane.pid);
            this.panes.set(pane.paneId, pane);
          }
          ids.set(p.agentId, pane.paneId);
        }
      }
      return ids;
    },
    listPanes: async () =>
      this.blocked() ??
      [...this.panes.values()].map(
        (p): PaneState => ({ paneId: p.paneId, panePid: p.pid, dead: p.dead, deadStatus: p.deadStatus, deadSignal: p.dead && p.deadStatus === null ? 9 : null, agentId: p.agentId, attempt: p.attempt, sessionName: p.session }),
      ),
    launch: async (paneId: string, options: LaunchOptions) => {
      const pane = this.panes.get(paneId);
      if (!pane) throw new Error(`no pane ${paneId}`);
      const shell = this.nextPid;
      const pid = this.spawn(1, shell, 'sh');
      this.spawn(pid, pid, options.command.at(-1) ?? 'agent');
      Object.assign(pane, { pid, dead: false, deadStatus: null, attempt: options.attempt, input: '', screen: '$ ', cwd: options.cwd });
      return { pid };
    },
    sendKeys: async (paneId: string, keys: string[]) => {
      const pane = this.panes.get(paneId);
      if (!pane) return;
      for (const key of keys) {
        if (key === 'C-c') {
          for (const pid of this.members(pane.pid)) if (!this.stubborn.has(pid) && !this.unkillable.has(pid)) this.end(pid);
        } else if (key === 'Enter') {
          if (pane.input !== '') pane.submitted.push(pane.input);
          pane.input = '';
        }
      }
    },
    pasteText: async (paneId: string, text: string) => {
      const pane = this.panes.get(paneId);
      if (pane) pane.input += text;
    },
    // the input is drawn at the end of the screen, as a terminal shows what is typed at a prompt
    capture: async (paneId: string) => {
      const pane = this.panes.get(paneId);
      return pane ? `${pane.screen}${pane.input}` : '';
    },
    cursorLine: async (paneId: string) => this.panes.get(paneId)?.input ?? '',
    killSession: async () => undefined,
    onPaneDied: (listener) => {
      this.died.push(listener);
    },
    reportsPaneChanges: () => true,
    viewedPanes: async () => [...this.viewed],
  };

  readonly processes: ProcessPort = {
    readTable: (): ProcTable => new Map(this.rows),
    readRow: (pid) => this.rows.get(pid) ?? null,
    readEnviron: (pid) => this.environs.get(pid) ?? null,
    signal: (pid, signal) => {
      this.signals.push(`${signal} ${pid}`);
      if (!this.rows.has(pid) || this.unkillable.has(pid)) return;
      if (signal === 'SIGKILL' || (signal === 'SIGTERM' && !this.stubborn.has(pid))) this.end(pid);
    },
  };
}

/** What the sampler reports: each agent's CPU (percent of one core) as the test sets it. */
export class FakeSampler implements SamplerPort {
  readonly cpu = new Map<string, number>();
  calls = 0;

  constructor(private readonly machine: FakeMachine) {}

  sample: SamplerPort['sample'] = (roots) => {
    this.calls++;
    const agents = new Map<string, { cpu: number; memory: number; pids: number[] }>();
    for (const [id, root] of roots) {
      const pids = this.machine.members(root.pid);
      agents.set(id, { cpu: this.cpu.get(id) ?? 0, memory: pids.length << 20, pids });
    }
    return { agents, machine: { cpu: 10, memory: { used: 1 << 30, total: 8 << 30 } }, self: { cpu: 0.1, memory: 50 << 20 } };
  };

  history = () => ({ cpu: [], memory: [] });
}

/** Limits by signals only, every call recorded; agents in `pidsLimited` have reached their process limit. */
export function fakeLimits(calls: string[], pidsLimited: ReadonlySet<string> = new Set()): LimitsPort {
  const reported = new Set<string>();
  return {
    describe: () => 'fake',
    prepare: async (spec) => (calls.push(`prepare ${spec.id}`), ''),
    oomKilled: () => false,
    kernelMemory: () => false,
    usesSignals: true,
    groupsListMembers: false,
    groupPids: () => [],
    hasGroup: () => false,
    demand: () => null,
    throttle: (id, pids, cpu) => void calls.push(`throttle ${id} ${cpu}% [${pids.join(',')}]`),
    unthrottle: (id) => void calls.push(`unthrottle ${id}`),
    freeze: async (id) => void calls.push(`freeze ${id}`),
    thaw: async (id) => void calls.push(`thaw ${id}`),
    release: async (id) => void calls.push(`release ${id}`),
    detach: () => undefined,
    get enforcesPids() {
      return pidsLimited.size > 0;
    },
    pidsLimited: (id) => pidsLimited.has(id),
    newPidsLimits: () =>
      [...pidsLimited].filter((id) => !reported.has(id) && (reported.add(id), true)).map((agentId) => ({ agentId, message: 'reached its process limit' })),
  };
}

export class FakeInbox implements InboxPort {
  private take: ((record: InboxRecord) => Promise<InboxVerdict | void> | InboxVerdict | void) | null = null;

  start: InboxPort['start'] = async (take) => {
    this.take = take;
  };

  close = async (): Promise<void> => {
    this.take = null;
  };

  /** An agent's record arrives; returns the runner's verdict (a refusal) if any (a promise when it waits for git). */
  deliver(record: Omit<InboxRecord, 'v' | 'at'>): Promise<InboxVerdict | void> | InboxVerdict | void {
    if (!this.take) throw new Error('the inbox is not started');
    return this.take({ v: 1, at: 0, ...record });
  }
}

/**
 * Agents' worktrees in memory: an agent with one starts in `<root>/<owner>` (a real empty
 * folder), its branch head is whatever the test sets; what the runner asked for is recorded.
 */
export class FakeWorktrees implements WorktreesPort {
  constructor(private readonly root: string) {}
  readonly calls: string[] = [];
  readonly heads = new Map<string, string>();
  /** a start whose worktree cannot be made (the launch fails with this) */
  readonly failing = new Map<string, string>();
  cwdFor = async (spec: AgentSpec): Promise<{ cwd: string; notes: string[] }> => {
    this.calls.push(`cwdFor ${spec.id}`);
    const why = this.failing.get(spec.id);
    if (why) throw new Error(`worktree: ${why}`);
    if (!spec.worktree) return { cwd: spec.cwd, notes: [] };
    const cwd = path.join(this.root, spec.worktree.owner.replace('/', '-'));
    fs.mkdirSync(cwd, { recursive: true });
    return { cwd, notes: [`worktree made on muster/${spec.worktree.owner}`] };
  };
  knownCwd = (spec: AgentSpec): string => spec.cwd;
  abortSetup = (agentId: string): void => void this.calls.push(`abortSetup ${agentId}`);
  headOf = async (agentId: string): Promise<{ branch: string; commit: string | null } | null> => {
    const commit = this.heads.get(agentId);
    return commit === undefined ? null : { branch: `muster/${agentId}`, commit };
  };
  infos = () => new Map();
  observe = (): void => undefined;
  /** a test sets what landing does */
  land: WorktreesPort['land'] = async (ownerId) => {
    throw new Error(`${ownerId}: land is not part of this fake`);
  };
  settle = async (): Promise<void> => undefined;
  close = (): void => undefined;
}

export const noCommits: CommitsPort = { add: async () => null, lastCommit: () => null, gitDirOf: () => null, close: () => undefined };

/** The ledger in memory; a test may read it back as a new supervisor would. */
export class FakeLedger implements LedgerPort {
  snapshot: string | null = null;
  readonly events: object[] = [];
  readonly snapshotFile = '/fake/.muster/state.json';
  /** while set, nothing is written: what comes waits, as the real ledger keeps it on a full disk */
  private full: { since: number; snapshot: string | null; events: object[] } | null = null;
  private readonly listeners: Array<(h: LedgerHealth) => void> = [];

  saveSnapshot(state: unknown): void {
    if (this.full) this.full.snapshot = JSON.stringify(state);
    else this.snapshot = JSON.stringify(state);
  }

  appendEvents<T extends object>(events: readonly T[]): unknown {
    if (this.full) this.full.events.push(...events);
    else this.events.push(...events);
    return events;
  }

  health(): LedgerHealth {
    const f = this.full;
    return { diskFull: f !== null, since: f?.since ?? null, file: f ? this.snapshotFile : null, pendingEvents: f?.events.length ?? 0, pendingSnapshot: f?.snapshot != null, droppedEvents: 0 };
  }

  onHealth(listener: (h: LedgerHealth) => void): void {
    this.listeners.push(listener);
  }

  /** The disk fills up (at `now`), or has room again: what waited is written, in order. */
  setDiskFull(full: boolean, now = 0): void {
    if (full === (this.full !== null)) return;
    if (full) this.full = { since: now, snapshot: null, events: [] };
    else {
      const waited = this.full;
      this.full = null;
      if (waited) {
        this.events.push(...waited.events);
        if (waited.snapshot !== null) this.snapshot = waited.snapshot;
      }
    }
    const h = this.health();
    for (const l of this.listeners) l(h);
  }

  lastSeq(): number {
    return this.events.length;
  }

  loadSnapshot<T>(): T | null {
    return this.snapshot === null ? null : (JSON.parse(this.snapshot) as T);
  }

  keepSnapshotCopy(): string {
    return `${this.snapshotFile}.copy`;
  }

  /** What a new supervisor reads back. */
  load(specs: readonly AgentSpec[], now: number): LoadedLedger | null {
    return loadLedger(this, specs, now);
  }

  /** The event lines logged for an agent, in order. */
  messages(agent: string): string[] {
    return (this.events as { agent: string | null; message: string }[]).filter((e) => e.agent === agent).map((e) => e.message);
  }

  /** The event kinds logged for an agent, in order. */
  kinds(agent: string): string[] {
    return (this.events as { agent: string | null; kind: string }[]).filter((e) => e.agent === agent).map((e) => e.kind);
  }
}

export function project(agents: AgentSpec[], over: Partial<ProjectSpec> = {}): ProjectSpec {
  const teams = [...new Set(agents.map((a) => a.team))].map((name) => {
    const members = agents.filter((a) => a.team === name);
    const windows = members.map((a) => ({ name: a.name, layout: null, panes: [a.name] }));
    return { name, file: `/fake/teams/${name}.yaml`, cwd: os.tmpdir(), maxParallel: null, layoutName: 'default', windows, agents: members };
  });
  return {
    dir: os.tmpdir(),
    file: null,
    teams,
    ceiling: { cpu: null, memory: null },
    pulseMs: 2000,
    logs: { maxBytes: 50 << 20, keep: 3 },
    requires: { commands: [], env: [], ports: [], disk: null },
    prices: [],
    notify: { command: null, on: ['waiting', 'failed', 'budget', 'done'], timeoutMs: 10_000, desktop: false },
    ...over,
  };
}

/** Everything a runner test needs: the world, the ports, and a runner over them. */
export class World {
  readonly clock = new FakeClock();
  readonly machine = new FakeMachine();
  readonly sampler = new FakeSampler(this.machine);
  readonly limitCalls: string[] = [];
  /** agents whose (fake) pids limit has refused a fork */
  readonly pidsLimited = new Set<string>();
  readonly inbox = new FakeInbox();
  readonly ledger = new FakeLedger();
  /** what reached the notifiers: the user's command and the desktop stand here */
  readonly notified: NeedsYouEvent[] = [];
  readonly notifiers: NotifierPort[] = [
    {
      name: 'recorder',
      wants: () => true,
      send: async (event) => {
        this.notified.push(event);
        return null;
      },
      idle: async () => undefined,
    },
  ];
  readonly worktrees: FakeWorktrees;
  readonly paths: StatePaths;

  constructor(readonly project: ProjectSpec) {
    this.paths = statePaths(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-runner-')));
    this.worktrees = new FakeWorktrees(path.join(this.paths.project, 'worktrees'));
  }

  ports(): RunnerPorts {
    return {
      tmux: this.machine.tmux,
      processes: this.machine.processes,
      sampler: this.sampler,
      limits: fakeLimits(this.limitCalls, this.pidsLimited),
      inbox: this.inbox,
      commits: noCommits,
      worktrees: this.worktrees,
      ledger: this.ledger,
      clock: this.clock,
      notifiers: this.notifiers,
    };
  }

  /** A runner over this world, from what the ledger holds now (as a new supervisor starts). */
  async runner(): Promise<Supervisor> {
    const specs = this.project.teams.flatMap((t) => t.agents);
    const supervisor = new Supervisor({
      project: this.project,
      paths: this.paths,
      ports: this.ports(),
      saved: this.ledger.load(specs, this.clock.now()),
      musterBin: 'muster',
      pid: 1,
    });
    await supervisor.start();
    await settle();
    return supervisor;
  }

  dispose(): void {
    fs.rmSync(this.paths.project, { recursive: true, force: true });
  }
}
