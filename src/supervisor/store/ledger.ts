/**
 * The supervisor's durable state in its state folder (`.muster/`): the latest
 * snapshot (`state.json`, replaced atomically) and the event log
 * (`events.jsonl`). Synchronous by design: when a call returns, what it wrote
 * survives a `kill -9` or a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../../sys/atomic-file.js';
import { EventLog, readEventLog, type EventLogOptions, type LoggedRecord } from './event-log.js';

export const SNAPSHOT_FILE = 'state.json';
export const EVENTS_FILE = 'events.jsonl';

export class Ledger {
  readonly stateDir: string;
  readonly snapshotFile: string;
  readonly eventsFile: string;
  private readonly logOptions: EventLogOptions;
  private log: EventLog | null = null;
  private cleaned = false;

  /** `stateDir` is the state folder itself (e.g. `<project>/.muster`). Nothing is opened until needed. */
  constructor(stateDir: string, options: EventLogOptions = {}) {
    this.stateDir = path.resolve(stateDir);
    this.snapshotFile = path.join(this.stateDir, SNAPSHOT_FILE);
    this.eventsFile = path.join(this.stateDir, EVENTS_FILE);
    this.logOptions = options;
  }

  /** The last saved snapshot, or null when none was ever saved. */
  loadSnapshot<T>(): T | null {
    return readJsonFile<T>(this.snapshotFile);
  }

  /**
   * Keeps a copy of the snapshot as it is now beside it (`state.json.bad-<time>`), before
   * anyone moves it away; returns the copy's path.
   */
  keepSnapshotCopy(now: number): string {
    const copy = `${this.snapshotFile}.bad-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(this.snapshotFile, copy);
    return copy;
  }

  /** Replaces the snapshot atomically: after a crash it is the old one or the new one, never torn. */
  saveSnapshot(state: unknown): void {
    if (!this.cleaned) {
      fs.mkdirSync(this.stateDir, { recursive: true });
      removeStaleTempFiles(this.snapshotFile);
      this.cleaned = true;
    }
    writeFileAtomic(this.snapshotFile, `${JSON.stringify(state)}\n`);
  }

  /** Appends events durably (one write, fsynced); returns them with their `seq`. Opens the log for writing. */
  appendEvents<T extends object>(events: readonly T[]): Array<LoggedRecord<T>> {
    this.log ??= EventLog.open(this.eventsFile, this.logOptions);
    return this.log.append(events);
  }

  /** The `seq` of the last event in the log (0 when empty). Opens the log for writing. */
  lastSeq(): number {
    this.log ??= EventLog.open(this.eventsFile, this.logOptions);
    return this.log.lastSeq;
  }

  /** Events with `seq` greater than `sinceSeq` (all of them by default). Does not open the log for writing. */
  readEvents(sinceSeq = 0): LoggedRecord[] {
    return readEventLog(this.eventsFile).filter((r) => r.seq > sinceSeq);
  }

  /** Closes the event log if it was opened. */
  close(): void {
    this.log?.close();
    this.log = null;
  }
}
