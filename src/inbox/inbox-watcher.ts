/**
 * The supervisor's side of the inbox: takes the records that `muster checkin|handoff|done`
 * leave in `.muster/inbox/` (each an atomically renamed `<id>.json`), in id order (ids sort
 * by time), one at a time.
 *
 * Exactly once, crash or not, is a protocol between this watcher and the caller's ledger:
 *  1. the handler applies the record and saves the ledger, *including the record's id*,
 *     before it resolves;
 *  2. then the file is removed;
 *  3. a crash between 1 and 2 leaves the file behind: on the next start `isTaken(id)` says
 *     the ledger already holds it, and the file is removed without a second delivery.
 * A record whose handler had not resolved when the watcher stopped is delivered again to
 * the next one. Records are taken one at a time, so a crash leaves at most the last taken
 * record behind: the ledger only needs to remember the last few taken ids.
 *
 * A record that is not whole JSON yet and was written in the last `settleMs` is left for a
 * moment rather than refused: muster's own writers rename whole files into place, but a
 * record written by hand or by a script may be seen between its creation and its last byte.
 *
 * Bad records (not JSON, too big, wrong shape, name and id disagree) are moved to
 * `rejected/<id>.json` with a sibling `<id>.reason.txt`, reported through `onRejected`,
 * and never stop the watcher. A handler can refuse a record the same way (unknown agent,
 * a file outside the project) by returning `{ refuse: reason }`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { makePrivateDir, readTextIfExists, writeFileAtomic } from '../sys/atomic-file.js';
import { isProcessAlive } from '../sys/process-identity.js';
import { MAX_RECORD_BYTES, parseRecord, type InboxRecord } from './record.js';

/** What a handler may return instead of nothing: the record is moved to `rejected/`. */
export interface InboxVerdict {
  refuse: string;
}

/** Applies one record. Resolving means "taken" (the ledger holds it); throwing means "try again later". */
export type InboxHandler = (record: InboxRecord) => Promise<InboxVerdict | void> | InboxVerdict | void;

export interface InboxWatcherOptions {
  /** `.muster/inbox`; created when missing */
  inboxDir: string;
  /** true when the caller's ledger already holds this record id (it was taken before a crash) */
  isTaken?: (id: string) => boolean;
  /** a record was moved to `rejected/`; `file` is where it now lies */
  onRejected?: (file: string, reason: string) => void;
  /** a handler failure or an IO error; the watcher carries on */
  onError?: (error: Error, recordId: string | null) => void;
  /** handler failures of one record before it is rejected (default 3) */
  maxAttempts?: number;
  /** pause before a failed record is tried again (default 1000 ms) */
  retryMs?: number;
  /** how long a record that is not whole JSON yet may still be being written (default 1000 ms) */
  settleMs?: number;
  /** the clock compared with a record's modification time (default Date.now) */
  now?: () => number;
}

type ReadResult =
  | { ok: true; record: InboxRecord }
  | { ok: false; reason: string }
  /** possibly still being written: look again in `waitMs` */
  | { ok: 'settling'; waitMs: number }
  | null;

const RECORD_SUFFIX = '.json';
const REJECTED_DIR = 'rejected';

/** Watches an inbox folder and hands its records to a handler, in id order, one at a time. */
export class InboxWatcher {
  readonly inboxDir: string;
  readonly rejectedDir: string;
  private readonly options: InboxWatcherOptions;
  private handler: InboxHandler | null = null;
  private watcher: FSWatcher | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private queued = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** taken, but its file could not be removed: never delivered again by this watcher */
  private readonly held = new Set<string>();
  private readonly failures = new Map<string, number>();

  constructor(options: InboxWatcherOptions) {
    this.options = options;
    this.inboxDir = path.resolve(options.inboxDir);
    this.rejectedDir = path.join(this.inboxDir, REJECTED_DIR);
  }

  /**
   * Delivers the records already in the folder, then every new one as it appears.
   * Resolves once the watch is in place and the records present at start were handled.
   */
  async start(handler: InboxHandler): Promise<void> {
    if (this.closed) throw new Error('the inbox watcher is closed');
    if (this.watcher) throw new Error('the inbox watcher is already started');
    this.handler = handler;
    makePrivateDir(this.inboxDir);
    this.removeDeadTempFiles();
    const watcher = watch(this.inboxDir, {
      ignoreInitial: false,
      depth: 0,
      ignored: (p: string) => this.ignored(p),
    });
    this.watcher = watcher;
    watcher.on('add', () => this.trigger());
    watcher.on('error', (err) => this.reportError(err instanceof Error ? err : new Error(String(err)), null));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    await this.scanOnce();
  }

  /**
   * Takes every record in the folder now (after any pass in progress). Usable before
   * `start` with a handler of its own. Resolves with how many records were delivered.
   */
  scanOnce(handler?: InboxHandler): Promise<number> {
    const use = handler ?? this.handler;
    if (!use) return Promise.reject(new Error('scanOnce needs a handler (or start first)'));
    const run = this.chain.then(() => this.pass(use));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops watching; resolves once the record being handled (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const watcher = this.watcher;
    this.watcher = null;
    if (watcher) await watcher.close();
    await this.chain;
  }

  /** A coalesced pass: at most one is waiting while another runs. */
  private trigger(): void {
    if (this.queued || this.closed || !this.handler) return;
    this.queued = true;
    const handler = this.handler;
    this.chain = this.chain
      .then(() => {
        this.queued = false;
        return this.pass(handler);
      })
      .catch((err: unknown) => this.reportError(err as Error, null));
  }

  private async pass(handler: InboxHandler): Promise<number> {
    let names: string[];
    try {
      names = fs.readdirSync(this.inboxDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const ids = names.filter((n) => n.endsWith(RECORD_SUFFIX)).map((n) => n.slice(0, -RECORD_SUFFIX.length)).sort();
    let delivered = 0;
    for (const id of ids) {
      if (this.closed) break;
      if (this.held.has(id)) continue;
      const file = this.recordPath(id);
      if (this.options.isTaken?.(id)) {
        this.removeRecordFile(id);
        continue;
      }
      const read = this.read(file, id);
      if (read === null) continue;
      if (read.ok === 'settling') {
        // Keep the order: nothing after it is taken before it.
        this.scheduleRetry(read.waitMs);
        return delivered;
      }
      if (!read.ok) {
        this.reject(file, id, read.reason);
        continue;
      }
      let verdict: InboxVerdict | void;
      try {
        verdict = await handler(read.record);
      } catch (thrown) {
        const err = thrown instanceof Error ? thrown : new Error(String(thrown));
        const attempts = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, attempts);
        this.reportError(err, id);
        if (attempts >= (this.options.maxAttempts ?? 3)) {
          this.failures.delete(id);
          this.reject(file, id, `the supervisor failed to take it ${attempts} times: ${err.message}`);
          continue;
        }
        // Keep the order: nothing after a failed record is taken before it.
        this.scheduleRetry();
        return delivered;
      }
      this.failures.delete(id);
      if (verdict && typeof verdict.refuse === 'string') {
        this.reject(file, id, verdict.refuse);
        continue;
      }
      delivered++;
      try {
        this.removeRecordFile(id);
      } catch (err) {
        // Taken but not removable: never deliver it again from this watcher (isTaken covers the next one).
        this.held.add(id);
        this.reportError(err as Error, id);
      }
    }
    return delivered;
  }

  private scheduleRetry(ms = this.options.retryMs ?? 1000): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.trigger();
    }, ms);
    this.retryTimer.unref?.();
  }

  /** Reads and checks one record file; null when it is gone. Never reads more than the size limit. */
  private read(file: string, id: string): ReadResult {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (!stat.isFile()) return { ok: false, reason: 'not a regular file' };
    if (stat.size > MAX_RECORD_BYTES) return { ok: false, reason: `record larger than ${MAX_RECORD_BYTES} bytes (${stat.size})` };
    const text = readTextIfExists(file);
    if (text === null) return null;
    const parsed = parseRecord(text);
    if (!parsed.ok) {
      const age = (this.options.now ?? Date.now)() - stat.mtimeMs;
      const settleMs = this.options.settleMs ?? 1000;
      if (parsed.incomplete && age < settleMs) return { ok: 'settling', waitMs: Math.max(20, Math.ceil(settleMs - age)) };
      return { ok: false, reason: parsed.reason };
    }
    if (parsed.record.id !== id) return { ok: false, reason: `record id ${JSON.stringify(parsed.record.id)} does not match its file name` };
    return parsed;
  }

  /** The reason is written first: a crash in between leaves the record in place, to be rejected again. */
  private reject(file: string, id: string, reason: string): void {
    const target = path.join(this.rejectedDir, `${id}${RECORD_SUFFIX}`);
    try {
      makePrivateDir(this.rejectedDir);
      writeFileAtomic(path.join(this.rejectedDir, `${id}.reason.txt`), `${reason}\n`);
      fs.renameSync(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.reportError(err as Error, id);
      return;
    }
    try {
      this.options.onRejected?.(target, reason);
    } catch (err) {
      this.reportError(err as Error, id);
    }
  }

  private removeRecordFile(id: string): boolean {
    try {
      fs.unlinkSync(this.recordPath(id));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private recordPath(id: string): string {
    if (id.includes('/') || id.includes('\\') || id === '' || id === '.' || id === '..') throw new Error(`bad record id ${JSON.stringify(id)}`);
    return path.join(this.inboxDir, `${id}${RECORD_SUFFIX}`);
  }

  /** Only `<id>.json` directly in the inbox counts: temp files and `rejected/` are ignored. */
  private ignored(p: string): boolean {
    const abs = path.resolve(p);
    if (abs === this.inboxDir) return false;
    if (path.dirname(abs) !== this.inboxDir) return true;
    return !abs.endsWith(RECORD_SUFFIX);
  }

  /** Temp files of writers that died mid-write (`<id>.json.<pid>.<rand>.tmp`). */
  private removeDeadTempFiles(): void {
    for (const name of fs.readdirSync(this.inboxDir)) {
      const m = /\.json\.(\d+)\.[^.]*\.tmp$/.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid > 0 && !isProcessAlive(pid)) fs.rmSync(path.join(this.inboxDir, name), { force: true });
    }
  }

  private reportError(error: Error, id: string | null): void {
    try {
      this.options.onError?.(error, id);
    } catch {
      // an error callback that throws must not stop the watcher
    }
  }
}

/** The inbox folder as the runner takes it (its `InboxPort`): a watcher made when it starts. */
export function inboxFolder(inboxDir: string) {
  let watcher: InboxWatcher | null = null;
  return {
    start: (
      take: InboxHandler,
      callbacks: Pick<InboxWatcherOptions, 'isTaken' | 'onRejected' | 'onError'>,
    ): Promise<void> => {
      watcher = new InboxWatcher({ inboxDir, ...callbacks });
      return watcher.start(take);
    },
    close: async (): Promise<void> => watcher?.close(),
  };
}
