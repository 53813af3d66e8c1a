/**
 * Performs the effects the core returns: launches, stops, throttling, freezing, typing.
 * Effects of one agent run one after another (a reset's stop finishes before its
 * launch); different agents' effects run side by side. What an effect learns (a pid, a
 * failed launch) goes back to the core as an event.
 */
import * as fs from 'node:fs';
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import type { CrewState } from '../core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../core/crew-events.js';
import { unreachable } from '../core/exhaustive.js';
import type { NeedsYou } from '../core/needs-you.js';
import { endedRoot, paneRoot, provenRoot, type RootRef } from '../monitor/membership.js';
import type { ProcTable } from '../monitor/proc-table.js';
import type { CoordinationRuntime } from './coordination-runtime.js';
import { launchPlan } from './launch-command.js';
import { launchExtras } from './agent-hooks.js';
import { shellQuote } from '../text/shell-quote.js';
import { launchEnv } from './launch-env.js';
import { ensureLauncher } from './launcher.js';
import { layoutPlan } from './layout-plan.js';
import { agentLogFile, type StatePaths } from './paths.js';
import type { Clock, CrewTmux, LimitsPort, PaneState, ProcessPort, WorktreesPort } from './ports.js';
import { membersOf, stopProcesses, type ReaperDeps } from './process-reaper.js';
import * as path from 'node:path';
import { isDiskFull, makePrivateDir, writeFileAtomic } from '../sys/atomic-file.js';
import { mcpLaunch } from './mcp-wiring.js';

export interface EffectRunnerDeps {
  project: ProjectSpec;
  paths: StatePaths;
  tmux: CrewTmux;
  limits: LimitsPort;
  processes: ProcessPort;
  clock: Clock;
  musterBin: string;
  coord: CoordinationRuntime;
  /** the supervisor's own pid: never signalled */
  pid: number;
  crew(): CrewState;
  spec(id: string): AgentSpec | undefined;
  dispatch(event: CrewEvent): void;
  notice(level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string): void;
  /** the user is needed: tell them (needs-you-router.ts) */
  needsYou(needs: NeedsYou): void;
  /** the agent's processes as this pulse's sample found them (besides its pane process), if it was measured */
  sampledPids(id: string): number[] | null;
  now(): number;
  /** agents' worktrees: where an agent starts (its worktree made whole first), and a setup to end on a stop */
  worktrees: Pick<WorktreesPort, 'cwdFor' | 'abortSetup'>;
}

export class EffectRunner {
  private readonly queues = new Map<string, Promise<void>>();
  /** each agent's pane process as proven when tmux reported it alive (launch, reattach) */
  private readonly roots = new Map<string, RootRef>();
  private readonly reaper: ReaperDeps;

  constructor(private readonly d: EffectRunnerDeps) {
    this.reaper = { readTable: () => d.processes.readTable(), signal: (pid, sig) => d.processes.signal(pid, sig), sleep: d.clock.sleep, now: () => d.clock.now() };
  }

  /** Is an effect of this agent under way (its pane is in flux)? */
  busy(agent: string): boolean {
    return this.queues.has(agent);
  }

  /** Resolves once every queued effect (of these agents, or of all) has finished. */
  async idle(agents?: readonly string[]): Promise<void> {
    for (;;) {
      const pending = [...this.queues.entries()].filter(([id]) => !agents || agents.includes(id)).map(([, p]) => p);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  perform(effects: readonly CrewEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'launch':
          this.enqueue(e.agent, () => this.launch(e.agent, e.attempt, e.resume));
          break;
        case 'kill':
          this.d.worktrees.abortSetup(e.agent); // a setup still running holds up the queue
          this.enqueue(e.agent, () => this.kill(e.agent, e.attempt, e.graceful));
          break;
        case 'throttle': {
          const cpu = e.cpu;
          this.enqueue(e.agent, async () => this.d.limits.throttle(e.agent, this.d.sampledPids(e.agent) ?? this.membersOf(e.agent), cpu));
          break;
        }
        case 'unthrottle':
          this.enqueue(e.agent, async () => this.d.limits.unthrottle(e.agent));
          break;
        case 'type': {
          const { agent, id, text } = e;
          this.enqueue(agent, () => this.d.coord.type(agent, id, text, { force: e.force, resume: e.resume ?? false, retry: e.retry ?? false }));
          break;
        }
        case 'freeze':
          this.enqueue(e.agent, () => this.d.limits.freeze(e.agent, this.membersOf(e.agent)));
          break;
        case 'thaw':
          this.enqueue(e.agent, () => this.d.limits.thaw(e.agent, this.membersOf(e.agent)));
          break;
        case 'release':
          this.enqueue(e.agent, () => this.d.limits.release(e.agent));
          break;
        case 'notify':
          break;
        case 'budget-reached':
          // what muster did about it came as its own effects (freeze, kill, type); the user hears of it as a needs-you
          break;
        case 'needs-you':
          this.d.needsYou(e.needs);
          break;
        default:
          unreachable(e);
      }
    }
  }

  /** Effects of one agent run one after another (a reset's stop finishes before its launch). */
  enqueue(agent: string, job: () => Promise<void>): void {
    const before = this.queues.get(agent) ?? Promise.resolve();
    const run = before.then(job).catch((err: unknown) => {
      this.d.notice('error', agent, 'internal', `supervisor error: ${(err as Error).message}`);
    });
    this.queues.set(agent, run);
    void run.then(() => {
      if (this.queues.get(agent) === run) this.queues.delete(agent);
    });
  }

  private async launch(id: string, attempt: number, resume: string | null): Promise<void> {
    const spec = this.d.spec(id);
    if (!spec) return;
    const fail = (message: string) => this.d.dispatch({ type: 'launch-failed', agent: id, attempt, message });
    try {
      await this.launchIn(spec, attempt, resume, fail);
    } catch (err) {
      // tmux unreachable (its server lost), cgroup errors: the attempt fails, the restart policy decides
      fail((err as Error).message);
    }
  }

  private async launchIn(configured: AgentSpec, attempt: number, resume: string | null, fail: (message: string) => void): Promise<void> {
    const id = configured.id;
    // With a worktree, the agent's folder is the same folder inside it (docs/worktrees.md).
    let spec = configured;
    if (configured.worktree) {
      const made = await this.d.worktrees.cwdFor(configured);
      for (const note of made.notes) this.d.notice('info', id, 'worktree', note);
      spec = { ...configured, cwd: made.cwd };
    }
    if (!fs.existsSync(spec.cwd)) return fail(`working directory ${spec.cwd} does not exist`);
    let pane = await this.paneOf(id);
    if (!pane) {
      const team = this.d.project.teams.find((t) => t.name === spec.team);
      if (team) pane = (await this.d.tmux.ensureTeam(layoutPlan(team))).get(id) ?? null;
    }
    if (!pane) return fail('its tmux pane could not be created');
    const prelude = await this.d.limits.prepare(spec);
    const launcher = ensureLauncher(this.d.paths.stateDir, this.d.musterBin);
    const wired = this.withMcp(spec, launcher);
    // the CLI's session (named, or resumed) and its per-run hooks (agent-hooks.ts)
    const extras = launchExtras(wired, this.d.paths, attempt, resume);
    for (const name of extras.shadowed) {
      this.d.notice('warn', id, 'hooks', `its run sets ${name} itself, which hides muster's hooks from the CLI (no state or session from it): set it in the agent's env: instead`);
    }
    const run = extras.args.length > 0 ? `${extras.run} ${extras.args.map(shellQuote).join(' ')}` : extras.run;
    const plan = launchPlan({ ...wired, run, env: { ...wired.env, ...extras.env } }, {
      stateDir: this.d.paths.stateDir,
      musterBin: this.d.musterBin,
      attempt,
      prelude,
      extraEnv: launchEnv(this.d.paths, id, attempt, this.d.crew().handoffs),
      waitingShell: !prelude || this.d.limits.usesSignals,
    });
    const logFile = agentLogFile(this.d.paths, id);
    makePrivateDir(this.d.paths.logsDir);
    const { pid } = await this.d.tmux.launch(pane, { command: plan.argv, cwd: plan.cwd, env: plan.env, attempt: String(attempt), logFile, logCap: spec.logs });
    this.d.coord.launched(id, this.d.now(), spec.cwd);
    this.adoptRoot(id, pid);
    if (extras.session) this.d.dispatch({ type: 'session', agent: id, attempt, id: extras.session });
    this.d.dispatch({ type: 'launched', agent: id, attempt, pane, pid });
  }

  /** The spec to launch: with `muster mcp` wired in as its preset says, when the agent has `mcp` (mcp-wiring.ts). */
  private withMcp(spec: AgentSpec, launcher: string): AgentSpec {
    const mcp = spec.preset.mcp;
    if (!spec.mcp || mcp === null) return spec;
    const wired = mcpLaunch(spec, mcp, { launcher, stateDir: this.d.paths.stateDir });
    if (wired === null) {
      this.d.notice('warn', spec.id, 'mcp', `muster mcp not wired: its run names none of ${spec.preset.commands.join(', ') || '(no programs)'} (preset ${spec.preset.name})`);
      return spec;
    }
    if (wired.file) {
      try {
        makePrivateDir(path.dirname(wired.file.path));
        writeFileAtomic(wired.file.path, wired.file.text);
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        this.d.notice('warn', spec.id, 'mcp', 'muster mcp not wired: the disk is full');
        return spec;
      }
    }
    return { ...spec, run: wired.run, env: { ...spec.env, ...wired.env } };
  }

  /** `pid` is the agent's pane process right now (tmux just reported it alive): remember which process that is. */
  adoptRoot(id: string, pid: number): void {
    this.roots.set(id, { pid, starttime: this.d.processes.readRow(pid)?.starttime ?? null });
  }

  /** The agent's pane process as proven at launch or reattach, if `pid` is still the one proven. */
  provenRootOf(id: string, pid: number): RootRef | null {
    const known = this.roots.get(id);
    return known?.pid === pid ? known : null;
  }

  /** The agent's root as proven, or (never proven by this supervisor) its recorded pid as the table shows it. */
  private rootOf(id: string, pid: number, table: ProcTable): RootRef {
    const known = this.roots.get(id);
    return known?.pid === pid ? known : provenRoot(table, pid);
  }

  /** Ends the attempt's processes and reports how that went (`killed`: survivors, the pane's exit code). */
  private async kill(id: string, attempt: number, graceful: boolean): Promise<void> {
    const panes = await this.d.tmux.listPanes().catch(() => [] as PaneState[]);
    const pane = panes.find((p) => p.agentId === id);
    const rt = this.d.crew().agents[id];
    // The pane's process (proven if the pane is alive); an earlier attempt's pid only as ended.
    const table = this.d.processes.readTable();
    const roots: RootRef[] = pane ? [paneRoot(table, pane.panePid, pane.dead)] : [];
    if (typeof rt?.pid === 'number' && rt.pid !== pane?.panePid) roots.push(endedRoot(rt.pid));
    const paneId = pane && !pane.dead ? pane.paneId : null;
    const marked = this.markedProcesses(id);
    const result = await stopProcesses(
      {
        roots,
        interrupt: graceful && paneId ? () => this.d.tmux.sendKeys(paneId, ['C-c']) : undefined,
        extraPids: () => [...this.d.limits.groupPids(id), ...marked()],
        interruptMs: graceful ? undefined : 0,
        termMs: graceful ? undefined : 500,
        spare: new Set([this.d.pid]),
      },
      this.reaper,
    );
    // How the pane's process ended, if tmux knows by now (the next look at the panes tells otherwise).
    const after = await this.d.tmux.listPanes().catch(() => [] as PaneState[]);
    const ended = after.find((p) => p.agentId === id && p.dead && Number(p.attempt) === attempt);
    this.d.dispatch({ type: 'killed', agent: id, attempt, code: ended?.deadStatus ?? null, survivors: result.remaining });
  }

  /**
   * The processes whose environment names this agent in this project (`MUSTER_DIR` and
   * `MUSTER_AGENT`, which everything an agent starts inherits): what left its pane's tree
   * and session, such as a daemon that double-forked and called setsid (Codex's
   * `codex app-server`). Read again at most every 500 ms while a stop runs.
   */
  private markedProcesses(id: string): () => number[] {
    const want = [`MUSTER_DIR=${this.d.paths.stateDir}`, `MUSTER_AGENT=${id}`];
    let cache: { at: number; pids: number[] } | null = null;
    return () => {
      const now = this.d.clock.now();
      if (cache && now - cache.at < 500) return cache.pids;
      const pids: number[] = [];
      for (const pid of this.d.processes.readTable().keys()) {
        if (pid === this.d.pid) continue;
        const vars = this.d.processes.readEnviron(pid)?.split('\0');
        if (vars && want.every((v) => vars.includes(v))) pids.push(pid);
      }
      cache = { at: now, pids };
      return pids;
    };
  }

  /** The agent's processes below its pane's own shell (which tmux would continue if stopped). */
  membersOf(id: string): number[] {
    const rt = this.d.crew().agents[id];
    if (!rt?.pid) return [];
    const table = this.d.processes.readTable();
    return membersOf(table, [this.rootOf(id, rt.pid, table)], this.d.limits.groupPids(id), new Set([this.d.pid, rt.pid]));
  }

  private async paneOf(id: string): Promise<string | null> {
    const panes = await this.d.tmux.listPanes();
    return panes.find((p) => p.agentId === id)?.paneId ?? null;
  }
}
