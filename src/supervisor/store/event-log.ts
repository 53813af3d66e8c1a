/**
 * An append-only JSON-lines log (`.muster/events.jsonl`). Every record gets a
 * `seq` that increases by one per record, across restarts and rotations. A
 * crash in the middle of a write can leave an incomplete last line: readers
 * ignore it and the next writer cuts it off before appending.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiskFullError, fsyncDir, isDiskFull, makePrivateDir, PRIVATE_FILE_MODE } from '../../sys/atomic-file.js';

/** A record as stored: the caller's fields plus its sequence number. */
export type LoggedRecord<T extends object = Record<string, unknown>> = T & { seq: number };

export interface EventLogOptions {
  /** the current file is rotated to `<file>.1` once it is at least this big (default 10 MiB) */
  maxBytes?: number;
}

export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;
const TAIL_WINDOW = 64 * 1024;
const NEWLINE = 0x0a;

/** The name of the previous (rotated) file of a log. */
export function rotatedPath(file: string): string {
  return `${file}.1`;
}

/** Parses complete lines; an incomplete last line and unparsable lines are skipped. */
function parseLines(text: string): LoggedRecord[] {
  const lines = text.split('\n');
  lines.pop(); // '' after the final newline, or a torn tail
  const out: LoggedRecord[] = [];
  for (const line of lines) {
    const record = parseRecord(line);
    if (record) out.push(record);
  }
  return out;
}

function parseRecord(line: string): LoggedRecord | null {
  if (line === '') return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const seq = (value as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isInteger(seq) ? (value as LoggedRecord) : null;
  } catch {
    return null;
  }
}

function readFileOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * Reads every record of the log at `file` (its rotated file first), in `seq`
 * order, without opening it for writing. Safe while another process appends.
 */
export function readEventLog(file: string): LoggedRecord[] {
  const records = [...parseLines(readFileOrEmpty(rotatedPath(file))), ...parseLines(readFileOrEmpty(file))];
  const out: LoggedRecord[] = [];
  for (const record of records) {
    const last = out[out.length - 1];
    if (last === undefined || record.seq > last.seq) out.push(record);
  }
  return out;
}

/**
 * Finds where the complete lines of an open file end and the `seq` of its
 * last record. Looks at the tail first and reads the whole file only when
 * the tail holds no complete record.
 */
function scanTail(fd: number, size: number): { validSize: number; lastSeq: number | null } {
  let window = Math.min(size, TAIL_WINDOW);
  for (;;) {
    const start = size - window;
    const buf = Buffer.alloc(window);
    fs.readSync(fd, buf, 0, window, start);
    const nl = buf.lastIndexOf(NEWLINE);
    if (nl >= 0 || start === 0) {
      const validSize = nl < 0 ? 0 : start + nl + 1;
      const lines = buf.subarray(0, nl + 1).toString('utf8').split('\n');
      lines.pop();
      if (start > 0) lines.shift(); // may begin mid-line
      for (let i = lines.length - 1; i >= 0; i--) {
        const record = parseRecord(lines[i] ?? '');
        if (record) return { validSize, lastSeq: record.seq };
      }
      if (start === 0) return { validSize, lastSeq: null };
    }
    window = size;
  }
}

function lastSeqOf(file: string): number | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    return scanTail(fd, fs.fstatSync(fd).size).lastSeq;
  } finally {
    fs.closeSync(fd);
  }
}

/** The writer side of an event log. One per log file, in the process that holds the supervisor lock. */
export class EventLog {
  readonly file: string;
  private readonly maxBytes: number;
  private fd: number;
  private size: number;
  private seq: number;

  private constructor(file: string, maxBytes: number, fd: number, size: number, seq: number) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.fd = fd;
    this.size = size;
    this.seq = seq;
  }

  /**
   * Opens (or creates) the log for appending: cuts off a torn last line left
   * by a crash and recovers the last `seq`.
   */
  static open(file: string, options: EventLogOptions = {}): EventLog {
    makePrivateDir(path.dirname(file));
    const fd = fs.openSync(file, 'a+', PRIVATE_FILE_MODE);
    try {
      const size = fs.fstatSync(fd).size;
      const { validSize, lastSeq } = scanTail(fd, size);
      if (validSize < size) {
        fs.ftruncateSync(fd, validSize);
        fs.fsyncSync(fd);
      }
      const seq = lastSeq ?? lastSeqOf(rotatedPath(file)) ?? 0;
      return new EventLog(file, options.maxBytes ?? DEFAULT_MAX_LOG_BYTES, fd, validSize, seq);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The `seq` of the last record written (0 when the log is empty). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Appends the records in one write and fsyncs before returning. Returns
   * them as stored, each with its new `seq`. On a full disk (`DiskFullError`)
   * nothing is appended and no `seq` is used.
   */
  append<T extends object>(records: readonly T[]): Array<LoggedRecord<T>> {
    if (records.length === 0) return [];
    if (this.size >= this.maxBytes) {
      try {
        this.rotate();
      } catch (err) {
        throw isDiskFull(err) ? new DiskFullError(this.file, err) : err;
      }
    }
    // `seq` first in each line (easier to read), and always ours.
    const stored = records.map((record, i) => Object.assign({ seq: 0 }, record, { seq: this.seq + i + 1 }) as LoggedRecord<T>);
    const data = Buffer.from(stored.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
    try {
      for (let off = 0; off < data.length; ) off += fs.writeSync(this.fd, data, off);
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      // Never leave a partial line for the next append to run into.
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // The next open cuts the torn line off.
      }
      throw isDiskFull(err) ? new DiskFullError(this.file, err) : err;
    }
    this.size += data.length;
    this.seq += stored.length;
    return stored;
  }

  /** Every record, the rotated file's first, in `seq` order. */
  readAll(): LoggedRecord[] {
    return readEventLog(this.file);
  }

  /** The records whose `seq` is greater than `seq`. */
  readSince(seq: number): LoggedRecord[] {
    return this.readAll().filter((r) => r.seq > seq);
  }

  /** Closes the file. The log must not be used afterwards. */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Keeps one old file: the current one becomes `<file>.1`, replacing the previous `.1`. */
  private rotate(): void {
    const old = rotatedPath(this.file);
    fs.closeSync(this.fd);
    this.fd = -1;
    fs.renameSync(this.file, old);
    try {
      this.fd = fs.openSync(this.file, 'a+', PRIVATE_FILE_MODE);
    } catch (err) {
      // no room for a new file: keep appending to the current one
      fs.renameSync(old, this.file);
      this.fd = fs.openSync(this.file, 'a+', PRIVATE_FILE_MODE);
      throw err;
    }
    fsyncDir(path.dirname(this.file));
    this.size = 0;
  }
}
