/**
 * The runner: feeds IO to the pure core as events, persists every new state before
 * acting on it (write-ahead), and performs the effects the core returns. One per project.
 * It knows nothing of the CLI or the TUI: they reach it through `command()` (over the
 * control socket) and read what it publishes through `subscribe()`.
 */
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import { isAlive, type CrewState } from '../core/agent-state.js';
import { isRefresh, type CrewEffect, type CrewEvent } from '../core/crew-events.js';
import { step, type CrewContext } from '../core/crew.js';
import { nextDeadline } from '../core/scheduler.js';
import { CREW_FORMAT, newCrew } from '../core/crew-state.js';
import { reconcile } from '../core/reconcile.js';
import type { Usage } from '../core/limits-policy.js';
import { CoordinationRuntime } from './coordination-runtime.js';
import { observedPanes, PaneExits } from './pane-exits.js';
import { EffectRunner } from './effect-runner.js';
import { layoutPlan } from './layout-plan.js';
import type { StatePaths } from './paths.js';
import { cliFiles } from './agent-hooks.js';
import type { PaneState, RunnerPorts } from './ports.js';
import type { ControlPush, CrewNotice, ExplainReply, StatusView } from './control/contract.js';
import { buildStatus } from './status-snapshot.js';
import { UsageReader } from './usage-reader.js';
import { TokenUsage } from './token-usage.js';
import type { Journal, LoadedLedger, SavedState } from './saved-state.js';
import { diskView, healthNotice } from './disk-health.js';
import { NeedsYouRouter } from './needs-you-router.js';
import { TypedWaiters, type TypedResult } from './typed-waiters.js';

const TAKEN_KEPT = 256;
const OBSERVATION_SAVE_MS = 30_000;
/** with pane changes reported by tmux, the panes are re-read every this many pulses all the same */
const PANES_CHECK_EVERY = 5;


export interface SupervisorOptions {
  project: ProjectSpec;
  paths: StatePaths;
  /** everything outside the runner (ports.ts) */
  ports: RunnerPorts;
  /** what the ledger held at start (read by `loadLedger`), or null */
  saved: LoadedLedger | null;
  /** shell command that runs muster, for agents (`MUSTER_BIN`) */
  musterBin: string;
  /** the supervisor's own pid: never signalled */
  pid?: number;
  /** the crew's tmux server was not running: nothing survives, start every agent afresh */
  freshStart?: boolean;
}

/** Who hears what the supervisor publishes: every event, and a snapshot each pulse while it wants one. */
export interface Audience {
  publish(message: ControlPush): void;
  /** does it want a snapshot this pulse (e.g. a TUI is connected)? */
  wantsSnapshots(): boolean;
}

export class Supervisor {
  private crew: CrewState;
  private readonly specs: AgentSpec[];
  private readonly specById: Map<string, AgentSpec>;
  private readonly maxParallel: Map<string, number | null>;
  private readonly audiences = new Set<Audience>();
  private pulseTimer: unknown = null;
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private panesCheck: Promise<void> | null = null;
  private panesCheckAgain = false;
  private stopped = false;
  private readonly ports: RunnerPorts;
  private readonly coord: CoordinationRuntime;
  private readonly effects: EffectRunner;
  private readonly usage: UsageReader;
  private readonly tokens: TokenUsage;
  private readonly needsYou: NeedsYouRouter;
  private inboxTaken: string[];
  private readonly typed: TypedWaiters;
  private lastPulseAt: number | null = null;
  private readonly exits = new PaneExits();
  /** one look again at panes whose exit tmux does not know yet */
  private recheckTimer: unknown = null;
  private lastSavedAt = 0;
  private pulseCount = 0;
  readonly pid: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.ports = opts.ports;
    const { tmux, clock, limits } = opts.ports;
    this.specs = opts.project.teams.flatMap((t) => t.agents);
    this.specById = new Map(this.specs.map((s) => [s.id, s]));
    this.maxParallel = new Map(opts.project.teams.map((t) => [t.name, t.maxParallel]));
    const saved = opts.saved;
    // A fresh tmux server holds no agent: the crew starts afresh (the inbox's memory stays).
    this.crew = saved && !opts.freshStart ? saved.crew : newCrew(this.specs);
    this.inboxTaken = saved?.inboxTaken ?? [];
    if (saved?.journal) this.mendEventLog(saved.journal);
    // a full disk never stops supervising: the ledger keeps what it cannot write and says so
    opts.ports.ledger.onHealth((h) => {
      const n = healthNotice(h);
      this.notice(n.level, null, n.kind, n.message);
      this.publishSnapshot();
    });
    this.pid = opts.pid ?? process.pid;
    this.typed = new TypedWaiters(clock);
    this.coord = new CoordinationRuntime({
      project: opts.project,
      specs: this.specs,
      paths: opts.paths,
      tmux,
      inbox: opts.ports.inbox,
      commits: opts.ports.commits,
      clock,
      crew: () => this.crew,
      dispatch: (e) => this.dispatch(e),
      taken: {
        has: (id) => this.inboxTaken.includes(id),
        add: (id) => {
          this.inboxTaken = [...this.inboxTaken.slice(-(TAKEN_KEPT - 1)), id];
        },
      },
      notice: (level, agent, kind, message) => this.notice(level, agent, kind, message),
      worktrees: opts.ports.worktrees,
    });
    this.usage = new UsageReader(opts.ports.sampler, limits, this.specs, opts.project.ceiling, (id, pid) =>
      this.effects.provenRootOf(id, pid),
    );
    this.tokens = new TokenUsage(opts.ports.transcripts, this.specs, opts.project.prices, (spec) => cliFiles(spec, opts.paths));
    this.needsYou = new NeedsYouRouter({
      project: opts.paths.project,
      notifiers: opts.ports.notifiers,
      viewedPanes: () => tmux.viewedPanes(),
      paneOf: (id) => this.crew.agents[id]?.pane ?? null,
      publish: (notice) => this.publishEvents([notice]),
      now: () => this.now(),
    });
    this.effects = new EffectRunner({
      project: opts.project,
      paths: opts.paths,
      tmux,
      limits,
      processes: opts.ports.processes,
      clock,
      musterBin: opts.musterBin,
      coord: this.coord,
      pid: this.pid,
      crew: () => this.crew,
      spec: (id) => this.specById.get(id),
      dispatch: (e) => this.dispatch(e),
      notice: (level, agent, kind, message) => this.notice(level, agent, kind, message),
      needsYou: (needs) => this.needsYou.raise(needs),
      sampledPids: (id) => this.usage.pidsOf(id),
      now: () => this.now(),
      worktrees: opts.ports.worktrees,
    });
  }

  /** Builds the teams' panes, picks up what still runs, and starts supervising. */
  async start(step: (name: string) => void = () => undefined): Promise<void> {
    step('crew: panes');
    for (const team of this.opts.project.teams) await this.ports.tmux.ensureTeam(layoutPlan(team));
    const panes = await this.ports.tmux.listPanes();
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
      await this.ports.limits.prepare(spec);
      // A supervisor that died mid duty-cycle may have left processes stopped.
      if (rt.status.state !== 'paused') await this.ports.limits.thaw(rt.id, this.effects.membersOf(rt.id));
    }
    this.effects.perform(picked.effects);
    for (const event of picked.events) this.dispatch(event);
    this.ports.tmux.onPaneDied(() => void this.checkPanes());
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
    this.ports.limits.detach();
    this.ports.worktrees.close();
    await this.coord.close();
    if (this.pulseTimer !== null) this.ports.clock.clearTimeout(this.pulseTimer);
    if (this.wakeTimer !== null) this.ports.clock.clearTimeout(this.wakeTimer);
    if (this.recheckTimer !== null) this.ports.clock.clearTimeout(this.recheckTimer);
    await this.idle();
    await this.ports.worktrees.settle();
    this.save();
  }

  /** Applies one event: a new state, saved before its effects run. */
  dispatch(event: CrewEvent): void {
    const before = this.crew;
    const result = step(this.crew, event, this.context());
    this.crew = result.state;
    this.typed.settle(event, before, this.crew);
    // Write-ahead: a step that acts, or changes more than a pulse's observations, is saved
    // before its effects run. A quiet pulse only moves counters (activity, busy time), so
    // its state is saved at most every OBSERVATION_SAVE_MS, sparing an fsync per pulse.
    const quietPulse = event.type === 'usage' && result.effects.every(isRefresh);
    const notices = this.noticesOf(result.effects);
    if (!quietPulse || this.now() - this.lastSavedAt >= OBSERVATION_SAVE_MS) this.save(notices);
    this.publishEvents(notices);
    this.effects.perform(result.effects);
    this.scheduleWake();
  }

  /** Resolves once every queued effect (launches, stops) has finished. */
  idle(agents?: readonly string[]): Promise<void> {
    return this.effects.idle(agents);
  }

  /** Resolves once every needs-you event raised so far has been sent (its notify command ended). */
  notified(): Promise<void> {
    return this.needsYou.idle();
  }


  status(): StatusView {
    const seen = this.usage.view();
    return buildStatus({
      project: this.opts.paths.project,
      socket: this.ports.tmux.socketPath(),
      supervisor: { running: !this.stopped, pid: this.pid, ...seen.self },
      specs: this.specs,
      crew: this.crew,
      samples: seen.samples,
      system: seen.system,
      now: this.now(),
      histories: seen.histories,
      activity: new Map(Object.values(this.crew.agents).flatMap((a) => (a.activity ? [[a.id, { activity: a.activity, reason: a.activityReason }] as const] : []))),
      lastCommits: this.coord.lastCommits(),
      worktrees: this.ports.worktrees.infos(),
      pidsEnforced: this.ports.limits.enforcesPids,
      pidsLimited: new Set(this.specs.filter((s) => this.ports.limits.pidsLimited(s.id)).map((s) => s.id)),
      usage: this.tokens.statusViews(this.crew),
      extras: {
        ceiling: this.opts.project.ceiling,
        enforcement: this.ports.limits.describe(),
        pulseMs: this.opts.project.pulseMs,
        disk: diskView(this.ports.ledger.health()),
      },
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

  /** `muster explain`: a fresh look at the agent's screen, with what the crew holds. */
  explain(agentId: string): Promise<ExplainReply | null> {
    return this.coord.explain(agentId, this.now());
  }

  /** Resolves once the outbox item was submitted or given up (with why), or at the timeout. */
  waitTyped(itemId: string, timeoutMs: number): Promise<TypedResult | 'timeout'> {
    return this.typed.wait(itemId, timeoutMs);
  }

  /** An event line that no transition produced (e.g. a refused inbox record). */
  notice(level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string): void {
    this.publishEvents(this.noticesOf([{ type: 'notify', level, agent, kind, message }]));
  }

  /**
   * Events go to every audience; a snapshot is built each pulse only while some audience
   * wants one (e.g. a TUI is connected), once for all of them.
   */
  subscribe(audience: Audience): () => void {
    this.audiences.add(audience);
    return () => this.audiences.delete(audience);
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
          panes = await this.ports.tmux.listPanes();
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
      (id) => this.ports.limits.oomKilled(id),
      (id) => this.ports.limits.pidsLimited(id),
    );
    for (const event of events) this.dispatch(event);
    if (pending && this.recheckTimer === null) {
      this.recheckTimer = this.ports.clock.setTimeout(() => {
        this.recheckTimer = null;
        void this.checkPanes();
      }, 250);
    }
  }

  private async pulse(): Promise<void> {
    // tmux reports deaths and removals as they happen; a full look every few pulses is the safety net
    this.pulseCount++;
    if (!this.ports.tmux.reportsPaneChanges() || this.pulseCount % PANES_CHECK_EVERY === 0) await this.checkPanes();
    const now = this.now();
    const seen = await this.coord.observe(now);
    const intervalMs = this.lastPulseAt === null ? 0 : now - this.lastPulseAt;
    this.lastPulseAt = now;
    this.dispatch({ type: 'usage', agents: this.sample(), activity: seen.activity, observedAt: now, commits: seen.commits, intervalMs, tokens: this.tokens.read(this.crew, now) });
    for (const hit of this.ports.limits.newPidsLimits()) this.notice('warn', hit.agentId, 'pids', hit.message);
    this.ports.worktrees.observe(now, (id) => this.crew.agents[id]?.lastBusyAt ?? null);
    this.publishSnapshot();
  }

  /** One reading of the agents this pulse measures and of the machine (see usage-reader.ts). */
  private sample(): Record<string, Usage> {
    return this.usage.read(this.crew, this.now(), [...this.audiences].some((a) => a.wantsSnapshots()));
  }

  private schedulePulse(): void {
    if (this.stopped) return;
    this.pulseTimer = this.ports.clock.setTimeout(() => {
      void this.pulse().finally(() => this.schedulePulse());
    }, this.opts.project.pulseMs);
  }

  /** Wakes the core exactly when a backoff ends or a timeout falls, between pulses. */
  private scheduleWake(): void {
    const at = nextDeadline(this.crew, this.specs);
    if (at === this.wakeAt || this.stopped) return;
    if (this.wakeTimer !== null) this.ports.clock.clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer =
      at === null
        ? null
        : this.ports.clock.setTimeout(() => {
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
    };
  }

  now(): number {
    return this.ports.clock.now();
  }

  private save(notices: CrewNotice[] = []): void {
    this.lastSavedAt = this.now();
    const saved: SavedState = {
      version: CREW_FORMAT,
      savedAt: new Date(this.now()).toISOString(),
      crew: this.crew,
      inboxTaken: this.inboxTaken,
      journal: { fromSeq: this.ports.ledger.lastSeq() + 1, notices },
    };
    this.ports.ledger.saveSnapshot(saved);
  }

  /** A crash fell between a snapshot and its event lines: append the lines the log lacks. */
  private mendEventLog(journal: Journal): void {
    const have = this.ports.ledger.lastSeq();
    const missing = journal.notices.slice(Math.max(0, have - journal.fromSeq + 1));
    if (have < journal.fromSeq + journal.notices.length - 1 && missing.length > 0) this.ports.ledger.appendEvents(missing);
  }

  private noticesOf(effects: readonly CrewEffect[]): CrewNotice[] {
    const time = new Date(this.now()).toISOString();
    return effects.flatMap((e) => (e.type === 'notify' ? [{ time, level: e.level, agent: e.agent, kind: e.kind, message: e.message }] : []));
  }

  /** Appends event lines to the ledger and hands them to listeners. */
  private publishEvents(notices: readonly CrewNotice[]): void {
    if (notices.length === 0) return;
    this.ports.ledger.appendEvents(notices);
    for (const event of notices) for (const a of this.audiences) a.publish({ type: 'event', event });
  }

  publishSnapshot(): void {
    const wanting = [...this.audiences].filter((a) => a.wantsSnapshots());
    if (wanting.length === 0) return;
    const snapshot = this.status();
    for (const a of wanting) a.publish({ type: 'snapshot', snapshot });
  }
}
