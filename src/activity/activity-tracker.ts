/**
 * How long each agent's output has been quiet, from the size of its pane log
 * (`.muster/logs/<team>/<agent>.log`), sampled once per pulse with a cheap `fs.stat`. Pure:
 * the caller feeds observations and the time.
 */
interface Seen {
  size: number;
  changedAt: number;
}

export class ActivityTracker {
  private readonly seen = new Map<string, Seen>();

  /**
   * Records the log size of an agent at `now` and returns how long its output has been
   * quiet. Any change of size (growth, or a shrink when the log was rotated or replaced)
   * counts as output. On the first observation the output is taken to have changed at
   * `mtimeMs` when given (the log's modification time, so a new supervisor does not see
   * a long-quiet agent as freshly busy), else at `now`.
   */
  observe(agentId: string, logSize: number, now: number, mtimeMs?: number): number {
    const before = this.seen.get(agentId);
    if (!before) {
      const changedAt = mtimeMs !== undefined && Number.isFinite(mtimeMs) ? Math.min(mtimeMs, now) : now;
      this.seen.set(agentId, { size: logSize, changedAt });
      return now - changedAt;
    }
    if (before.size < 0) before.size = logSize; // touched before it was ever observed
    else if (logSize !== before.size) {
      before.size = logSize;
      before.changedAt = now;
    }
    return Math.max(0, now - before.changedAt);
  }

  /** Counts as output at `now` (e.g. text was just typed into the agent, or it restarted). */
  touch(agentId: string, now: number): void {
    const s = this.seen.get(agentId);
    if (s) s.changedAt = Math.max(s.changedAt, now);
    else this.seen.set(agentId, { size: -1, changedAt: now });
  }

  /** Forgets an agent (removed from the crew). */
  forget(agentId: string): void {
    this.seen.delete(agentId);
  }
}
