/**
 * The runner: feeds IO to the pure core as events, persists every new state before
 * acting on it (write-ahead), and performs the effects the core returns. One per project.
 * It knows nothing of the CLI or the TUI: they reach it through `command()` (over the
 * control socket) and read what it publishes through `subscribe()`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import { isAlive, type CrewState } from '../core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../core/crew-events.js';
import { initialCrew, nextDeadline, step, type CrewContext } from '../core/crew.js';
import { reconcile, type ObservedPane } from '../core/reconcile.js';
import type { MachineLoad } from '../core/scheduler.js';
import { buildStatus, type AgentSample, type StatusView, type SystemSample } from '../core/status-view.js';
import type { Usage } from '../core/limits-policy.js';
import { readProcTable } from '../monitor/proc-table.js';
import type { Sampler } from '../monitor/sampler.js';
import { stripAnsi } from '../text/strip-ansi.js';
import { CoordinationRuntime } from './coordination-runtime.js';
import { launchPlan } from './launch-command.js';
import type { LimitsRuntime } from './limits-runtime.js';
import { agentLogFile, type StatePaths } from './paths.js';
import type { Clock, CrewTmux, PaneState, TeamLayoutPlan } from './ports.js';
import { membersOf, realReaperDeps, stopProcesses, type ReaperDeps } from './process-reaper.js';
import type { Ledger } from './store/ledger.js';

/** What the ledger's snapshot holds. */
export interface SavedState {
  version: 1;
  savedAt: string;
  crew: CrewState;
  /** the last inbox records taken (a record is deleted only after this is saved) */
  inboxTaken?: string[];
}

const TAKEN_KEPT = 256;
const OBSERVATION_SAVE_MS = 30_000;

/** One line of the event stream (ledger, headless output, TUI). */
export interface CrewNotice {
  time: string;
  level: 'info' | 'warn' | 'error';
  agent: string | null;
  kind: string;
  message: string;
}

export interface SupervisorOptions {
  project: ProjectSpec;
  paths: StatePaths;
  tmux: CrewTmux;
  ledger: Ledger;
  /** shell command that runs muster, for agents (`MUSTER_BIN`) */
  musterBin: string;
  sampler?: Sampler | null;
  limits: LimitsRuntime;
  clock: Clock;
  reaper?: ReaperDeps;
  pid?: number;
  /** the crew's tmux server was not running: nothing survives, start every agent afresh */
  freshStart?: boolean;
}

export type SupervisorListener = (message: { type: 'snapshot'; snapshot: StatusView } | { type: 'event'; event: CrewNotice }) => void;

export class Supervisor {
  private crew: CrewState;
  private readonly specs: AgentSpec[];
  private readonly specById: Map<string, AgentSpec>;
  private readonly maxParallel: Map<string, number | null>;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly listeners = new Map<SupervisorListener, () => boolean>();
  private samples = new Map<string, AgentSample>();
  private system: SystemSample | null = null;
  private self: { cpu: number; memory: number } | null = null;
  private machine: MachineLoad | null = null;
  private pulseTimer: unknown = null;
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private panesCheck: Promise<void> | null = null;
  private panesCheckAgain = false;
  private stopped = false;
  private readonly reaper: ReaperDeps;
  private readonly coord: CoordinationRuntime;
  private inboxTaken: string[];
  private readonly typedWaiters = new Map<string, (submitted: boolean) => void>();
  private lastPulseAt: number | null = null;
  private readonly deadSince = new Map<string, number>();
  private lastSavedAt = 0;
  readonly pid: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.specs = opts.project.teams.flatMap((t) => t.agents);
    this.specById = new Map(this.specs.map((s) => [s.id, s]));
    this.maxParallel = new Map(opts.project.teams.map((t) => [t.name, t.maxParallel]));
    const saved = opts.freshStart ? null : opts.ledger.loadSnapshot<SavedState>();
    this.crew = initialCrew(this.specs, saved?.crew ?? null);
    this.crew.handoffs = saved?.crew.handoffs ?? [];
    this.inboxTaken = saved?.inboxTaken ?? [];
    this.reaper = opts.reaper ?? realReaperDeps;
    this.pid = opts.pid ?? process.pid;
    this.coord = new CoordinationRuntime({
      project: opts.project,
      specs: this.specs,
      paths: opts.paths,
      tmux: opts.tmux,
      crew: () => this.crew,
      dispatch: (e) => this.dispatch(e),
      taken: {
        has: (id) => this.inboxTaken.includes(id),
        add: (id) => {
          this.inboxTaken = [...this.inboxTaken.slice(-(TAKEN_KEPT - 1)), id];
        },
      },
      notice: (level, agent, kind, message) => this.notice(level, agent, kind, message),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
  }

  /** Builds the teams' panes, picks up what still runs, and starts supervising. */
  async start(): Promise<void> {
    for (const team of this.opts.project.teams) await this.opts.tmux.ensureTeam(layoutPlan(team));
    const panes = await this.opts.tmux.listPanes();
    const picked = reconcile(this.crew, this.observe(panes), this.now());
    this.crew = picked.state;
    this.save();
    const kept = Object.values(this.crew.agents).filter((a) => isAlive(a.status) && a.pid !== null);
    if (kept.length > 0) {
      this.emit([{ type: 'notify', level: 'info', agent: null, kind: 'reattached', message: `picked up ${kept.length} running agent(s): ${kept.map((a) => `${a.id} (pid ${a.pid})`).join(', ')}` }]);
    }
    for (const rt of kept) {
      const spec = this.specById.get(rt.id);
      if (!spec) continue;
      await this.opts.limits.prepare(spec);
      // A supervisor that died mid duty-cycle may have left processes stopped.
      if (rt.status.state !== 'paused') await this.opts.limits.thaw(rt.id, this.membersOf(rt.id));
    }
    this.perform(picked.effects);
    for (const event of picked.events) this.dispatch(event);
    this.opts.tmux.onPaneDied(() => void this.checkPanes());
    this.dispatch({ type: 'usage', agents: this.sample() });
    await this.coord.start();
    this.schedulePulse();
  }

  /** Stops supervising; agents keep running in tmux. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.opts.limits.detach();
    await this.coord.close();
    if (this.pulseTimer !== null) this.opts.clock.clearTimeout(this.pulseTimer);
    if (this.wakeTimer !== null) this.opts.clock.clearTimeout(this.wakeTimer);
    await this.idle();
    this.save();
  }

  /** Applies one event: a new state, saved before its effects run. */
  dispatch(event: CrewEvent): void {
    const result = step(this.crew, event, this.context());
    this.crew = result.state;
    if (event.type === 'typed') this.typedWaiters.get(event.id)?.(event.submitted);
    // Write-ahead: a step that acts, or changes more than a pulse's observations, is saved
    // before its effects run. A quiet pulse only moves counters (activity, busy time), so
    // its state is saved at most every OBSERVATION_SAVE_MS, sparing an fsync per pulse.
    const quietPulse = event.type === 'usage' && result.effects.length === 0;
    if (!quietPulse || this.now() - this.lastSavedAt >= OBSERVATION_SAVE_MS) this.save();
    this.emit(result.effects);
    this.perform(result.effects);
    this.releaseGone();
    this.scheduleWake();
  }

  /** Agents whose processes have ended give their cgroup back. */
  private releaseGone(): void {
    for (const rt of Object.values(this.crew.agents)) {
      if (!isAlive(rt.status) && rt.pid === null && this.opts.limits.hasGroup(rt.id)) {
        this.enqueue(rt.id, () => this.opts.limits.release(rt.id));
      }
    }
  }

  /** Resolves once every queued effect (launches, stops) has finished. */
  async idle(agents?: readonly string[]): Promise<void> {
    for (;;) {
      const pending = [...this.queues.entries()].filter(([id]) => !agents || agents.includes(id)).map(([, p]) => p);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  status(): StatusView {
    return buildStatus({
      project: this.opts.paths.project,
      socket: this.opts.tmux.socketPath(),
      supervisor: { running: !this.stopped, pid: this.pid, cpu: this.self ? round1(this.self.cpu) : null, memory: this.self?.memory ?? null },
      specs: this.specs,
      crew: this.crew,
      samples: this.samples,
      system: this.system,
      handoffs: (this.crew.handoffs ?? []).map((h) => ({
        ...h,
        created: new Date(h.created).toISOString(),
        delivered: h.delivered === null ? null : new Date(h.delivered).toISOString(),
      })),
      now: this.now(),
      histories: this.histories(),
      activity: new Map(Object.values(this.crew.agents).flatMap((a) => (a.activity ? [[a.id, a.activity] as const] : []))),
      lastCommits: this.coord.lastCommits(),
      extras: { ceiling: this.opts.project.ceiling, enforcement: this.opts.limits.describe(), pulseMs: this.opts.project.pulseMs },
    });
  }

  private histories(): Map<string, { cpu: number[]; memory: number[] }> {
    const out = new Map<string, { cpu: number[]; memory: number[] }>();
    const sampler = this.opts.sampler;
    if (!sampler) return out;
    for (const spec of this.specs) out.set(spec.id, sampler.history(spec.id));
    return out;
  }

  crewState(): CrewState {
    return this.crew;
  }

  spec(id: string): AgentSpec | undefined {
    return this.specById.get(id);
  }

  allSpecs(): readonly AgentSpec[] {
    return this.specs;
  }

  /** Resolves with whether the outbox item was submitted, once it has been typed. */
  waitTyped(itemId: string, timeoutMs: number): Promise<boolean | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.typedWaiters.delete(itemId);
        resolve('timeout');
      }, timeoutMs);
      this.typedWaiters.set(itemId, (submitted) => {
        clearTimeout(timer);
        this.typedWaiters.delete(itemId);
        resolve(submitted);
      });
    });
  }

  /** An event line that no transition produced (e.g. a refused inbox record). */
  notice(level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string): void {
    this.emit([{ type: 'notify', level, agent, kind, message }]);
  }

  /**
   * Events go to every listener; a snapshot is built each pulse only while some listener
   * wants one (e.g. a TUI is connected).
   */
  subscribe(listener: SupervisorListener, wantsSnapshots: () => boolean = () => true): () => void {
    this.listeners.set(listener, wantsSnapshots);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the panes and reports attempts that ended (or panes that vanished). */
  checkPanes(): Promise<void> {
    if (this.panesCheck) {
      this.panesCheckAgain = true;
      return this.panesCheck;
    }
    this.panesCheck = (async () => {
      do {
        this.panesCheckAgain = false;
        let panes: PaneState[];
        try {
          panes = await this.opts.tmux.listPanes();
        } catch {
          return; // the server is going away (down, cleanup): nothing to judge
        }
        this.judgePanes(panes);
      } while (this.panesCheckAgain && !this.stopped);
    })().finally(() => {
      this.panesCheck = null;
    });
    return this.panesCheck;
  }

  private judgePanes(panes: PaneState[]): void {
    const byAgent = new Map(panes.filter((p) => p.agentId).map((p) => [p.agentId as string, p]));
    for (const spec of this.specs) {
      const rt = this.crew.agents[spec.id];
      if (!rt || rt.status.state === 'starting' || this.queues.has(spec.id)) continue;
      if (!isAlive(rt.status) && rt.pid === null) continue;
      const pane = byAgent.get(spec.id);
      if (!pane) this.dispatch({ type: 'vanished', agent: spec.id, attempt: rt.attempt });
      else if (pane.dead && Number(pane.attempt) === rt.attempt && this.exitKnown(pane)) {
        const cause = isAlive(rt.status) && this.opts.limits.oomKilled(spec.id) ? ('memory' as const) : undefined;
        this.dispatch({ type: 'exited', agent: spec.id, attempt: rt.attempt, code: pane.deadStatus, cause });
      }
    }
  }

  /**
   * tmux reports a pane dead a moment before it has reaped the process and knows how it
   * ended; give it a few seconds before judging an exit with neither status nor signal.
   */
  private exitKnown(pane: PaneState): boolean {
    if (pane.deadStatus !== null || pane.deadSignal !== null) {
      this.deadSince.delete(pane.paneId);
      return true;
    }
    const first = this.deadSince.get(pane.paneId) ?? this.now();
    this.deadSince.set(pane.paneId, first);
    if (this.now() - first < 3000) {
      this.opts.clock.setTimeout(() => void this.checkPanes(), 250);
      return false;
    }
    this.deadSince.delete(pane.paneId);
    return true;
  }

  private async pulse(): Promise<void> {
    await this.checkPanes();
    const now = this.now();
    const seen = await this.coord.observe(now);
    const intervalMs = this.lastPulseAt === null ? 0 : now - this.lastPulseAt;
    this.lastPulseAt = now;
    this.dispatch({ type: 'usage', agents: this.sample(), activity: seen.activity, commits: seen.commits, intervalMs });
    this.publishSnapshot();
  }

  /** One /proc scan for every agent; returns what the limits policy judges. */
  private sample(): Record<string, Usage> {
    const sampler = this.opts.sampler;
    const usage: Record<string, Usage> = {};
    if (!sampler) return usage;
    const { limits } = this.opts;
    const roots = new Map<string, { pid: number; cgroupPids: number[] }>();
    let grouped = limits.groupsListMembers;
    for (const rt of Object.values(this.crew.agents)) {
      if (rt.pid === null) continue;
      roots.set(rt.id, { pid: rt.pid, cgroupPids: limits.groupPids(rt.id) });
      grouped &&= limits.hasGroup(rt.id);
    }
    const s = sampler.sample(roots, this.now(), { scope: grouped ? 'members' : 'machine' });
    this.samples = new Map([...s.agents].map(([id, u]) => [id, { cpu: u.cpu, memory: u.memory }]));
    this.system = { cpu: round1(s.machine.cpu), memory: s.machine.memory };
    this.machine = { cpu: s.machine.cpu, memory: (s.machine.memory.used / Math.max(1, s.machine.memory.total)) * 100 };
    this.self = s.self;
    for (const [id, u] of s.agents) {
      const rt = this.crew.agents[id];
      const spec = this.specById.get(id);
      // Throttled agents get their fresh pids each pulse (children born since are caught).
      if (rt?.status.state === 'throttled' && spec?.limits.cpu) limits.throttle(id, u.pids.filter((pid) => pid !== rt.pid), spec.limits.cpu);
      usage[id] = { cpu: limits.demand(id) ?? u.cpu, memory: u.memory };
    }
    return usage;
  }

  private schedulePulse(): void {
    if (this.stopped) return;
    this.pulseTimer = this.opts.clock.setTimeout(() => {
      void this.pulse().finally(() => this.schedulePulse());
    }, this.opts.project.pulseMs);
  }

  /** Wakes the core exactly when a backoff ends or a timeout falls, between pulses. */
  private scheduleWake(): void {
    const at = nextDeadline(this.crew, this.specs);
    if (at === this.wakeAt || this.stopped) return;
    if (this.wakeTimer !== null) this.opts.clock.clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer =
      at === null
        ? null
        : this.opts.clock.setTimeout(() => {
            this.wakeTimer = null;
            this.wakeAt = null;
            this.dispatch({ type: 'tick' });
          }, Math.max(0, at - this.now()));
  }

  private context(): CrewContext {
    return {
      now: this.now(),
      specs: this.specs,
      maxParallel: this.maxParallel,
      ceiling: this.opts.project.ceiling,
      machine: this.machine,
      requiresMet: true,
    };
  }

  private now(): number {
    return this.opts.clock.now();
  }

  private save(): void {
    this.lastSavedAt = this.now();
    const saved: SavedState = { version: 1, savedAt: new Date(this.now()).toISOString(), crew: this.crew, inboxTaken: this.inboxTaken };
    this.opts.ledger.saveSnapshot(saved);
  }

  private emit(effects: readonly CrewEffect[]): void {
    const notices: CrewNotice[] = [];
    for (const e of effects) {
      if (e.type !== 'notify') continue;
      notices.push({ time: new Date(this.now()).toISOString(), level: e.level, agent: e.agent, kind: e.kind, message: e.message });
    }
    if (notices.length === 0) return;
    this.opts.ledger.appendEvents(notices);
    for (const event of notices) for (const l of this.listeners.keys()) l({ type: 'event', event });
  }

  publishSnapshot(): void {
    const wanting = [...this.listeners].filter(([, wants]) => wants()).map(([l]) => l);
    if (wanting.length === 0) return;
    const snapshot = this.status();
    for (const l of wanting) l({ type: 'snapshot', snapshot });
  }

  private perform(effects: readonly CrewEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'launch':
          this.enqueue(e.agent, () => this.launch(e.agent, e.attempt));
          break;
        case 'kill':
          this.enqueue(e.agent, () => this.kill(e.agent, e.graceful));
          break;
        case 'throttle': {
          const cpu = e.cpu;
          this.enqueue(e.agent, async () => this.opts.limits.throttle(e.agent, this.membersOf(e.agent), cpu));
          break;
        }
        case 'unthrottle':
          this.enqueue(e.agent, async () => this.opts.limits.unthrottle(e.agent));
          break;
        case 'type': {
          const { agent, id, text } = e;
          this.enqueue(agent, () => this.coord.type(agent, id, text));
          break;
        }
        case 'freeze':
          this.enqueue(e.agent, () => this.opts.limits.freeze(e.agent, this.membersOf(e.agent)));
          break;
        case 'thaw':
          this.enqueue(e.agent, () => this.opts.limits.thaw(e.agent, this.membersOf(e.agent)));
          break;
        case 'notify':
          break;
      }
    }
  }

  /** Effects of one agent run one after another (a reset's stop finishes before its launch). */
  private enqueue(agent: string, job: () => Promise<void>): void {
    const before = this.queues.get(agent) ?? Promise.resolve();
    const run = before.then(job).catch((err: unknown) => {
      this.emit([{ type: 'notify', level: 'error', agent, kind: 'internal', message: `supervisor error: ${(err as Error).message}` }]);
    });
    this.queues.set(agent, run);
    void run.then(() => {
      if (this.queues.get(agent) === run) this.queues.delete(agent);
    });
  }

  private async launch(id: string, attempt: number): Promise<void> {
    const spec = this.specById.get(id);
    if (!spec) return;
    const fail = (message: string) => this.dispatch({ type: 'launch-failed', agent: id, attempt, message });
    if (!fs.existsSync(spec.cwd)) return fail(`working directory ${spec.cwd} does not exist`);
    let pane = await this.paneOf(id);
    if (!pane) {
      const team = this.opts.project.teams.find((t) => t.name === spec.team);
      if (team) pane = (await this.opts.tmux.ensureTeam(layoutPlan(team))).get(id) ?? null;
    }
    if (!pane) return fail('its tmux pane could not be created');
    const prelude = await this.opts.limits.prepare(spec);
    const plan = launchPlan(spec, {
      stateDir: this.opts.paths.stateDir,
      musterBin: this.opts.musterBin,
      attempt,
      prelude,
      extraEnv: this.launchEnv(id, attempt),
      waitingShell: !prelude || this.opts.limits.usesSignals,
    });
    const logFile = agentLogFile(this.opts.paths, id);
    fs.mkdirSync(this.opts.paths.logsDir, { recursive: true });
    try {
      const { pid } = await this.opts.tmux.launch(pane, { command: plan.argv, cwd: plan.cwd, env: plan.env, attempt: String(attempt), logFile });
      this.coord.launched(id, this.now());
      this.dispatch({ type: 'launched', agent: id, attempt, pane, pid });
    } catch (err) {
      fail((err as Error).message);
    }
  }

  /**
   * What a new attempt gets besides the usual variables: the last output of the attempt
   * before it (a file, for retries), and the handoffs still waiting for it.
   */
  private launchEnv(id: string, attempt: number): Record<string, string> {
    const env: Record<string, string> = {};
    const log = agentLogFile(this.opts.paths, id);
    if (attempt > 1 && fs.existsSync(log)) {
      const file = path.join(this.opts.paths.stateDir, 'attempts', `${id.replace('/', '.')}.${attempt - 1}.txt`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, stripAnsi(readTail(log, 64 * 1024)));
      env.MUSTER_PREVIOUS_OUTPUT = file;
    }
    const waiting = (this.crew.handoffs ?? []).filter((h) => h.to === id && h.state === 'pending');
    if (waiting.length > 0) env.MUSTER_HANDOFF = waiting.map((h) => `from ${h.from}: ${h.message}${h.file ? ` (file: ${h.file})` : ''}`).join('\n');
    return env;
  }

  private async kill(id: string, graceful: boolean): Promise<void> {
    const panes = await this.opts.tmux.listPanes().catch(() => [] as PaneState[]);
    const pane = panes.find((p) => p.agentId === id);
    const rt = this.crew.agents[id];
    const roots = [...new Set([rt?.pid, pane?.panePid].filter((p): p is number => typeof p === 'number'))];
    const paneId = pane && !pane.dead ? pane.paneId : null;
    await stopProcesses(
      {
        roots,
        interrupt: graceful && paneId ? () => this.opts.tmux.sendKeys(paneId, ['C-c']) : undefined,
        extraPids: () => this.opts.limits.groupPids(id),
        interruptMs: graceful ? undefined : 0,
        termMs: graceful ? undefined : 500,
        spare: new Set([this.pid]),
      },
      this.reaper,
    );
    const now = this.crew.agents[id];
    if (now && !isAlive(now.status)) await this.opts.limits.release(id);
    void this.checkPanes(); // the ended attempt's exit is recorded through the core
  }

  /** The agent's processes below its pane's own shell (which tmux would continue if stopped). */
  private membersOf(id: string): number[] {
    const rt = this.crew.agents[id];
    if (!rt?.pid) return [];
    return membersOf(readProcTable(), [rt.pid], this.opts.limits.groupPids(id), new Set([this.pid, rt.pid]));
  }

  private async paneOf(id: string): Promise<string | null> {
    const panes = await this.opts.tmux.listPanes();
    return panes.find((p) => p.agentId === id)?.paneId ?? null;
  }

  private observe(panes: PaneState[]): ObservedPane[] {
    return panes
      .filter((p) => p.agentId !== null)
      .map((p) => ({
        agentId: p.agentId as string,
        paneId: p.paneId,
        pid: p.panePid,
        dead: p.dead,
        deadStatus: p.deadStatus,
        attempt: p.attempt === null || p.attempt === '' ? null : Number(p.attempt),
      }));
  }
}

/** The tmux windows and panes of a team, from its resolved layout. */
export function layoutPlan(team: ProjectSpec['teams'][number]): TeamLayoutPlan {
  return {
    name: team.name,
    windows: team.windows.map((w) => ({
      name: w.name,
      layout: w.layout,
      panes: w.panes.map((name) => ({ agentId: `${team.name}/${name}`, title: name })),
    })),
  };
}

/** The last `bytes` of a file. */
function readTail(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
