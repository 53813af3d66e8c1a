/**
 * The supervisor's durable state in its state folder (`.muster/`): the latest
 * snapshot (`state.json`, replaced atomically) and the event log
 * (`events.jsonl`). Synchronous by design: when a call returns, what it wrote
 * survives a `kill -9` or a crash.
 *
 * A full disk does not stop the supervisor (docs/reliability.md): a snapshot
 * that cannot be written is kept as the one to write, event lines that cannot be
 * appended are kept in order (with the `seq` they will get), the ledger reports
 * itself `diskFull` and tries again every `retryMs` (and at every save) until
 * both are written, then reports that space is back. Nothing is half-written
 * meanwhile: the files on disk stay as they were.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDiskFull, makePrivateDir, PRIVATE_FILE_MODE, readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../../sys/atomic-file.js';
import { EventLog, readEventLog, type EventLogOptions, type LoggedRecord } from './event-log.js';

export const SNAPSHOT_FILE = 'state.json';
export const EVENTS_FILE = 'events.jsonl';

/** Event lines kept in memory while the disk is full; later ones are counted, not kept. */
const MAX_QUEUED = 10_000;

/** Whether the ledger is behind the disk. */
export interface LedgerHealth {
  diskFull: boolean;
  /** when the first write failed (ms since the epoch), while full */
  since: number | null;
  /** the file that could not be written last */
  file: string | null;
  /** event lines waiting to be written, and whether a snapshot is */
  pendingEvents: number;
  pendingSnapshot: boolean;
  /** event lines dropped because too many were waiting */
  droppedEvents: number;
}

export interface LedgerOptions extends EventLogOptions {
  /** how often to try again while the disk is full (default 2000 ms) */
  retryMs?: number;
  now?: () => number;
}

/** What a save did: written, or kept to be written once the disk has room. */
export type SaveResult = { ok: true } | { ok: false; reason: 'disk-full'; file: string };

export class Ledger {
  readonly stateDir: string;
  readonly snapshotFile: string;
  readonly eventsFile: string;
  private readonly options: LedgerOptions;
  private log: EventLog | null = null;
  private cleaned = false;
  private pendingSnapshot: { state: unknown } | null = null;
  private queued: object[] = [];
  private dropped = 0;
  private fullSince: number | null = null;
  private fullFile: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly healthListeners: Array<(health: LedgerHealth) => void> = [];

  /** `stateDir` is the state folder itself (e.g. `<project>/.muster`). Nothing is opened until needed. */
  constructor(stateDir: string, options: LedgerOptions = {}) {
    this.stateDir = path.resolve(stateDir);
    this.snapshotFile = path.join(this.stateDir, SNAPSHOT_FILE);
    this.eventsFile = path.join(this.stateDir, EVENTS_FILE);
    this.options = options;
  }

  /** The last saved snapshot, or null when none was ever saved. */
  loadSnapshot<T>(): T | null {
    return readJsonFile<T>(this.snapshotFile);
  }

  /**
   * Keeps a copy of the snapshot as it is now beside it (`state.json.bad-<time>`, owner-only),
   * before anyone moves it away; returns the copy's path. A copy with the same bytes kept
   * earlier (every command that meets the file refuses it) is returned instead of a new one.
   */
  keepSnapshotCopy(now: number): string {
    const bytes = fs.readFileSync(this.snapshotFile);
    const dir = path.dirname(this.snapshotFile);
    const prefix = `${path.basename(this.snapshotFile)}.bad-`;
    for (const name of fs.readdirSync(dir).filter((n) => n.startsWith(prefix)).sort()) {
      const earlier = path.join(dir, name);
      if (fs.statSync(earlier).size === bytes.length && fs.readFileSync(earlier).equals(bytes)) return earlier;
    }
    const copy = `${this.snapshotFile}.bad-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(this.snapshotFile, copy);
    fs.chmodSync(copy, PRIVATE_FILE_MODE);
    return copy;
  }

  /**
   * Replaces the snapshot atomically: after a crash it is the old one or the new one, never
   * torn. On a full disk the new one is kept and written later (event lines waiting go first).
   */
  saveSnapshot(state: unknown): SaveResult {
    this.pendingSnapshot = { state };
    this.flush();
    return this.fullFile === null ? { ok: true } : { ok: false, reason: 'disk-full', file: this.fullFile };
  }

  /**
   * Appends events durably (one write, fsynced); returns them with their `seq`. Opens the
   * log for writing. On a full disk they wait, in order, to be written with that `seq`.
   */
  appendEvents<T extends object>(events: readonly T[]): Array<LoggedRecord<T>> {
    if (events.length === 0) return [];
    const first = this.lastSeq() + 1;
    if (this.queued.length + events.length > MAX_QUEUED) {
      this.dropped += events.length;
      return [];
    }
    this.queued.push(...events);
    this.flush();
    return events.map((e, i) => Object.assign({ seq: 0 }, e, { seq: first + i }) as LoggedRecord<T>);
  }

  /** The `seq` of the last event in the log, counting those waiting (0 when empty). Opens the log for writing. */
  lastSeq(): number {
    const log = this.openLog();
    return (log?.lastSeq ?? 0) + this.queued.length;
  }

  /** Events with `seq` greater than `sinceSeq` (all of them by default). Does not open the log for writing. */
  readEvents(sinceSeq = 0): LoggedRecord[] {
    return readEventLog(this.eventsFile).filter((r) => r.seq > sinceSeq);
  }

  health(): LedgerHealth {
    return {
      diskFull: this.fullFile !== null,
      since: this.fullSince,
      file: this.fullFile,
      pendingEvents: this.queued.length,
      pendingSnapshot: this.pendingSnapshot !== null,
      droppedEvents: this.dropped,
    };
  }

  /** Called when the disk becomes full, and when everything waiting has been written. */
  onHealth(listener: (health: LedgerHealth) => void): void {
    this.healthListeners.push(listener);
  }

  /** Writes what waits, if the disk has room now. */
  retry(): void {
    this.flush();
  }

  /** Closes the event log if it was opened (what could not be written stays unwritten). */
  close(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.log?.close();
    this.log = null;
  }

  private openLog(): EventLog | null {
    if (this.log) return this.log;
    try {
      this.log = EventLog.open(this.eventsFile, this.options);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.failed(this.eventsFile);
    }
    return this.log;
  }

  /** Event lines first (a snapshot's journal refers to them), then the snapshot. */
  private flush(): void {
    try {
      if (this.queued.length > 0) {
        const log = this.openLog();
        if (!log) return;
        log.append(this.queued);
        this.queued = [];
      }
      if (this.pendingSnapshot) {
        if (!this.cleaned) {
          makePrivateDir(this.stateDir);
          removeStaleTempFiles(this.snapshotFile);
          this.cleaned = true;
        }
        writeFileAtomic(this.snapshotFile, `${JSON.stringify(this.pendingSnapshot.state)}\n`);
        this.pendingSnapshot = null;
      }
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.failed((err as { file?: string }).file ?? this.snapshotFile);
      return;
    }
    if (this.fullFile !== null) this.recovered();
  }

  private failed(file: string): void {
    const first = this.fullFile === null;
    this.fullFile = file;
    if (!first) return;
    this.fullSince = (this.options.now ?? Date.now)();
    this.retryTimer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // another failure than a full disk: the next save meets it and says so
      }
    }, this.options.retryMs ?? 2000);
    this.retryTimer.unref();
    this.tell();
  }

  private recovered(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.fullFile = null;
    this.tell();
    this.fullSince = null;
    this.dropped = 0;
  }

  private tell(): void {
    const health = this.health();
    for (const listener of this.healthListeners) listener(health);
  }
}
