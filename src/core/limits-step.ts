/**
 * One pulse's measurements applied to the crew (README, "Limits"; docs/project-file.md,
 * "ceiling"): each running agent's memory and CPU judged against its limits, then the machine
 * against the ceiling. The judgements are limits-policy's; this module turns them into state,
 * effects and events through the step's transaction.
 */
import type { AgentSpec, CeilingSpec } from '../config/types.js';
import type { AgentRuntime, AgentStatus, CrewState } from './agent-state.js';
import type { CrewEffect, NotifyLevel } from './crew-events.js';
import { judgePressure, judgeUsage, type Usage } from './limits-policy.js';
import type { MachineLoad } from './scheduler.js';
import { unreachable } from './exhaustive.js';
import { mib, pct } from './wording.js';

export interface LimitsTx {
  readonly now: number;
  pressure: CrewState['pressure'];
  get(id: string): AgentRuntime | undefined;
  /** every agent, for the ceiling's choice of whom to pause */
  all(): Readonly<Record<string, AgentRuntime>>;
  update(id: string, patch: Partial<AgentRuntime> & { status?: AgentStatus }): void;
  effect(e: CrewEffect): void;
  notify(level: NotifyLevel, agent: string | null, kind: string, message: string): void;
  /** kills the attempt at once and restarts it per policy, or stops it as failed */
  endForMemory(id: string, action: 'restart' | 'stop', figure: string): void;
}

export interface LimitsContext {
  specs: readonly AgentSpec[];
  ceiling: CeilingSpec;
  machine: MachineLoad | null;
}

export function applyLimits(tx: LimitsTx, ctx: LimitsContext, usage: Readonly<Record<string, Usage>>): void {
  for (const spec of ctx.specs) {
    const rt = tx.get(spec.id);
    const u = usage[spec.id];
    if (!rt || !u || (rt.status.state !== 'running' && rt.status.state !== 'throttled')) continue;
    judgeAgent(tx, spec, rt, u);
  }
  judgeMachine(tx, ctx, usage);
}

function judgeAgent(tx: LimitsTx, spec: AgentSpec, rt: AgentRuntime, u: Usage): void {
  const { decision, counters } = judgeUsage(spec, rt, u);
  tx.update(spec.id, counters);
  switch (decision.kind) {
    case 'memory':
      return tx.endForMemory(spec.id, decision.action, `memory ${mib(decision.memory)} over its ${mib(decision.limit)} limit on 2 pulses`);
    case 'throttle':
      tx.update(spec.id, { status: { state: 'throttled', since: tx.now } });
      tx.effect({ type: 'throttle', agent: spec.id, cpu: decision.limit, refresh: false });
      tx.notify('warn', spec.id, 'throttled', `cpu ${pct(decision.cpu)} at its ${pct(decision.limit)} limit: throttled`);
      return;
    case 'unthrottle':
      tx.update(spec.id, { status: { state: 'running', since: tx.now } });
      tx.effect({ type: 'unthrottle', agent: spec.id });
      tx.notify('info', spec.id, 'unthrottled', `cpu ${pct(decision.cpu)}, well under its ${pct(decision.limit)} limit: no longer throttled`);
      return;
    case 'none':
      // Held already: this pulse's processes (children born since) are held too.
      if (rt.status.state === 'throttled' && spec.limits.cpu !== null) {
        tx.effect({ type: 'throttle', agent: spec.id, cpu: spec.limits.cpu, refresh: true });
      }
      return;
    default:
      return unreachable(decision);
  }
}

function judgeMachine(tx: LimitsTx, ctx: LimitsContext, usage: Readonly<Record<string, Usage>>): void {
  const judged = judgePressure(tx.pressure, ctx.ceiling, ctx.machine, ctx.specs, tx.all(), usage);
  tx.pressure = judged.pressure;
  const load = ctx.machine ? `machine cpu ${pct(ctx.machine.cpu)}, memory ${pct(ctx.machine.memory)}` : '';
  const decision = judged.decision;
  if (decision.kind === 'pause') {
    const rt = tx.get(decision.agent);
    if (rt?.status.state === 'throttled') tx.effect({ type: 'unthrottle', agent: decision.agent });
    tx.update(decision.agent, { status: { state: 'paused', since: tx.now, by: 'ceiling' } });
    tx.effect({ type: 'freeze', agent: decision.agent });
    tx.notify('warn', decision.agent, 'ceiling-paused', `${load} above the ceiling for 3 pulses: paused (lowest priority first)`);
  } else if (decision.kind === 'resume') {
    tx.update(decision.agent, { status: { state: 'running', since: tx.now } });
    tx.effect({ type: 'thaw', agent: decision.agent });
    tx.notify('info', decision.agent, 'ceiling-resumed', `${load} below the ceiling for 3 pulses: resumed`);
  }
}
