/**
 * The mechanisms behind limits, chosen once at start: a cgroup per agent where the
 * machine allows it (CPU quota, memory backstop, membership, freeze, kill), and
 * stop/continue duty cycling and signals where it does not. The core decides *when* to
 * throttle, pause or end an agent; this module knows *how*.
 */
import type { AgentSpec } from '../config/types.js';
import type { CgroupDriver, CgroupHandle } from './cgroups.js';
import { DutyCycler, pause as sigstop, resume as sigcont } from './duty-cycle.js';

export class LimitsRuntime {
  private readonly handles = new Map<string, CgroupHandle>();
  /** the group's OOM-kill count when the current attempt was launched */
  private readonly oomBaseline = new Map<string, number>();
  /** the group's count of forks refused by its pids limit when the current attempt was launched; its limit */
  private readonly pidsBaseline = new Map<string, number>();
  private readonly pidsLimit = new Map<string, number | null>();
  /** agents whose reaching the pids limit this attempt has been reported */
  private readonly pidsReported = new Set<string>();
  private readonly cycler: DutyCycler;

  constructor(
    private readonly driver: CgroupDriver,
    cycler?: DutyCycler,
  ) {
    this.cycler = cycler ?? new DutyCycler();
  }

  /** What `muster status` shows as the mechanism in force. */
  describe(): string {
    if (this.driver.kind === 'none') return this.driver.describe();
    const cpu = this.driver.controls.cpu ? 'cpu quota' : 'cpu by duty cycling';
    const memory = this.driver.controls.memory ? 'memory limit' : 'memory by sampling';
    const pids = this.driver.controls.pids ? ', pids limit' : '';
    return `${this.driver.describe()}; ${cpu}, ${memory}${pids}`;
  }

  /** Creates (or reopens) the agent's group; returns the shell prelude that joins it. */
  async prepare(spec: AgentSpec): Promise<string> {
    const limits = {
      cpu: this.driver.controls.cpu && spec.limits.onCpu === 'throttle' ? spec.limits.cpu : null,
      memory: spec.limits.onMemory === 'none' ? null : spec.limits.memory,
      pids: this.driver.controls.pids ? spec.limits.pids : null,
    };
    const handle = this.handles.get(spec.id) ?? (await this.driver.create(spec.id, limits));
    if (!handle) return '';
    this.handles.set(spec.id, handle);
    this.oomBaseline.set(spec.id, handle.oomKills());
    this.pidsBaseline.set(spec.id, handle.pidsRefused());
    this.pidsLimit.set(spec.id, limits.pids);
    this.pidsReported.delete(spec.id);
    return handle.joinScript();
  }

  /** Did the kernel kill one of the agent's processes for its memory limit since it was launched? */
  oomKilled(agentId: string): boolean {
    const handle = this.handles.get(agentId);
    return handle !== undefined && handle.oomKills() > (this.oomBaseline.get(agentId) ?? 0);
  }

  /** Are `limits.pids` enforced here (the cgroup pids controller)? */
  get enforcesPids(): boolean {
    return this.driver.controls.pids;
  }

  /** Has the agent's pids limit refused a fork since it was launched (it hit its process limit)? */
  pidsLimited(agentId: string): boolean {
    const handle = this.handles.get(agentId);
    return handle !== undefined && handle.pidsRefused() > (this.pidsBaseline.get(agentId) ?? 0);
  }

  /**
   * Agents that reached their pids limit since they were launched and were not reported yet
   * (one read of `pids.events` per such agent), each with the line for the event.
   */
  newPidsLimits(): Array<{ agentId: string; message: string }> {
    if (!this.driver.controls.pids) return [];
    const out: Array<{ agentId: string; message: string }> = [];
    for (const agentId of this.handles.keys()) {
      if (this.pidsReported.has(agentId) || !this.pidsLimited(agentId)) continue;
      this.pidsReported.add(agentId);
      const limit = this.pidsLimit.get(agentId) ?? '?';
      out.push({ agentId, message: `reached its process limit (${limit} processes): new processes are refused` });
    }
    return out;
  }

  /** Does the agent's cgroup enforce its memory limit (the kernel acts, no sampling needed)? */
  kernelMemory(agentId: string): boolean {
    return this.handles.has(agentId) && this.driver.controls.memory;
  }

  /** Do stop/continue signals enforce anything (no cgroup CPU quota or freezer)? */
  get usesSignals(): boolean {
    return !(this.driver.controls.cpu && this.driver.controls.freeze);
  }

  /** True when every agent gets a group whose member list is complete (no machine-wide scan needed). */
  get groupsListMembers(): boolean {
    return this.driver.kind !== 'none';
  }

  /** Members of the agent's group (empty without one). */
  groupPids(agentId: string): number[] {
    return this.handles.get(agentId)?.pids() ?? [];
  }

  /** The CPU the agent would use if let run, while duty cycling holds it (else null). */
  demand(agentId: string): number | null {
    return this.cycler.status(agentId)?.demand ?? null;
  }

  /** Holds the agent at `cpu` percent; a no-op where its group has a CPU quota. Call every pulse with fresh pids. */
  throttle(agentId: string, pids: readonly number[], cpu: number): void {
    if (this.handles.has(agentId) && this.driver.controls.cpu) return;
    if (pids.length > 0) this.cycler.set(agentId, pids, cpu);
  }

  unthrottle(agentId: string): void {
    this.cycler.clear(agentId);
  }

  async freeze(agentId: string, pids: readonly number[]): Promise<void> {
    this.cycler.clear(agentId);
    const handle = this.handles.get(agentId);
    if (handle && this.driver.controls.freeze) await handle.freeze();
    else sigstop(pids);
  }

  async thaw(agentId: string, pids: readonly number[]): Promise<void> {
    const handle = this.handles.get(agentId);
    if (handle && this.driver.controls.freeze) await handle.thaw();
    sigcont(pids); // also continues anything a dead supervisor left stopped mid-cycle
  }

  /** The agent is gone: stop cycling it and remove its group. */
  async release(agentId: string): Promise<void> {
    this.cycler.clear(agentId);
    const handle = this.handles.get(agentId);
    if (!handle) return;
    this.handles.delete(agentId);
    await handle.remove();
  }

  hasGroup(agentId: string): boolean {
    return this.handles.has(agentId);
  }

  /** The crew is gone (`muster down`): every group of it removed, the crew's own folder too. */
  async removeAll(): Promise<void> {
    this.cycler.stopAll();
    this.handles.clear();
    await this.driver.removeAll();
  }

  /** Supervisor shutdown: processes continue, groups stay (the agents keep running). */
  detach(): void {
    this.cycler.stopAll();
  }
}
