/**
 * Per-pulse usage: one scan of the process table (/proc, or ps: process-source.ts) per `sample()` call, shared by every agent, turned into
 * CPU (from tick deltas against the previous reading of each process) and memory (sum of
 * RSS) per agent, for the machine, and for the supervisor itself. A call may measure only
 * some agents: each process's delta runs from the last time it was read, whenever that
 * was. Keeps a short history per agent.
 */
import { agentPids, indexTable, rootMembers, type TableIndex } from './membership.js';
import { processSource } from './process-source.js';
import type { MachineStat, ProcRow, ProcTable } from './proc-table.js';
import { RingBuffer } from './ring-buffer.js';

/** How to find an agent's processes: its pane pid and, when it has one, its cgroup's pids. */
export interface AgentRoot {
  pid: number;
  cgroupPids?: number[];
  /** the pane process's start time when it was proven the agent's (see RootRef): a pid given out again then counts for nothing */
  starttime?: number | null;
}

/** One agent's usage over the last interval. */
export interface AgentUsage {
  /** percent of one core */
  cpu: number;
  /** sum of RSS, bytes */
  memory: number;
  pids: number[];
}

/** The machine's usage over the last interval. */
export interface MachineUsage {
  /** percent of the whole machine (all cores = 100) */
  cpu: number;
  cpus: number;
  memory: { used: number; total: number };
}

/** The supervisor's own cost. */
export interface SelfUsage {
  /** percent of one core */
  cpu: number;
  /** RSS bytes */
  memory: number;
}

/** Everything one pulse measured. `table` and `index` are shared for other uses of the same scan. */
export interface Sample {
  atMs: number;
  table: ProcTable;
  index: TableIndex;
  agents: Map<string, AgentUsage>;
  machine: MachineUsage;
  self: SelfUsage;
}

/** The last samples of one agent, oldest first. */
export interface AgentHistory {
  cpu: number[];
  memory: number[];
}

/** Injected dependencies; each defaults to the real machine. */
export interface SamplerOptions {
  readTable?: () => ProcTable;
  /** reads just these pids (for `scope: 'members'`) */
  readRows?: (pids: Iterable<number>) => ProcTable;
  readMachine?: () => MachineStat;
  clockTicks?: number;
  selfPid?: number;
  /** samples kept per agent (default 30) */
  historySize?: number;
}

/** The last reading of one process, and when it was taken. */
interface Reading {
  ticks: number;
  starttime: number;
  atMs: number;
}

/** Readings older than this are dropped (their processes were not asked about since). */
const READING_TTL_MS = 10 * 60_000;

/**
 * Percent of one core a process used since its previous reading; 0 for a process not
 * read before (or a new process under a reused pid): no spike.
 */
export function cpuSince(row: ProcRow, before: Reading | undefined, nowMs: number, ticksPerSecond: number): number {
  if (!before || before.starttime !== row.starttime || nowMs <= before.atMs) return 0;
  const seconds = (nowMs - before.atMs) / 1000;
  return (Math.max(0, row.ticks - before.ticks) / ticksPerSecond / seconds) * 100;
}

/** Samples agents' CPU and memory from one process table per call. */
export class Sampler {
  private readonly readTable: () => ProcTable;
  private readonly readRows: (pids: Iterable<number>) => ProcTable;
  private readonly readMachine: () => MachineStat;
  private readonly ticksPerSecond: number;
  private readonly selfPid: number;
  private readonly historySize: number;
  private readonly readings = new Map<number, Reading>();
  private previousMachine: MachineStat | null = null;
  private lastPruneMs = 0;
  private readonly histories = new Map<string, { cpu: RingBuffer<number>; memory: RingBuffer<number> }>();

  constructor(options: SamplerOptions = {}) {
    // the machine's process table from the source in force: /proc, or ps (process-source.ts)
    const source = processSource();
    this.readTable = options.readTable ?? (() => source.table());
    this.readRows = options.readRows ?? ((pids) => source.rows(pids));
    this.readMachine = options.readMachine ?? (() => source.machine());
    this.ticksPerSecond = options.clockTicks ?? source.ticksPerSecond;
    this.selfPid = options.selfPid ?? process.pid;
    this.historySize = options.historySize ?? 30;
  }

  /**
   * Measures every agent in `roots` (by agent id) at time `nowMs` from one table: a scan of
   * the whole machine, or (`scope: 'members'`, when every agent's cgroup lists all its
   * processes) just the listed pids, which costs a read per agent process instead of one
   * per process of the machine.
   */
  sample(roots: ReadonlyMap<string, AgentRoot>, nowMs: number, options: { scope?: 'machine' | 'members' } = {}): Sample {
    // A pulse that measures no agent reads only the supervisor's own row (a ps run saved on the ps path).
    const scope = roots.size === 0 ? 'members' : options.scope;
    const table = scope === 'members' ? this.readRows(listedPids(roots, this.selfPid)) : this.readTable();
    const machineStat = this.readMachine();
    const index = indexTable(table);
    const cpuOf = (row: ProcRow): number => cpuSince(row, this.readings.get(row.pid), nowMs, this.ticksPerSecond);

    const agents = new Map<string, AgentUsage>();
    for (const [agentId, root] of roots) {
      const pids =
        root.starttime === undefined
          ? agentPids(index, root.pid, root.cgroupPids)
          : rootMembers(index, { pid: root.pid, starttime: root.starttime }, root.cgroupPids);
      let cpu = 0;
      let memory = 0;
      for (const pid of pids) {
        const row = table.get(pid);
        if (!row) continue;
        cpu += cpuOf(row);
        memory += row.rss;
      }
      const usage: AgentUsage = { cpu, memory, pids };
      agents.set(agentId, usage);
      this.record(agentId, usage);
    }

    const selfRow = table.get(this.selfPid);
    const self: SelfUsage = { cpu: selfRow ? cpuOf(selfRow) : 0, memory: selfRow?.rss ?? 0 };

    const machine: MachineUsage = {
      cpu: machineCpu(this.previousMachine ?? undefined, machineStat),
      cpus: machineStat.cpus,
      memory: { used: Math.max(0, machineStat.memTotal - machineStat.memAvailable), total: machineStat.memTotal },
    };

    for (const row of table.values()) this.readings.set(row.pid, { ticks: row.ticks, starttime: row.starttime, atMs: nowMs });
    this.prune(nowMs);
    this.previousMachine = machineStat;
    return { atMs: nowMs, table, index, agents, machine, self };
  }

  /** The last samples of an agent (oldest first); empty if it was never sampled. */
  history(agentId: string): AgentHistory {
    const h = this.histories.get(agentId);
    return { cpu: h?.cpu.toArray() ?? [], memory: h?.memory.toArray() ?? [] };
  }

  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < READING_TTL_MS) return;
    this.lastPruneMs = nowMs;
    for (const [pid, r] of this.readings) if (nowMs - r.atMs > READING_TTL_MS) this.readings.delete(pid);
  }

  private record(agentId: string, usage: AgentUsage): void {
    let h = this.histories.get(agentId);
    if (!h) {
      h = { cpu: new RingBuffer<number>(this.historySize), memory: new RingBuffer<number>(this.historySize) };
      this.histories.set(agentId, h);
    }
    h.cpu.push(usage.cpu);
    h.memory.push(usage.memory);
  }
}

function listedPids(roots: ReadonlyMap<string, AgentRoot>, selfPid: number): Set<number> {
  const pids = new Set<number>([selfPid]);
  for (const root of roots.values()) {
    pids.add(root.pid);
    for (const pid of root.cgroupPids ?? []) pids.add(pid);
  }
  return pids;
}

/** Busy share of all cores between two `/proc/stat` readings, in percent (0 without a previous one). */
export function machineCpu(before: MachineStat | undefined, after: MachineStat): number {
  if (!before) return 0;
  const total = after.totalJiffies - before.totalJiffies;
  const idle = after.idleJiffies - before.idleJiffies;
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, ((total - idle) / total) * 100));
}
