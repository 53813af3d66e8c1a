/**
 * What the ledger's snapshot (`.muster/state.json`) holds, and the one way to read it back:
 * the crew through the core's `fromLedger`, which checks the format and every field. A
 * ledger muster cannot read is refused with one line that names the file and what to do,
 * and a copy of it is kept; nothing starts on a guess.
 */
import type { AgentSpec } from '../config/types.js';
import type { CrewState } from '../core/agent-state.js';
import { CREW_FORMAT, fromLedger } from '../core/crew-state.js';
import { MusterError } from '../errors.js';
import type { CrewNotice } from './control/contract.js';

export interface SavedState {
  version: typeof CREW_FORMAT;
  savedAt: string;
  crew: CrewState;
  /** the last inbox records taken (a record is deleted only after this is saved) */
  inboxTaken: string[];
  /**
   * The event lines of the step this state came from, and the `seq` the first of them
   * gets: the snapshot is written before the lines are appended, so a crash between the
   * two is mended at the next start by appending what the log lacks.
   */
  journal: Journal;
}

export interface Journal {
  fromSeq: number;
  notices: CrewNotice[];
}

/** What reading the ledger needs of it. */
export interface SnapshotSource {
  readonly snapshotFile: string;
  /** the parsed snapshot, or null when none was saved; throws when it is not JSON */
  loadSnapshot<T>(): T | null;
  keepSnapshotCopy(now: number): string;
}

export interface LoadedLedger {
  crew: CrewState;
  inboxTaken: string[];
  journal: Journal | null;
}

/** The ledger's snapshot could not be read: nothing was started. */
export class LedgerError extends MusterError {
  constructor(file: string, problem: string, copy: string | null) {
    super(`${file} ${problem}`, {
      exitCode: 2,
      hint:
        `${copy ? `A copy is kept at ${copy}. ` : ''}Move ${file} away and run muster again: ` +
        'agents still running in tmux are picked up as they are, their counters and handoffs start afresh.',
    });
  }
}

/** The saved crew, for the agents configured now; null when nothing was ever saved. Throws `LedgerError`. */
export function loadLedger(source: SnapshotSource, specs: readonly AgentSpec[], now: number): LoadedLedger | null {
  let saved: Partial<Record<keyof SavedState, unknown>> | null;
  try {
    saved = source.loadSnapshot<Partial<Record<keyof SavedState, unknown>>>();
  } catch {
    throw refuse(source, 'is not valid JSON', now);
  }
  if (saved === null) return null;
  if (typeof saved !== 'object' || Array.isArray(saved)) throw refuse(source, 'is not a JSON object', now);
  const read = fromLedger(specs, saved.version, saved.crew);
  if (!read.ok) throw refuse(source, read.problem, now);
  const taken = saved.inboxTaken ?? [];
  if (!Array.isArray(taken) || !taken.every((t) => typeof t === 'string')) throw refuse(source, 'has a bad "inboxTaken" list', now);
  return { crew: read.crew, inboxTaken: taken, journal: journalOf(saved.journal) };
}

function journalOf(value: unknown): Journal | null {
  if (typeof value !== 'object' || value === null) return null;
  const j = value as Partial<Journal>;
  return typeof j.fromSeq === 'number' && Array.isArray(j.notices) ? { fromSeq: j.fromSeq, notices: j.notices } : null;
}

function refuse(source: SnapshotSource, problem: string, now: number): LedgerError {
  let copy: string | null = null;
  try {
    copy = source.keepSnapshotCopy(now);
  } catch {
    // no copy (the folder is read-only): the file itself stays where it is
  }
  return new LedgerError(source.snapshotFile, problem, copy);
}
