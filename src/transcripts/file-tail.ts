/**
 * Reads what was appended to a file since the last read, one complete line at a time
 * (docs/needs-you.md, "Tokens and cost"). A line still being written (no newline yet) waits
 * for the next read; a file that is missing is tried again; a file replaced (another inode,
 * or shorter than what was read: rotated, rewritten) is read again from its beginning, and
 * the caller is told, so that it can count records by their ids and never twice.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** At most this much is read per call: a huge backlog is caught up over several reads. */
export const TAIL_CHUNK = 4 * 2 ** 20;
const NL = 0x0a;

export interface TailRead {
  lines: string[];
  /** the file is another one than at the last read (read from its beginning) */
  replaced: boolean;
  missing: boolean;
}

export class FileTail {
  private ino: number | null = null;
  private offset = 0;
  /** the start of a line whose end has not been written yet */
  private partial: Buffer = Buffer.alloc(0);

  private readonly markers: Buffer[];

  /**
   * `markers`: only lines holding one of these strings are returned (the rest are skipped
   * without being decoded: a transcript is mostly prompts and replies, and only its usage
   * lines matter).
   */
  constructor(
    readonly path: string,
    private readonly chunk = TAIL_CHUNK,
    markers: readonly string[] = [],
  ) {
    this.markers = markers.map((m) => Buffer.from(m));
  }

  /** bytes read so far (of the current file) */
  get position(): number {
    return this.offset;
  }

  read(): TailRead {
    let st;
    try {
      st = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      st = undefined; // unreadable folder: as missing
    }
    if (!st || !st.isFile()) return { lines: [], replaced: false, missing: true };
    let replaced = false;
    if ((this.ino !== null && st.ino !== this.ino) || st.size < this.offset) {
      replaced = true;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    this.ino = st.ino;
    if (st.size === this.offset) return { lines: [], replaced, missing: false };
    const want = Math.min(st.size - this.offset, this.chunk);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return { lines: [], replaced, missing: true };
    }
    try {
      while (got < want) {
        const r = readSync(fd, buf, got, want - got, this.offset + got);
        if (r === 0) break;
        got += r;
      }
    } finally {
      closeSync(fd);
    }
    this.offset += got;
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, buf.subarray(0, got)]) : buf.subarray(0, got);
    const end = data.lastIndexOf(NL) + 1; // complete lines end here
    const lines = this.markers.length > 0 ? markedLines(data, end, this.markers) : allLines(data, end);
    this.partial = Buffer.from(data.subarray(end));
    return { lines, replaced, missing: false };
  }
}

function allLines(data: Buffer, end: number): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = data.indexOf(NL); i !== -1 && i < end; i = data.indexOf(NL, start)) {
    if (i > start) lines.push(data.toString('utf8', start, i));
    start = i + 1;
  }
  return lines;
}

/** The complete lines (before `end`) that hold a marker, in file order, each once. */
function markedLines(data: Buffer, end: number, markers: readonly Buffer[]): string[] {
  const starts = new Map<number, number>();
  for (const m of markers) {
    for (let at = data.indexOf(m); at !== -1 && at < end; at = data.indexOf(m, at + m.length)) {
      const from = data.lastIndexOf(NL, at) + 1;
      if (starts.has(from)) continue;
      const to = data.indexOf(NL, at);
      if (to === -1 || to >= end) break;
      starts.set(from, to);
      at = to + 1 - m.length; // the next search starts on the next line
    }
  }
  return [...starts].sort((a, b) => a[0] - b[0]).map(([from, to]) => data.toString('utf8', from, to));
}
