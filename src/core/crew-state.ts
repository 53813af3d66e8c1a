/**
 * The one owner of the crew's shape: `newCrew` makes a crew with every part, `fromLedger`
 * reads one back from what the ledger saved (checking the format version and every field,
 * and filling what a newer team file adds). Nothing else builds a `CrewState`; the core's
 * steps and `reconcile` only transform one. Pure.
 */
import type { AgentSpec } from '../config/types.js';
import { freshRuntime, type AgentRuntime, type AgentStatus, type CrewState, type Handoff, type OutboxItem } from './agent-state.js';

/**
 * The format of the crew in the ledger. 1: before handoffs were kept whole; 2: before the
 * agent CLIs' sessions and hook reports were kept (both read and upgraded).
 */
export const CREW_FORMAT = 3;

type Format = 1 | 2 | 3;

/** A crew with an entry for every configured agent, nothing run yet. */
export function newCrew(specs: readonly AgentSpec[]): CrewState {
  const agents: Record<string, AgentRuntime> = {};
  for (const spec of specs) agents[spec.id] = freshRuntime(spec.id);
  return { agents, pressure: { over: 0, under: 0 }, handoffs: [] };
}

export type LedgerRead = { ok: true; crew: CrewState } | { ok: false; problem: string };

/**
 * The crew a ledger saved (`version` is the ledger's format), for the agents configured
 * now: saved agents keep their state, new ones start fresh, removed ones are dropped. A
 * ledger of another format, or with a field of the wrong kind, is refused with what is
 * wrong; nothing is guessed.
 */
export function fromLedger(specs: readonly AgentSpec[], version: unknown, saved: unknown): LedgerRead {
  if (version !== CREW_FORMAT && version !== 1 && version !== 2) {
    return {
      ok: false,
      problem:
        typeof version === 'number'
          ? `was written in ledger format ${version}; this muster reads format ${CREW_FORMAT}`
          : 'has no ledger format version',
    };
  }
  try {
    const crew = readCrew(saved, version as Format);
    const agents: Record<string, AgentRuntime> = {};
    for (const spec of specs) agents[spec.id] = crew.agents[spec.id] ?? freshRuntime(spec.id);
    return { ok: true, crew: { ...crew, agents } };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, problem: `does not hold a crew this muster can read: ${err.message}` };
    throw err;
  }
}

/** Has `from` handed off to `to` (which releases `to`'s `after` on `from`)? */
export function handedOff(crew: CrewState, from: string, to: string): boolean {
  return crew.handoffs.some((h) => h.from === from && h.to === to);
}

class ShapeError extends Error {}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const orNull =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const oneOf =
  (...values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const nums: Check = (v) => Array.isArray(v) && v.every(num);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const FAIL_REASONS = ['exit', 'circuit', 'timeout', 'memory', 'pids', 'checkin', 'launch', 'lost'] as const;
const STOP_REASONS = ['user', 'memory', 'checkin', 'down', 'budget'] as const;
const tokenCounts: Check = (v) => isRecord(v) && num(v.input) && num(v.output) && num(v.cacheWrite) && num(v.cacheRead);
const budgetWindow: Check = (v) =>
  isRecord(v) && num(v.start) && tokenCounts(v.baseTokens) && orNull(num)(v.baseCost) && orNull(str)(v.reached);

/** The fields each lifecycle state carries besides `state`. */
const STATUS_FIELDS: Record<AgentStatus['state'], Record<string, Check>> = {
  pending: { reason: oneOf('after', 'max_parallel', 'ceiling', 'uses') },
  starting: { since: num },
  running: { since: num },
  throttled: { since: num },
  paused: { since: num, by: oneOf('user', 'ceiling', 'budget') },
  backoff: { until: num, reason: oneOf(...FAIL_REASONS) },
  stopping: { since: num, reason: oneOf(...STOP_REASONS) },
  stopped: { at: num, reason: oneOf(...STOP_REASONS), survivors: nums },
  done: { at: num },
  failed: { at: num, reason: oneOf(...FAIL_REASONS) },
};

/** Every field of an agent's runtime but `id`, `status` and `outbox` (checked on their own). */
const RUNTIME_FIELDS: Record<Exclude<keyof AgentRuntime, 'id' | 'status' | 'outbox'>, Check> = {
  pane: orNull(str),
  pid: orNull(num),
  attempt: num,
  restarts: num,
  restartTimes: nums,
  retriesUsed: num,
  exitCode: orNull(num),
  startedAt: orNull(num),
  endedAt: orNull(num),
  doneMessage: orNull(str),
  lastCheckin: orNull(num),
  checkinMessage: orNull(str),
  memoryOver: num,
  cpuCalm: num,
  activity: orNull(oneOf('busy', 'idle', 'waiting')),
  activityReason: orNull(str),
  waitingLine: orNull(str),
  lastBusyAt: orNull(num),
  busyMs: num,
  typing: orNull(str),
  typedAt: orNull(num),
  readyAt: orNull(num),
  notReadyNotified: bool,
  overdueSince: orNull(num),
  lastNudgeAt: orNull(num),
  escalated: bool,
  lastCommitNudgeAt: orNull(num),
  stallNotified: bool,
  session: orNull(str),
  resumeNext: bool,
  resumed: orNull(str),
  hookActivity: orNull(oneOf('busy', 'idle', 'waiting')),
  hookAt: orNull(num),
  screenActivity: orNull(oneOf('busy', 'idle', 'waiting')),
  screenSince: orNull(num),
  shown: bool,
  budget: orNull(budgetWindow),
};

const HANDOFF_FIELDS: Record<Exclude<keyof Handoff, 'branch' | 'commit'>, Check> = {
  id: str,
  from: str,
  to: str,
  message: str,
  file: orNull(str),
  state: oneOf('pending', 'delivered'),
  created: num,
  delivered: orNull(num),
};
/** a handoff from an agent with a worktree: its branch and head (docs/worktrees.md) */
const HANDOFF_BRANCH_FIELDS: Record<'branch' | 'commit', Check> = { branch: orNull(str), commit: orNull(str) };

function checkFields(where: string, value: Record<string, unknown>, fields: Record<string, Check>, required: boolean): void {
  for (const [key, check] of Object.entries(fields)) {
    if (!(key in value)) {
      if (required) throw new ShapeError(`${where} has no "${key}"`);
      continue;
    }
    if (!check(value[key])) throw new ShapeError(`${where}.${key} is ${JSON.stringify(value[key])}`);
  }
}

function readCrew(saved: unknown, version: Format): CrewState {
  if (!isRecord(saved)) throw new ShapeError('"crew" is not an object');
  if (!isRecord(saved.agents)) throw new ShapeError('"crew.agents" is not an object');
  const agents: Record<string, AgentRuntime> = {};
  for (const [id, value] of Object.entries(saved.agents)) agents[id] = readAgent(id, value, version);
  const handoffs = readHandoffs(saved.handoffs, version);
  if (version === 1) handoffs.push(...handoffsOfV1(saved.agents, handoffs));
  const pressure = saved.pressure ?? (version === 1 ? { over: 0, under: 0 } : undefined);
  if (!isRecord(pressure) || !num(pressure.over) || !num(pressure.under)) throw new ShapeError('"crew.pressure" is not { over, under }');
  return { agents, pressure: { over: pressure.over as number, under: pressure.under as number }, handoffs };
}

function readAgent(id: string, value: unknown, version: Format): AgentRuntime {
  const where = `crew.agents["${id}"]`;
  if (!isRecord(value)) throw new ShapeError(`${where} is not an object`);
  const status = value.status;
  if (!isRecord(status) || typeof status.state !== 'string' || !(status.state in STATUS_FIELDS)) {
    throw new ShapeError(`${where}.status is ${JSON.stringify(status)}`);
  }
  // format 1 knew no survivors of a stop
  if (version === 1 && status.state === 'stopped' && !('survivors' in status)) status.survivors = [];
  checkFields(`${where}.status`, status, STATUS_FIELDS[status.state as AgentStatus['state']], true);
  // Fields a later muster added within this format start as a fresh agent has them.
  checkFields(where, value, RUNTIME_FIELDS, false);
  const fresh = freshRuntime(id);
  const rt = { ...fresh } as Record<string, unknown>;
  for (const key of Object.keys(RUNTIME_FIELDS)) if (key in value) rt[key] = value[key];
  return {
    ...(rt as unknown as AgentRuntime),
    id,
    status: status as unknown as AgentStatus,
    outbox: readOutbox(`${where}.outbox`, value.outbox ?? [], version),
  };
}

function readOutbox(where: string, value: unknown, version: Format): OutboxItem[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not a list`);
  return value.map((item, i): OutboxItem => {
    const at = `${where}[${i}]`;
    if (!isRecord(item)) throw new ShapeError(`${at} is not an object`);
    checkFields(at, item, { id: str, force: bool, tries: num, kind: oneOf('prompt', 'nudge', 'commit', 'message', 'handoff') }, true);
    checkFields(at, item, { left: (v) => v === true }, false);
    const base = { id: item.id as string, force: item.force as boolean, tries: item.tries as number, ...(item.left === true ? { left: true as const } : {}) };
    if (item.kind === 'handoff') {
      // format 1 named the handoff in `ref`
      const handoff = version === 1 ? item.ref : item.handoff;
      if (!str(handoff)) throw new ShapeError(`${at} names no handoff`);
      return { ...base, kind: 'handoff', handoff: handoff as string };
    }
    checkFields(at, item, { text: str }, true);
    return { ...base, kind: item.kind as 'prompt' | 'nudge' | 'commit' | 'message', text: item.text as string };
  });
}

function readHandoffs(value: unknown, version: Format): Handoff[] {
  if (value === undefined && version === 1) return [];
  if (!Array.isArray(value)) throw new ShapeError('"crew.handoffs" is not a list');
  return value.map((h, i) => {
    if (!isRecord(h)) throw new ShapeError(`crew.handoffs[${i}] is not an object`);
    checkFields(`crew.handoffs[${i}]`, h, HANDOFF_FIELDS, true);
    checkFields(`crew.handoffs[${i}]`, h, HANDOFF_BRANCH_FIELDS, false);
    return { ...(h as unknown as Handoff) };
  });
}

/**
 * Format 1 kept who handed off to whom on the sender (`handedOffTo`) and could lose the
 * handoffs themselves; a pair with no handoff left becomes a delivered one, so that the
 * dependant it released stays released.
 */
function handoffsOfV1(agents: Record<string, unknown>, known: readonly Handoff[]): Handoff[] {
  const made: Handoff[] = [];
  for (const [from, value] of Object.entries(agents)) {
    const to = isRecord(value) && Array.isArray(value.handedOffTo) ? value.handedOffTo : [];
    for (const target of to) {
      if (typeof target !== 'string' || known.some((h) => h.from === from && h.to === target)) continue;
      made.push({ id: `v1-${from}-${target}`, from, to: target, message: '(handed off before this ledger was upgraded)', file: null, state: 'delivered', created: 0, delivered: null });
    }
  }
  return made;
}
