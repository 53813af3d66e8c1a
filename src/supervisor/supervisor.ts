/**
 * The runner: feeds IO to the pure core as events, persists every new state before
 * acting on it (write-ahead), and performs the effects the core returns. One per project.
 * It knows nothing of the CLI or the TUI: they reach it through `command()` (over the
 * control socket) and read what it publishes through `subscribe()`.
 */
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import { isAlive, type CrewState } from '../core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../core/crew-events.js';
import { initialCrew, nextDeadline, step, type CrewContext } from '../core/crew.js';
import { reconcile } from '../core/reconcile.js';
import { buildStatus, type StatusView } from '../core/status-view.js';
import type { Usage } from '../core/limits-policy.js';
import type { Sampler } from '../monitor/sampler.js';
import { CoordinationRuntime } from './coordination-runtime.js';
import { observedPanes, PaneExits } from './pane-exits.js';
import { EffectRunner } from './effect-runner.js';
import { layoutPlan } from './layout-plan.js';
import type { LimitsRuntime } from './limits-runtime.js';
import type { StatePaths } from './paths.js';
import type { Clock, CrewTmux, PaneState } from './ports.js';
import { realReaperDeps, type ReaperDeps } from './process-reaper.js';
import { UsageReader } from './usage-reader.js';
import type { Ledger } from './store/ledger.js';
import type { WorktreeGit } from '../git/worktree-git.js';
import { WorktreeRuntime } from '../worktree/worktree-runtime.js';
import { agentLogFile } from './paths.js';

/** What the ledger's snapshot holds. */
export interface SavedState {
  version: 1;
  savedAt: string;
  crew: CrewState;
  /** the last inbox records taken (a record is deleted only after this is saved) */
  inboxTaken?: string[];
  /**
   * The event lines of the step this state came from, and the `seq` the first of them
   * gets: the snapshot is written before the lines are appended, so a crash between the
   * two is mended at the next start by appending what the log lacks.
   */
  journal?: { fromSeq: number; notices: CrewNotice[] };
}

const TAKEN_KEPT = 256;
const OBSERVATION_SAVE_MS = 30_000;
/** with pane changes reported by tmux, the panes are re-read every this many pulses all the same */
const PANES_CHECK_EVERY = 5;

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
  /** git for agents' worktrees (docs/worktrees.md) */
  worktreeGit: WorktreeGit;
}

export type SupervisorListener = (message: { type: 'snapshot'; snapshot: StatusView } | { type: 'event'; event: CrewNotice }) => void;

export class Supervisor {
  private crew: CrewState;
  private readonly specs: AgentSpec[];
  private readonly specById: Map<string, AgentSpec>;
  private readonly maxParallel: Map<string, number | null>;
  private readonly listeners = new Map<SupervisorListener, () => boolean>();
  private pulseTimer: unknown = null;
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private panesCheck: Promise<void> | null = null;
  private panesCheckAgain = false;
  private stopped = false;
  private readonly reaper: ReaperDeps;
  private readonly coord: CoordinationRuntime;
  private readonly effects: EffectRunner;
  private readonly usage: UsageReader;
  private readonly worktrees: WorktreeRuntime;
  private inboxTaken: string[];
  private readonly typedWaiters = new Map<string, (submitted: boolean) => void>();
  private lastPulseAt: number | null = null;
  private readonly exits = new PaneExits();
  /** one look again at panes whose exit tmux does not know yet */
  private recheckTimer: unknown = null;
  private lastSavedAt = 0;
  private pulseCount = 0;
  readonly pid: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.specs = opts.project.teams.flatMap((t) => t.agents);
    this.specById = new Map(this.specs.map((s) => [s.id, s]));
    this.maxParallel = new Map(opts.project.teams.map((t) => [t.name, t.maxParallel]));
    const saved = opts.freshStart ? null : opts.ledger.loadSnapshot<SavedState>();
    this.crew = initialCrew(this.specs, saved?.crew ?? null);
    this.crew.handoffs = saved?.crew.handoffs ?? [];
    this.inboxTaken = saved?.inboxTaken ?? [];
    if (saved?.journal) this.mendEventLog(saved.journal);
    this.reaper = opts.reaper ?? realReaperDeps;
    this.pid = opts.pid ?? process.pid;
    this.worktrees = new WorktreeRuntime({
      git: opts.worktreeGit,
      stateDir: opts.paths.stateDir,
      specs: this.specs,
      logFile: (id) => agentLogFile(opts.paths, id),
      notice: (level, agent, kind, message) => this.notice(level, agent, kind, message),
    });
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
      worktrees: this.worktrees,
    });
    this.usage = new UsageReader(opts.sampler ?? null, opts.limits, this.specs, opts.project.ceiling, (id, pid) =>
      this.effects.provenRootOf(id, pid),
    );
    this.effects = new EffectRunner({
      project: opts.project,
      paths: opts.paths,
      tmux: opts.tmux,
      limits: opts.limits,
      musterBin: opts.musterBin,
      coord: this.coord,
      reaper: this.reaper,
      pid: this.pid,
      crew: () => this.crew,
      spec: (id) => this.specById.get(id),
      dispatch: (e) => this.dispatch(e),
      notice: (level, agent, kind, message) => this.notice(level, agent, kind, message),
      checkPanes: () => this.checkPanes(),
      now: () => this.now(),
      worktrees: this.worktrees,
    });
  }

  /** Builds the teams' panes, picks up what still runs, and starts supervising. */
  async start(step: (name: string) => void = () => undefined): Promise<void> {
    step('crew: panes');
    for (const team of this.opts.project.teams) await this.opts.tmux.ensureTeam(layoutPlan(team));
    const panes = await this.opts.tmux.listPanes();
    const picked = reconcile(this.crew, observedPanes(panes), this.now());
    this.crew = picked.state;
    this.save();
    const kept = Object.values(this.crew.agents).filter((a) => isAlive(a.status) && a.pid !== null);
    if (kept.length > 0) {
      const list = kept.map((a) => `${a.id} (pid ${a.pid})`).join(', ');
      this.notice('info', null, 'reattached', `picked up ${kept.length} running agent(s): ${list}`);
    }
    for (const rt of kept) {
      const spec = this.specById.get(rt.id);
      if (!spec) continue;
      // reconcile kept it because tmux shows its pane alive with this pid
      this.effects.adoptRoot(rt.id, rt.pid as number);
      await this.opts.limits.prepare(spec);
      // A supervisor that died mid duty-cycle may have left processes stopped.
      if (rt.status.state !== 'paused') await this.opts.limits.thaw(rt.id, this.effects.membersOf(rt.id));
    }
    this.effects.perform(picked.effects);
    for (const event of picked.events) this.dispatch(event);
    this.opts.tmux.onPaneDied(() => void this.checkPanes());
    this.dispatch({ type: 'usage', agents: this.sample() });
    step('crew: inbox');
    await this.coord.start();
    this.schedulePulse();
  }

  /**
   * The control connection to tmux came back after it dropped unasked. When the server
   * itself was lost, every agent's pane went with it: re-reading the panes reports them
   * `vanished`, and each agent's restart policy decides whether it comes back.
   */
  async reconnected(reason: string, serverWasLost: boolean): Promise<void> {
    if (this.stopped) return;
    const message = serverWasLost
      ? `the crew's tmux server went away (${reason}); a new one was started, and agents that ran in it are judged as vanished`
      : `the connection to the crew's tmux server dropped (${reason}); reconnected, the agents kept running`;
    this.notice(serverWasLost ? 'error' : 'warn', null, serverWasLost ? 'tmux-lost' : 'tmux-reconnected', message);
    await this.checkPanes();
  }

  /** Stops supervising; agents keep running in tmux. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.opts.limits.detach();
    this.worktrees.close();
    await this.coord.close();
    if (this.pulseTimer !== null) this.opts.clock.clearTimeout(this.pulseTimer);
    if (this.wakeTimer !== null) this.opts.clock.clearTimeout(this.wakeTimer);
    if (this.recheckTimer !== null) this.opts.clock.clearTimeout(this.recheckTimer);
    await this.idle();
    await this.worktrees.settle();
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
    const notices = this.noticesOf(result.effects);
    if (!quietPulse || this.now() - this.lastSavedAt >= OBSERVATION_SAVE_MS) this.save(notices);
    this.publishEvents(notices);
    this.effects.perform(result.effects);
    this.releaseGone();
    this.scheduleWake();
  }

  /** Agents whose processes have ended give their cgroup back. */
  private releaseGone(): void {
    for (const rt of Object.values(this.crew.agents)) {
      if (!isAlive(rt.status) && rt.pid === null && this.opts.limits.hasGroup(rt.id)) {
        this.effects.enqueue(rt.id, () => this.opts.limits.release(rt.id));
      }
    }
  }

  /** Resolves once every queued effect (launches, stops) has finished. */
  idle(agents?: readonly string[]): Promise<void> {
    return this.effects.idle(agents);
  }


  status(): StatusView {
    const seen = this.usage.view();
    return buildStatus({
      project: this.opts.paths.project,
      socket: this.opts.tmux.socketPath(),
      supervisor: { running: !this.stopped, pid: this.pid, ...seen.self },
      specs: this.specs,
      crew: this.crew,
      samples: seen.samples,
      system: seen.system,
      handoffs: (this.crew.handoffs ?? []).map((h) => ({
        ...h,
        created: new Date(h.created).toISOString(),
        delivered: h.delivered === null ? null : new Date(h.delivered).toISOString(),
      })),
      now: this.now(),
      histories: seen.histories,
      activity: new Map(Object.values(this.crew.agents).flatMap((a) => (a.activity ? [[a.id, a.activity] as const] : []))),
      lastCommits: this.coord.lastCommits(),
      worktrees: this.worktrees.views(),
      extras: { ceiling: this.opts.project.ceiling, enforcement: this.opts.limits.describe(), pulseMs: this.opts.project.pulseMs },
    });
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
    this.publishEvents(this.noticesOf([{ type: 'notify', level, agent, kind, message }]));
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
    const { events, pending } = this.exits.judge(
      this.specs,
      this.crew,
      panes,
      this.now(),
      (id) => this.effects.busy(id),
      (id) => this.opts.limits.oomKilled(id),
    );
    for (const event of events) this.dispatch(event);
    if (pending && this.recheckTimer === null) {
      this.recheckTimer = this.opts.clock.setTimeout(() => {
        this.recheckTimer = null;
        void this.checkPanes();
      }, 250);
    }
  }

  private async pulse(): Promise<void> {
    // tmux reports deaths and removals as they happen; a full look every few pulses is the safety net
    this.pulseCount++;
    if (!this.opts.tmux.reportsPaneChanges?.() || this.pulseCount % PANES_CHECK_EVERY === 0) await this.checkPanes();
    const now = this.now();
    const seen = await this.coord.observe(now);
    const intervalMs = this.lastPulseAt === null ? 0 : now - this.lastPulseAt;
    this.lastPulseAt = now;
    this.dispatch({ type: 'usage', agents: this.sample(), activity: seen.activity, commits: seen.commits, intervalMs });
    this.worktrees.observe(now, (id) => this.crew.agents[id]?.lastBusyAt ?? null);
    this.publishSnapshot();
  }

  /** One reading of the agents this pulse measures and of the machine (see usage-reader.ts). */
  private sample(): Record<string, Usage> {
    return this.usage.read(this.crew, this.now(), [...this.listeners.values()].some((wants) => wants()));
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
      machine: this.usage.machine,
      requiresMet: true,
    };
  }

  private now(): number {
    return this.opts.clock.now();
  }

  private save(notices: CrewNotice[] = []): void {
    this.lastSavedAt = this.now();
    const saved: SavedState = {
      version: 1,
      savedAt: new Date(this.now()).toISOString(),
      crew: this.crew,
      inboxTaken: this.inboxTaken,
      journal: { fromSeq: this.opts.ledger.lastSeq() + 1, notices },
    };
    this.opts.ledger.saveSnapshot(saved);
  }

  /** A crash fell between a snapshot and its event lines: append the lines the log lacks. */
  private mendEventLog(journal: NonNullable<SavedState['journal']>): void {
    const have = this.opts.ledger.lastSeq();
    const missing = journal.notices.slice(Math.max(0, have - journal.fromSeq + 1));
    if (have < journal.fromSeq + journal.notices.length - 1 && missing.length > 0) this.opts.ledger.appendEvents(missing);
  }

  private noticesOf(effects: readonly CrewEffect[]): CrewNotice[] {
    const time = new Date(this.now()).toISOString();
    return effects.flatMap((e) => (e.type === 'notify' ? [{ time, level: e.level, agent: e.agent, kind: e.kind, message: e.message }] : []));
  }

  /** Appends event lines to the ledger and hands them to listeners. */
  private publishEvents(notices: readonly CrewNotice[]): void {
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
}

