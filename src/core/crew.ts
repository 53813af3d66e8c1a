/**
 * The one owner of agent lifecycle transitions. `step(crew, event, ctx)` is pure: it
 * returns the next crew state and the effects the runner must perform. Every step ends
 * by settling the crew: ended backoffs relaunch, timeouts fire, and the scheduler starts
 * whatever may start.
 */
import type { AgentSpec, CeilingSpec } from '../config/types.js';
import {
  isAlive,
  isLive,
  type AgentRuntime,
  type AgentStatus,
  type CrewState,
  type FailReason,
  type Handoff,
} from './agent-state.js';
import type { CrewEffect, CrewEvent, StepResult } from './crew-events.js';
import * as coordination from './coordination.js';
import * as observation from './observation.js';
import { applyLimits, type LimitsTx } from './limits-step.js';
import { applyBudgets, type BudgetTx } from './budget-policy.js';
import { unreachable } from './exhaustive.js';
import { DEFAULT_NUDGE, formatMs, mib } from './wording.js';
import { decideExit } from './restart-policy.js';
import { FRESH_OBSERVATION, resumeRefused, sessionToResume } from './sessions.js';
import { needsYouOf } from './needs-you.js';
import { schedule, type MachineLoad } from './scheduler.js';

export interface CrewContext {
  now: number;
  /** every agent, in config order */
  specs: readonly AgentSpec[];
  maxParallel: ReadonlyMap<string, number | null>;
  ceiling: CeilingSpec;
  machine: MachineLoad | null;
}

export function step(crew: CrewState, event: CrewEvent, ctx: CrewContext): StepResult<CrewState> {
  const tx = new Transaction(crew, ctx);
  tx.apply(event);
  tx.settle();
  const result = tx.result();
  for (const needs of needsYouOf(crew, result.state, result.effects)) result.effects.push({ type: 'needs-you', needs });
  return result;
}

/** Mutable working copy for one step; agents are copied on write. */
class Transaction implements coordination.CoordinationTx, BudgetTx, LimitsTx {
  private readonly before: Readonly<Record<string, AgentRuntime>>;
  private readonly agents: Record<string, AgentRuntime>;
  pressure: CrewState['pressure'];
  readonly handoffs: Handoff[];
  private readonly effects: CrewEffect[] = [];
  private readonly specs: Map<string, AgentSpec>;

  constructor(crew: CrewState, private readonly ctx: CrewContext) {
    this.before = crew.agents;
    this.agents = { ...crew.agents };
    this.pressure = crew.pressure;
    this.handoffs = crew.handoffs.map((h) => ({ ...h }));
    this.specs = new Map(ctx.specs.map((s) => [s.id, s]));
  }

  result(): StepResult<CrewState> {
    // An agent left with no process gives back what held its processes (after any kill queued before).
    for (const [id, rt] of Object.entries(this.agents)) {
      const was = this.before[id];
      if (was && was !== rt && holdsProcesses(was) && !holdsProcesses(rt)) this.effects.push({ type: 'release', agent: id });
    }
    return { state: { agents: this.agents, pressure: this.pressure, handoffs: this.handoffs }, effects: this.effects };
  }

  /** Ends the processes of the agent's current attempt (the runner answers with `killed`). */
  kill(id: string, graceful: boolean): void {
    const rt = this.agents[id];
    if (rt) this.effects.push({ type: 'kill', agent: id, attempt: rt.attempt, graceful });
  }

  get now(): number {
    return this.ctx.now;
  }

  spec(id: string): AgentSpec | undefined {
    return this.specs.get(id);
  }

  effect(e: CrewEffect): void {
    this.effects.push(e);
  }

  all(): Readonly<Record<string, AgentRuntime>> {
    return this.agents;
  }

  /** Over its memory limit: killed at once, then restarted per policy or stopped as failed. */
  endForMemory(id: string, action: 'restart' | 'stop', figure: string): void {
    this.endFor(id, action, { reason: 'memory', kind: 'memory', graceful: false }, figure);
  }

  /** Missed its check-ins past grace: ended gracefully, then restarted per policy or stopped as failed. */
  endForCheckin(id: string, action: 'restart' | 'stop', why: string): void {
    this.endFor(id, action, { reason: 'checkin', kind: 'missed', graceful: true }, why);
  }

  private endFor(id: string, action: 'restart' | 'stop', how: { reason: 'memory' | 'checkin'; kind: string; graceful: boolean }, why: string): void {
    const rt = this.get(id);
    const spec = this.specs.get(id);
    if (!rt || !spec) return;
    this.kill(id, how.graceful);
    if (action === 'stop') {
      this.update(id, { status: { state: 'failed', at: this.now, reason: how.reason }, endedAt: this.now });
      this.notify('error', id, how.kind, `${why}: stopped`);
    } else {
      this.judgeEnd(spec, rt, null, how.reason, why);
    }
  }

  apply(event: CrewEvent): void {
    switch (event.type) {
      case 'tick':
        return;
      case 'usage':
        observation.observe(this, event.activity ?? {}, event.observedAt ?? this.now, event.intervalMs ?? 0);
        if (event.commits) coordination.judgeCommits(this, this.ctx.specs, event.commits);
        if (event.tokens) applyBudgets(this, this.ctx.specs, event.tokens);
        return applyLimits(this, this.ctx, event.agents);
      case 'launched':
        return this.onLaunched(event.agent, event.attempt, event.pane, event.pid);
      case 'launch-failed':
        return this.onLaunchFailed(event.agent, event.attempt, event.message);
      case 'exited':
        return this.onEnded(event.agent, event.attempt, event.code, event.cause ?? 'exit');
      case 'vanished':
        return this.onEnded(event.agent, event.attempt, null, 'lost');
      case 'killed':
        return this.onKilled(event.agent, event.attempt, event.code, event.survivors);
      case 'checkin':
        coordination.onCheckin(this, event.agent, event.message);
        this.notify('info', event.agent, 'checkin', event.message ? `checked in: ${event.message}` : 'checked in');
        return;
      case 'done':
        coordination.onCheckin(this, event.agent, event.message);
        return this.onDone(event.agent, event.message);
      case 'handoff':
        return coordination.onHandoff(this, event);
      case 'typed':
        return coordination.onTyped(this, event.agent, event.id, event.outcome);
      case 'message':
        return coordination.enqueue(this, event.agent, { id: event.id, kind: 'message', text: event.text, force: event.force, tries: 0 });
      case 'nudge': {
        const nudge = this.specs.get(event.agent)?.checkin?.nudge ?? DEFAULT_NUDGE;
        return coordination.enqueue(this, event.agent, { id: `nudge-${this.now}`, kind: 'nudge', text: nudge, force: true, tries: 0 });
      }
      case 'deliver':
        coordination.forceHandoff(this, event.handoff);
        return;
      case 'stop':
        for (const id of event.agents) this.stop(id, event.reason ?? 'user');
        return;
      case 'reset':
        for (const id of event.agents) this.reset(id, event.keepSession ?? false);
        return;
      case 'session':
        return observation.onSession(this, event.agent, event.attempt, event.id);
      case 'hook':
        return observation.onHook(this, event.agent, event.attempt, event.activity, event.session);
      case 'pause':
        for (const id of event.agents) this.pause(id);
        return;
      case 'resume':
        for (const id of event.agents) this.resume(id);
        return;
      default:
        return unreachable(event);
    }
  }

  /** Backoffs that ended relaunch; timeouts fire; the scheduler starts what may start. */
  settle(): void {
    const { now } = this.ctx;
    for (const spec of this.ctx.specs) {
      const rt = this.agents[spec.id];
      if (!rt) continue;
      const s = rt.status;
      if (s.state === 'backoff' && s.until <= now) this.launch(spec.id);
      else if (spec.timeoutMs !== null && isLive(s) && rt.startedAt !== null && now - rt.startedAt >= spec.timeoutMs) {
        this.update(spec.id, { status: { state: 'failed', at: now, reason: 'timeout' }, endedAt: now });
        this.kill(spec.id, true);
        this.notify('error', spec.id, 'timeout', `timed out after ${formatMs(spec.timeoutMs)}; stopped`);
      }
    }
    const plan = schedule({
      specs: this.ctx.specs,
      crew: { agents: this.agents, pressure: this.pressure, handoffs: this.handoffs },
      maxParallel: this.ctx.maxParallel,
      ceiling: this.ctx.ceiling,
      machine: this.ctx.machine,
    });
    for (const [id, reason] of plan.waiting) {
      const s = this.agents[id]?.status;
      if (s?.state === 'pending' && s.reason !== reason) this.update(id, { status: { state: 'pending', reason } });
    }
    for (const id of plan.start) this.launch(id);
    coordination.judgeCheckins(this, this.ctx.specs);
    coordination.judgeStalls(this, this.ctx.specs);
    coordination.judgeReadiness(this, this.ctx.specs);
    coordination.flushOutboxes(this, this.ctx.specs);
  }

  private launch(id: string): void {
    const rt = this.get(id);
    const spec = this.specs.get(id);
    if (!rt || !spec) return;
    const attempt = rt.attempt + 1;
    const resume = sessionToResume(spec, rt);
    this.update(id, {
      status: { state: 'starting', since: this.ctx.now },
      attempt,
      pid: null,
      exitCode: null,
      resumed: resume,
      resumeNext: false,
      session: resume,
      ...FRESH_OBSERVATION,
      activity: null,
    });
    if (resume) this.notify('info', id, 'resume', `restarting into its conversation (session ${resume})`);
    this.effects.push({ type: 'launch', agent: id, attempt, resume });
  }

  private onLaunched(id: string, attempt: number, pane: string, pid: number): void {
    const rt = this.get(id);
    if (!rt || rt.attempt !== attempt || rt.status.state !== 'starting') return;
    this.update(id, { status: { state: 'running', since: this.ctx.now }, pane, pid, startedAt: this.ctx.now, activity: null, activityReason: null, waitingLine: null, readyAt: null, notReadyNotified: false });
    coordination.onLaunched(this, id);
    this.notify('info', id, 'started', `started (attempt ${attempt}, pid ${pid})`);
  }

  private onLaunchFailed(id: string, attempt: number, message: string): void {
    const rt = this.get(id);
    if (!rt || rt.attempt !== attempt || rt.status.state !== 'starting') return;
    this.update(id, { status: { state: 'failed', at: this.ctx.now, reason: 'launch' }, pid: null, endedAt: this.ctx.now });
    this.notify('error', id, 'launch-failed', `could not start: ${message}`);
  }

  private onEnded(id: string, attempt: number, code: number | null, cause: FailReason): void {
    const rt = this.get(id);
    const spec = this.specs.get(id);
    if (!rt || !spec || rt.attempt !== attempt) return;
    if (!isLive(rt.status)) {
      // Stopping, stopped, done, failed by us: the process ending is expected; keep the code.
      this.update(id, { pid: null, exitCode: code ?? rt.exitCode });
      return;
    }
    if (cause === 'memory') {
      const how = `killed by the kernel at its ${mib(spec.limits.memory ?? 0)} memory limit`;
      if (spec.limits.onMemory === 'stop') {
        this.update(id, { status: { state: 'failed', at: this.ctx.now, reason: 'memory' }, pid: null, exitCode: code, endedAt: this.ctx.now });
        this.notify('error', id, 'memory', `${how}: stopped`);
        return;
      }
      return this.judgeEnd(spec, rt, code, cause, how);
    }
    if (cause === 'exit' && resumeRefused(rt, code, this.ctx.now)) {
      // The CLI refused the session (files gone or corrupt): a new conversation, at once.
      this.update(id, { status: { state: 'backoff', until: this.ctx.now, reason: 'exit' }, pid: null, exitCode: code, endedAt: this.ctx.now, session: null, resumed: null, resumeNext: false });
      this.notify('warn', id, 'resume-failed', `could not resume session ${rt.resumed} (exited with code ${code ?? '?'} before showing anything): starting a new conversation, the prompt is typed again`);
      return;
    }
    const how = code === null ? (cause === 'lost' ? 'its pane disappeared' : 'killed') : `exited with code ${code}`;
    const limit = cause === 'pids' ? ` after reaching its process limit (${spec.limits.pids ?? '?'})` : '';
    this.judgeEnd(spec, rt, code, cause, `${how}${limit}`);
  }

  /**
   * A kill finished. A stopping agent is stopped now that its processes are gone; processes
   * that survived SIGKILL are reported, and a stop that left some says so in its state.
   */
  private onKilled(id: string, attempt: number, code: number | null, survivors: number[]): void {
    const rt = this.get(id);
    if (!rt || rt.attempt !== attempt) return;
    const now = this.ctx.now;
    const left = survivors.length > 0 ? `${survivors.length} process(es) survived SIGKILL (pid ${survivors.join(', ')})` : null;
    if (rt.status.state === 'stopping') {
      this.update(id, { status: { state: 'stopped', at: now, reason: rt.status.reason, survivors }, pid: null, exitCode: code ?? rt.exitCode, endedAt: now });
      if (left) this.notify('error', id, 'survivors', `stopped, but ${left}`);
      else this.notify('info', id, 'stopped', 'stopped');
      return;
    }
    if (!isLive(rt.status)) this.update(id, { pid: null, exitCode: code ?? rt.exitCode });
    if (left) this.notify('error', id, 'survivors', left);
  }

  /** The attempt is over (it exited, or muster ends it for a limit): done, restart, retry or fail. */
  private judgeEnd(spec: AgentSpec, rt: AgentRuntime, code: number | null, cause: FailReason, how: string): void {
    const id = spec.id;
    const now = this.ctx.now;
    const ended = { pid: null, exitCode: code, endedAt: now };
    const decision = decideExit(spec, rt, code, now, cause);
    switch (decision.kind) {
      case 'done':
        this.update(id, { ...ended, status: { state: 'done', at: now } });
        this.notify('info', id, 'exited', `${how}; done`);
        return;
      case 'failed':
        this.update(id, { ...ended, status: { state: 'failed', at: now, reason: decision.reason } });
        this.notify(
          'error',
          id,
          decision.reason === 'circuit' ? 'circuit-open' : 'failed',
          decision.reason === 'circuit'
            ? `${how}; more than ${spec.restart.max} restarts within ${formatMs(spec.restart.withinMs)}: circuit open, failed until reset`
            : `${how}; failed`,
        );
        return;
      case 'retry':
        this.update(id, {
          ...ended,
          retriesUsed: rt.retriesUsed + 1,
          status: { state: 'backoff', until: now + decision.delayMs, reason: cause },
        });
        this.notify('warn', id, 'retry', `${how}; retry ${rt.retriesUsed + 1} of ${spec.retries} in ${formatMs(decision.delayMs)}`);
        return;
      case 'restart':
        this.update(id, {
          ...ended,
          restarts: rt.restarts + 1,
          restartTimes: decision.restartTimes,
          resumeNext: true,
          status: { state: 'backoff', until: now + decision.delayMs, reason: cause },
        });
        this.notify('warn', id, 'restart', `${how}; restarting in ${formatMs(decision.delayMs)}`);
        return;
      default:
        return unreachable(decision);
    }
  }

  private onDone(id: string, message: string | null): void {
    const rt = this.get(id);
    if (!rt || rt.status.state === 'done') return;
    this.update(id, { status: { state: 'done', at: this.ctx.now }, doneMessage: message });
    this.notify('info', id, 'done', message ? `done: ${message}` : 'done');
  }

  stopFor(id: string, reason: 'budget'): void {
    this.stop(id, reason);
  }

  nudge(id: string, text: string): void {
    coordination.enqueue(this, id, { id: `budget-${this.now}`, kind: 'message', text, force: false, tries: 0 });
  }

  private stop(id: string, reason: 'user' | 'down' | 'budget'): void {
    const rt = this.get(id);
    if (!rt) return;
    const s = rt.status;
    if (s.state === 'stopping') return;
    if (s.state === 'stopped' || s.state === 'done' || s.state === 'failed') {
      if (rt.pid !== null) this.kill(id, true);
      return;
    }
    if (isAlive(s)) {
      // `stopped` once the processes are gone (the kill's `killed` event)
      this.update(id, { status: { state: 'stopping', since: this.ctx.now, reason } });
      this.kill(id, true);
      this.notify('info', id, 'stopping', 'stopping: interrupt, then TERM, then KILL');
      return;
    }
    this.update(id, { status: { state: 'stopped', at: this.ctx.now, reason, survivors: [] } });
    this.notify('info', id, 'stopped', 'stopped');
  }

  /** A fresh process, counters cleared; a new conversation unless `keepSession` (restart --resume). */
  private reset(id: string, keepSession: boolean): void {
    const rt = this.get(id);
    if (!rt) return;
    if (isAlive(rt.status) || rt.pid !== null) this.kill(id, true);
    const keep = keepSession && rt.session !== null;
    this.update(id, {
      status: { state: 'pending', reason: 'after' },
      restarts: 0,
      restartTimes: [],
      retriesUsed: 0,
      exitCode: null,
      doneMessage: null,
      resumeNext: keep,
      session: keep ? rt.session : null,
    });
    this.notify('info', id, 'reset', keep ? `reset: counters cleared, back into session ${rt.session}` : 'reset: counters cleared, starting afresh');
  }

  private pause(id: string): void {
    const rt = this.get(id);
    if (!rt || (rt.status.state !== 'running' && rt.status.state !== 'throttled')) return;
    if (rt.status.state === 'throttled') this.effects.push({ type: 'unthrottle', agent: id });
    this.update(id, { status: { state: 'paused', since: this.ctx.now, by: 'user' } });
    this.effects.push({ type: 'freeze', agent: id });
    this.notify('info', id, 'paused', 'paused');
  }

  private resume(id: string): void {
    const rt = this.get(id);
    if (!rt || rt.status.state !== 'paused') return;
    this.update(id, { status: { state: 'running', since: this.ctx.now } });
    this.effects.push({ type: 'thaw', agent: id });
    this.notify('info', id, 'resumed', 'resumed');
  }

  get(id: string): AgentRuntime | undefined {
    return this.agents[id];
  }

  update(id: string, patch: Partial<AgentRuntime> & { status?: AgentStatus }): void {
    const rt = this.agents[id];
    if (!rt) return;
    this.agents[id] = { ...rt, ...patch };
  }

  notify(level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string): void {
    this.effects.push({ type: 'notify', level, agent, kind, message });
  }
}

/** Has processes, or may have: alive, or its last pane process not yet seen to end. */
function holdsProcesses(rt: AgentRuntime): boolean {
  return isAlive(rt.status) || rt.pid !== null;
}

