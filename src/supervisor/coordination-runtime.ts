/**
 * The IO behind coordination: the inbox (records that agents leave), what each pane
 * shows (activity), the age of each agent's last commit, and typing into panes. It turns
 * what it sees into core events; the core decides what to type and when.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActivityTracker } from '../activity/activity-tracker.js';
import { classify, type Activity } from '../activity/classify.js';
import { prepareText } from '../activity/typing-text.js';
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import { isAlive, type CrewState } from '../core/agent-state.js';
import type { CrewEvent } from '../core/crew-events.js';
import type { InboxVerdict } from '../inbox/inbox-watcher.js';
import { realPathInside } from '../sys/inside-dir.js';
import type { InboxRecord } from '../inbox/record.js';
import { agentLogFile, type StatePaths } from './paths.js';
import type { Clock, CommitsPort, CrewTmux, InboxPort, WorktreesPort } from './ports.js';
import { looksPending, submitText } from './submit-text.js';

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
  private readonly tracker = new ActivityTracker();
  /** the last classification of a quiet pane, valid while its log size stays the same */
  private readonly seenScreen = new Map<string, { size: number; activity: Activity }>();
  private readonly specById: Map<string, AgentSpec>;

  constructor(private readonly deps: CoordinationDeps) {
    this.specById = new Map(deps.specs.map((s) => [s.id, s]));
    this.commits = deps.commits;
  }

  async start(): Promise<void> {
    await Promise.all(this.deps.specs.filter((s) => s.commit).map((s) => this.commits.add(s.id, this.deps.worktrees.knownCwd(s)).catch(() => null)));
    await this.deps.inbox.start((record) => this.take(record), {
      isTaken: (id) => this.deps.taken.has(id),
      onRejected: (file, reason) => this.deps.notice('warn', null, 'inbox-refused', `refused ${path.basename(file)}: ${reason}`),
      onError: (err, id) => this.deps.notice('error', null, 'inbox-error', `inbox record ${id ?? '?'}: ${err.message}`),
    });
  }

  async close(): Promise<void> {
    await this.deps.inbox.close();
    await this.commits.close();
  }

  /** A new attempt starts (in `cwd`) with fresh output: its quiet time counts from now. */
  launched(agentId: string, now: number, cwd?: string): void {
    const spec = this.specById.get(agentId);
    // A worktree made at this start has its own reflog to watch.
    if (spec?.commit && cwd !== undefined) void this.commits.add(agentId, cwd).catch(() => null);
    this.tracker.forget(agentId);
    this.seenScreen.delete(agentId);
    this.tracker.observe(agentId, -1, now);
  }

  /** One pulse: each live agent's activity (a stat per agent; a capture only for quiet panes whose output changed). */
  async observe(now: number): Promise<{ activity: Record<string, Activity>; commits: Record<string, number | null> }> {
    const activity: Record<string, Activity> = {};
    const crew = this.deps.crew();
    await Promise.all(
      Object.values(crew.agents).map(async (rt) => {
        const spec = this.specById.get(rt.id);
        if (!spec || !isAlive(rt.status) || rt.status.state === 'starting' || !rt.pane) return;
        const stat = statOrNull(agentLogFile(this.deps.paths, rt.id));
        const size = stat?.size ?? 0;
        const quietMs = this.tracker.observe(rt.id, size, now, stat?.mtimeMs);
        const preset = spec.preset;
        if (quietMs < preset.quietMs) {
          activity[rt.id] = 'busy';
          return;
        }
        const cached = this.seenScreen.get(rt.id);
        if (cached && cached.size === size && cached.activity !== 'busy') {
          activity[rt.id] = cached.activity;
          return;
        }
        const screen = await this.deps.tmux.capture(rt.pane).catch(() => null);
        const a = classify({ preset: spec.preset, screen, quietMs }).activity;
        this.seenScreen.set(rt.id, { size, activity: a });
        activity[rt.id] = a;
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

  /** Types one outbox item into the agent's pane and reports whether it was submitted. */
  async type(agentId: string, itemId: string, text: string): Promise<void> {
    const rt = this.deps.crew().agents[agentId];
    const spec = this.specById.get(agentId);
    let submitted = false;
    if (rt?.pane && spec) {
      const preset = spec.preset;
      const prepared = prepareText(text);
      const result = await submitText(this.deps.tmux, rt.pane, prepared, {
        sleep: this.deps.clock.sleep,
        pauseMs: Math.max(150, preset.submit.pauseMs),
        isPending: (line) => looksPending(line, prepared) || preset.input.pending.some((re) => re.test(line)),
      }).catch(() => ({ submitted: false, enters: 0 }));
      submitted = result.submitted;
      // What was typed is output too: the agent is not idle for the next item yet.
      this.tracker.touch(agentId, this.deps.clock.now());
      this.seenScreen.delete(agentId);
    }
    this.deps.dispatch({ type: 'typed', agent: agentId, id: itemId, submitted });
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

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
