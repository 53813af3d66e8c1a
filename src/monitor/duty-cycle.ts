/**
 * CPU limits without cgroups: stop/continue duty cycling, as `cpulimit` does.
 *
 * Each throttled agent runs a ~100 ms period: its processes are continued for the "on"
 * part and stopped (SIGSTOP) for the rest. At the start of every period the cycler
 * measures how many ticks the processes used while they ran, keeps a smoothed estimate
 * of their demand (share of a core they use while running), and sets the next on-share
 * to `limit / demand` (capped at 1: an agent under its limit is never stopped).
 */
import { processSource } from './process-source.js';

/** Timers, injected so tests can drive them. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Sends a job-control signal to one pid. */
export type SignalSender = (pid: number, signal: 'SIGSTOP' | 'SIGCONT') => void;

/** Reads cumulative CPU ticks (utime+stime) and start time of the pids that still exist. */
export type UsageReader = (pids: readonly number[]) => Map<number, { ticks: number; starttime: number }>;

/** The real timers. */
export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Sends `signal` to one `pid`, ignoring a process that is gone. Refuses pids that would
 * reach more than one process (≤ 0), init, and the supervisor itself.
 */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone, or not ours: nothing to do
  }
}

/** The real signal sender. */
export const sendSignal: SignalSender = signalPid;

/** Stops every pid (the freeze used when there is no cgroup freezer). */
export function pause(pids: readonly number[], signal: SignalSender = sendSignal): void {
  for (const pid of pids) signal(pid, 'SIGSTOP');
}

/** Continues every pid. */
export function resume(pids: readonly number[], signal: SignalSender = sendSignal): void {
  for (const pid of pids) signal(pid, 'SIGCONT');
}

/** Injected dependencies and tuning; each defaults to the real thing. */
export interface DutyCyclerOptions {
  /** length of one stop/continue period (default 100 ms) */
  periodMs?: number;
  scheduler?: Scheduler;
  now?: () => number;
  signal?: SignalSender;
  readUsage?: UsageReader;
  clockTicks?: number;
  /** weight of the newest period in the demand estimate, 0 < w ≤ 1 (default 0.15) */
  smoothing?: number;
  /** smallest on-share of a period (default 0.01) */
  minOnShare?: number;
  /**
   * the smallest step of CPU time the readings show, ms (default: the process source's).
   * Readings coarser than half a second (procps prints whole seconds) cannot measure a
   * 100 ms period: the cycle then runs open loop, the limit's share of each period (as
   * if the agent's processes used one core), steered by the share they really ran.
   */
  cpuResolutionMs?: number;
}

/** What the cycler currently does to one agent. */
export interface ThrottleStatus {
  /** limit, percent of one core */
  limit: number;
  /** share of each period the processes run, 0..1 */
  onShare: number;
  /** estimated use while running, percent of one core; null before the first measurement */
  demand: number | null;
}

interface Throttle {
  pids: number[];
  limit: number;
  onShare: number;
  /** smoothed ticks used while running, and smoothed ms of running, per period */
  runTicks: number | null;
  runMs: number;
  last: Map<number, { ticks: number; starttime: number }>;
  periodStart: number;
  stoppedAt: number | null;
  stopped: boolean;
  timer: unknown;
  cleared: boolean;
  /** outer loop: ticks really used since `windowStart`, and the factor it applies to the on-share */
  windowTicks: number;
  windowStart: number;
  correction: number;
  /**
   * open loop: ms the processes ran since `windowStart`, and the demand measured over the
   * last window long enough for the readings' resolution (null before the first)
   */
  windowRanMs: number;
  openDemand: number | null;
}

/** How often the outer loop compares what the agent really got with its limit. */
const CORRECTION_WINDOW_MS = 1000;

/**
 * Open loop: the shortest window a demand is measured over, and the running time it needs
 * in readings' steps (CPU time read in whole seconds is at most one step short at each
 * end: a process that ran 2 s of it shows at least 1 s).
 */
const OPEN_WINDOW_MS = 5000;
const OPEN_WINDOW_STEPS = 2;

/** Holds throttled agents near their CPU limit by stopping and continuing their processes. */
export class DutyCycler {
  private readonly periodMs: number;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly signal: SignalSender;
  private readonly readUsage: UsageReader;
  private readonly ticksPerSecond: number;
  private readonly smoothing: number;
  private readonly minOnShare: number;
  private readonly openLoop: boolean;
  private readonly cpuResolutionMs: number;
  private readonly throttles = new Map<string, Throttle>();

  constructor(options: DutyCyclerOptions = {}) {
    this.periodMs = options.periodMs ?? 100;
    this.scheduler = options.scheduler ?? realScheduler;
    this.now = options.now ?? (() => performance.now());
    this.signal = options.signal ?? sendSignal;
    const source = processSource();
    this.readUsage = options.readUsage ?? ((pids) => source.usage(pids));
    this.ticksPerSecond = options.clockTicks ?? source.ticksPerSecond;
    this.cpuResolutionMs = options.cpuResolutionMs ?? (options.readUsage ? 10 : source.cpuResolutionMs);
    this.openLoop = this.cpuResolutionMs >= 500;
    this.smoothing = options.smoothing ?? 0.15;
    this.minOnShare = options.minOnShare ?? 0.01;
  }

  /**
   * Throttles an agent's `pids` to `limitPercent` of one core, or updates the pids and
   * limit of an agent already throttled. The supervisor calls it every pulse with the
   * agent's current pids.
   */
  set(agentId: string, pids: readonly number[], limitPercent: number): void {
    if (!(limitPercent > 0)) throw new RangeError(`CPU limit must be above 0%, got ${limitPercent}`);
    const existing = this.throttles.get(agentId);
    if (existing) {
      const next = new Set(pids);
      if (existing.stopped) resume(existing.pids.filter((pid) => !next.has(pid)), this.signal);
      existing.pids = [...pids];
      existing.limit = limitPercent / 100;
      return;
    }
    const t: Throttle = {
      pids: [...pids],
      limit: limitPercent / 100,
      onShare: Math.min(1, limitPercent / 100),
      runTicks: null,
      runMs: 0,
      last: this.readUsage(pids),
      periodStart: this.now(),
      stoppedAt: null,
      stopped: false,
      timer: null,
      cleared: false,
      windowTicks: 0,
      windowStart: this.now(),
      correction: 1,
      windowRanMs: 0,
      openDemand: null,
    };
    this.throttles.set(agentId, t);
    this.beginOn(t);
  }

  /** Stops throttling an agent and leaves all its processes continued. */
  clear(agentId: string): void {
    const t = this.throttles.get(agentId);
    if (!t) return;
    this.scheduler.clearTimeout(t.timer);
    t.cleared = true;
    this.throttles.delete(agentId);
    resume(t.pids, this.signal);
  }

  /** Clears every agent (all their processes continued). */
  stopAll(): void {
    for (const agentId of [...this.throttles.keys()]) this.clear(agentId);
  }

  /** The agents being throttled. */
  agents(): string[] {
    return [...this.throttles.keys()];
  }

  /** What the cycler is doing to an agent, or null if it is not throttled. */
  status(agentId: string): ThrottleStatus | null {
    const t = this.throttles.get(agentId);
    if (!t) return null;
    const demand = this.demand(t);
    return { limit: t.limit * 100, onShare: t.onShare, demand: demand === null ? null : demand * 100 };
  }

  /**
   * The outer loop: processes keep running a little after SIGSTOP and ticks come in 10 ms
   * steps, so the demand estimate alone overshoots low limits. Once a second the share it
   * sets is scaled by how far what the agent really got is from its limit (damped).
   */
  private correct(t: Throttle, ticks: number, now: number): void {
    t.windowTicks += ticks;
    const elapsed = now - t.windowStart;
    if (elapsed < CORRECTION_WINDOW_MS) return;
    const got = t.windowTicks / this.ticksPerSecond / (elapsed / 1000);
    // Only while holding the agent back: an agent under its limit teaches nothing.
    if (got > 0 && t.onShare < 1) {
      const step = Math.sqrt(Math.min(2, Math.max(0.5, t.limit / got)));
      t.correction = Math.min(2, Math.max(0.25, t.correction * step));
    }
    t.windowTicks = 0;
    t.windowStart = now;
  }

  /**
   * Share of a core the processes use while running. Open loop, measured over windows of
   * seconds; until the first is, assumed at the limit (they were throttled for reaching it).
   */
  private demand(t: Throttle): number | null {
    if (this.openLoop) return t.openDemand ?? t.limit;
    if (t.runTicks === null || t.runMs <= 0) return null;
    return t.runTicks / this.ticksPerSecond / (t.runMs / 1000);
  }

  /** Start of a period: measure the last one, decide the on-share, continue the processes. */
  private startPeriod(t: Throttle): void {
    if (t.cleared) return;
    const now = this.now();
    if (this.openLoop) {
      // Timers fire late on a busy machine: steer the share the processes really ran (wall time) to the limit.
      const periodMs = now - t.periodStart;
      const share = periodMs > 0 ? ((t.stoppedAt ?? now) - t.periodStart) / periodMs : 0;
      if (share > 0 && t.onShare < 1) t.correction = Math.min(2, Math.max(0.25, t.correction * Math.sqrt(Math.min(2, Math.max(0.5, t.limit / share)))));
      t.onShare = Math.min(1, Math.max(this.minOnShare, t.limit * t.correction));
      this.measureOpen(t, share * periodMs, now);
      t.periodStart = now;
      t.stoppedAt = null;
      this.beginOn(t);
      return;
    }
    const usage = this.readUsage(t.pids);
    let ticks = 0;
    for (const [pid, u] of usage) {
      const before = t.last.get(pid);
      if (before && before.starttime === u.starttime) ticks += Math.max(0, u.ticks - before.ticks);
    }
    const ranMs = (t.stoppedAt ?? now) - t.periodStart;
    if (ranMs > 0) {
      const w = this.smoothing;
      t.runTicks = t.runTicks === null ? ticks : (1 - w) * t.runTicks + w * ticks;
      t.runMs = t.runMs === 0 ? ranMs : (1 - w) * t.runMs + w * ranMs;
    }
    this.correct(t, ticks, now);
    const demand = this.demand(t);
    if (demand !== null) {
      t.onShare = demand > 0 ? Math.min(1, Math.max(this.minOnShare, (t.limit / demand) * t.correction)) : 1;
    }
    t.last = usage;
    t.periodStart = now;
    t.stoppedAt = null;
    this.beginOn(t);
  }

  /**
   * Open loop: what the processes would use if let run (whether they still want more than
   * their limit, docs/team-file.md, "CPU limits") is the CPU time they used over the time they ran, read
   * once a window holds enough running time for coarse readings to tell.
   */
  private measureOpen(t: Throttle, ranMs: number, now: number): void {
    t.windowRanMs += ranMs;
    if (now - t.windowStart < OPEN_WINDOW_MS || t.windowRanMs < OPEN_WINDOW_STEPS * this.cpuResolutionMs) return;
    const usage = this.readUsage(t.pids);
    let ticks = 0;
    for (const [pid, u] of usage) {
      const before = t.last.get(pid);
      if (before && before.starttime === u.starttime) ticks += Math.max(0, u.ticks - before.ticks);
    }
    t.openDemand = ticks / this.ticksPerSecond / (t.windowRanMs / 1000);
    t.last = usage;
    t.windowStart = now;
    t.windowRanMs = 0;
  }

  private beginOn(t: Throttle): void {
    if (t.stopped) {
      resume(t.pids, this.signal);
      t.stopped = false;
    }
    if (t.onShare >= 1) {
      t.timer = this.scheduler.setTimeout(() => this.startPeriod(t), this.periodMs);
      return;
    }
    t.timer = this.scheduler.setTimeout(() => this.beginOff(t), t.onShare * this.periodMs);
  }

  private beginOff(t: Throttle): void {
    if (t.cleared) return;
    pause(t.pids, this.signal);
    t.stopped = true;
    const now = this.now();
    t.stoppedAt = now;
    const rest = Math.max(0, t.periodStart + this.periodMs - now);
    t.timer = this.scheduler.setTimeout(() => this.startPeriod(t), rest);
  }
}
