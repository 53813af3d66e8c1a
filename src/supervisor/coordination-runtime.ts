/**
 * The IO behind coordination: the inbox (records that agents leave), what each pane
 * shows (activity), the age of each agent's last commit, and typing into panes. It turns
 * what it sees into core events; the core decides what to type and when.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seenOf } from '../activity/classify.js';
import { explainLines } from '../activity/explain.js';
import { activitySource } from '../core/sessions.js';
import { prepareText } from '../activity/typing-text.js';
import type { ExplainReply } from './control/contract.js';
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import { isAlive, type ActivitySeen, type CrewState } from '../core/agent-state.js';
import type { CrewEvent, TypedOutcome } from '../core/crew-events.js';
import type { InboxVerdict } from '../inbox/inbox-watcher.js';
import { realPathInside } from '../sys/inside-dir.js';
import type { InboxRecord } from '../inbox/record.js';
import { agentLogFile, type StatePaths } from './paths.js';
import type { Clock, CommitsPort, CrewTmux, InboxPort, WorktreesPort } from './ports.js';
import { HookReports } from './hook-reports.js';
import { PaneObserver } from './pane-observer.js';
import { submitText } from './submit-text.js';

export interface CoordinationDeps {
  project: ProjectSpec;
  specs: readonly AgentSpec[];
  paths: StatePaths;
  tmux: CrewTmux;
  inbox: InboxPort;
  commits: CommitsPort;
  clock: Clock;
  crew: () => CrewState;
  dispatch: (event: CrewEvent) => void;
  /** the ledger remembers the last records it took (exactly once across crashes) */
  taken: { has(id: string): boolean; add(id: string): void };
  notice: (level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string) => void;
  /** agents' worktrees: where an agent runs (commits are read from that worktree's own reflog), a sender's branch and head */
  worktrees: Pick<WorktreesPort, 'knownCwd' | 'headOf'>;
}

export class CoordinationRuntime {
  private readonly commits: CommitsPort;
  readonly panes: PaneObserver;
  private readonly specById: Map<string, AgentSpec>;
  /** what the agents' own hooks report (the authority over the screen where they spoke) */
  readonly hooks: HookReports;

  constructor(private readonly deps: CoordinationDeps) {
    this.specById = new Map(deps.specs.map((s) => [s.id, s]));
    this.commits = deps.commits;
    this.hooks = new HookReports(deps);
    this.panes = new PaneObserver((pane) => deps.tmux.capture(pane), (id) => agentLogFile(deps.paths, id));
  }

  async start(): Promise<void> {
    await Promise.all(this.deps.specs.filter((s) => s.commit).map((s) => this.commits.add(s.id, this.deps.worktrees.knownCwd(s)).catch(() => null)));
    await this.deps.inbox.start((record) => this.take(record), {
      isTaken: (id) => this.deps.taken.has(id),
      onRejected: (file, reason) => this.deps.notice('warn', null, 'inbox-refused', `refused ${path.basename(file)}: ${reason}`),
      onError: (err, id) => this.deps.notice('error', null, 'inbox-error', `inbox record ${id ?? '?'}: ${err.message}`),
    });
    this.hooks.start();
  }

  async close(): Promise<void> {
    this.hooks.close();
    await this.deps.inbox.close();
    await this.commits.close();
  }

  /** A new attempt starts (in `cwd`) with fresh output: its quiet time counts from now. */
  launched(agentId: string, now: number, cwd?: string): void {
    const spec = this.specById.get(agentId);
    // A worktree made at this start has its own reflog to watch.
    if (spec?.commit && cwd !== undefined) void this.commits.add(agentId, cwd).catch(() => null);
    this.panes.launched(agentId, now);
  }

  /**
   * One pulse: the agents' hook reports read, and what each live agent's pane shows — a
   * `stat` of its log per agent, a capture only where the log grew since the last one
   * (pane-observer.ts).
   */
  async observe(now: number): Promise<{ activity: Record<string, ActivitySeen>; commits: Record<string, number | null> }> {
    const activity: Record<string, ActivitySeen> = {};
    this.hooks.poll();
    const crew = this.deps.crew();
    await Promise.all(
      Object.values(crew.agents).map(async (rt) => {
        const spec = this.specById.get(rt.id);
        if (!spec || !isAlive(rt.status) || rt.status.state === 'starting' || !rt.pane) return;
        const look = await this.panes.look(rt.id, rt.pane, spec.preset, now);
        activity[rt.id] = seenOf(look.verdict);
      }),
    );
    const commits: Record<string, number | null> = {};
    for (const spec of this.deps.specs) {
      if (spec.commit && this.commits.gitDirOf(spec.id)) commits[spec.id] = this.commits.lastCommit(spec.id);
    }
    return { activity, commits };
  }

  lastCommits(): Map<string, number | null> {
    const out = new Map<string, number | null>();
    for (const spec of this.deps.specs) {
      if (spec.commit && this.commits.gitDirOf(spec.id)) out.set(spec.id, this.commits.lastCommit(spec.id));
    }
    return out;
  }

  /**
   * Types one outbox item into the agent's pane, confirmed from its screen (submit-text.ts),
   * and reports what it came to. `resume`: a supervisor stopped during this typing.
   */
  async type(agentId: string, itemId: string, text: string, opts: { force: boolean; resume: boolean; retry?: boolean }): Promise<void> {
    const rt = this.deps.crew().agents[agentId];
    const spec = this.specById.get(agentId);
    let outcome: TypedOutcome = { result: 'refused', why: 'it has no pane', seen: null };
    if (rt?.pane && spec) {
      const prepared = prepareText(text);
      const hold = process.env.MUSTER_TEST_HOLD_BEFORE_ENTER;
      outcome = await submitText(this.deps.tmux, rt.pane, prepared, {
        preset: spec.preset,
        sleep: this.deps.clock.sleep,
        force: opts.force,
        resume: opts.resume,
        retry: opts.retry ?? false,
        beforeEnter: hold ? () => holdOnce(hold, this.deps.clock.sleep) : undefined,
      }).catch((err: unknown) => ({ result: 'unconfirmed' as const, why: `typing failed: ${(err as Error).message}`, left: true }));
      // What was typed is output too: the agent is not idle for the next item yet.
      if (outcome.result !== 'refused') this.panes.typed(agentId, this.deps.clock.now());
    }
    this.deps.dispatch({ type: 'typed', agent: agentId, id: itemId, outcome: stripEnters(outcome) });
  }

  /** A fresh look at the agent's screen, explained (`muster explain`), or null when it has no pane. */
  async explain(agentId: string, now: number): Promise<ExplainReply | null> {
    const rt = this.deps.crew().agents[agentId];
    const spec = this.specById.get(agentId);
    if (!rt?.pane || !spec || !isAlive(rt.status)) return null;
    const look = await this.panes.look(agentId, rt.pane, spec.preset, now, true);
    const { verdict } = look;
    const rule = verdict.rule;
    const hooks = spec.preset.hooks === null ? undefined : rt.hookAt === null ? null : { activity: rt.hookActivity, agoMs: Math.max(0, now - rt.hookAt) };
    const source = activitySource(rt);
    return {
      agent: agentId,
      activity: verdict.activity,
      reason: verdict.reason,
      held: { activity: rt.activity, reason: rt.activityReason },
      rule: rule ? { file: rule.at.file, line: rule.at.line, activity: rule.activity, reason: rule.reason } : null,
      live: verdict.live,
      quietMs: look.quietMs,
      input: verdict.input,
      hooks,
      source,
      text: explainLines({ agent: agentId, preset: spec.preset, verdict, quietMs: look.quietMs, hooks, shown: { activity: rt.activity, source } }),
    };
  }

  /**
   * One inbox record → one core event; a bad one is refused with the reason. A handoff
   * from an agent with a worktree waits for its branch's head (docs/worktrees.md).
   */
  private take(record: InboxRecord): Promise<InboxVerdict | void> | InboxVerdict | void {
    const sender = this.specById.get(record.agent);
    if (!sender) return { refuse: `unknown agent ${record.agent}` };
    let event: CrewEvent;
    if (record.kind === 'handoff') {
      const to = record.to?.includes('/') ? record.to : `${sender.team}/${record.to ?? ''}`;
      if (!this.specById.has(to)) return { refuse: `unknown handoff target ${record.to ?? ''} (from ${record.agent})` };
      if (to === record.agent) return { refuse: `${record.agent} handed off to itself` };
      if (!record.message) return { refuse: 'a handoff needs a message' };
      if (record.file !== null && realPathInside(record.file, this.deps.project.dir) === null) {
        return { refuse: `handoff file ${record.file} is outside the project ${this.deps.project.dir}` };
      }
      const handoff = { type: 'handoff' as const, id: record.id, from: record.agent, to, message: record.message, file: record.file };
      // From an agent with a worktree: its branch and head, so the receiver knows what to look at.
      if (sender.worktree) {
        return this.deps.worktrees.headOf(sender.id).then((head) => this.accept(record.id, head ? { ...handoff, branch: head.branch, commit: head.commit } : handoff));
      }
      event = handoff;
    } else if (record.kind === 'done') {
      event = { type: 'done', agent: record.agent, message: record.message };
    } else {
      event = { type: 'checkin', agent: record.agent, message: record.message };
    }
    this.accept(record.id, event);
  }

  private accept(recordId: string, event: CrewEvent): void {
    this.deps.taken.add(recordId);
    this.deps.dispatch(event); // saved in the ledger (with the record's id) before the file goes
  }
}


/** The outcome without the runner's own count of Enter presses. */
function stripEnters(o: TypedOutcome & { enters?: number }): TypedOutcome {
  const { enters: _enters, ...outcome } = o;
  return outcome as TypedOutcome;
}

/**
 * The test hook MUSTER_TEST_HOLD_BEFORE_ENTER=FILE: the first typing after the paste writes
 * FILE and holds there (a test kills the supervisor at that moment); once FILE exists,
 * typing goes on as usual.
 */
async function holdOnce(file: string, sleep: (ms: number) => Promise<void>): Promise<void> {
  try {
    fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    return;
  }
  for (;;) await sleep(60_000);
}
