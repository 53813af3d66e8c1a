/**
 * Agent logs with a size cap (docs/reliability.md): a pane's output is appended to
 * `<name>.log` until it holds `maxBytes`; then `<name>.log.1` … `<name>.log.<keep>` move one
 * step older (the oldest goes), the full log becomes `<name>.log.1`, and a new `<name>.log`
 * begins. A log therefore never takes more than `maxBytes × (keep + 1)`.
 *
 * The writer is a few lines of POSIX shell around `head -c <bytes left>` (tmux's
 * `pipe-pane` runs it): no per-pulse work in the supervisor and no Node process per agent.
 * `head` reads no byte past its count; run unbuffered (`stdbuf -o0`, where coreutils has
 * it) it writes each chunk as it arrives instead of holding the last few KiB of a quiet
 * pane. The writer keeps reading the pane's output even when the log cannot be written (a
 * full disk), so the pane never waits on it, and writes again once space is back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shellQuote } from '../text/shell-quote.js';

export interface LogCap {
  /** the current file is rotated once it holds this many bytes */
  maxBytes: number;
  /** rotated files kept (`<log>.1` … `<log>.<keep>`); 0 keeps none */
  keep: number;
}

/** `logs: { max: 50MiB, keep: 3 }`: at most 200 MiB per agent. */
export const DEFAULT_LOG_CAP: LogCap = { maxBytes: 50 * 1024 * 1024, keep: 3 };

/**
 * The shell script that appends its standard input to `file` under `cap`. New files are
 * created 0600 whatever the caller's umask.
 */
export function cappedLogScript(file: string, cap: LogCap): string {
  const max = Math.max(1, Math.floor(cap.maxBytes));
  const keep = Math.max(0, Math.floor(cap.keep));
  return [
    'umask 077',
    `f=${shellQuote(file)} max=${max} keep=${keep}`,
    'copy=head',
    'command -v stdbuf > /dev/null 2>&1 && copy="stdbuf -o0 head"',
    'while :; do',
    '  size=$(wc -c 2>/dev/null < "$f") || size=0',
    '  if [ "$size" -ge "$max" ]; then',
    '    i=$keep',
    '    while [ "$i" -gt 1 ]; do',
    '      [ -e "$f.$((i - 1))" ] && mv -f "$f.$((i - 1))" "$f.$i"',
    '      i=$((i - 1))',
    '    done',
    '    if [ "$keep" -gt 0 ]; then mv -f "$f" "$f.1"; else rm -f "$f"; fi',
    '    size=0',
    '  fi',
    // what head leaves stays in the pipe for the next file
    '  if $copy -c "$((max - size))" 2>/dev/null >> "$f"; then',
    '    now=$(wc -c 2>/dev/null < "$f") || now=0',
    '    [ "$now" -lt "$max" ] && exit 0', // head stopped short: the pane's output ended
    '  else',
    // the log cannot be written (disk full): drop output for a second, keeping the pane flowing, then try again
    '    timeout 1 cat > /dev/null',
    '    [ $? -eq 124 ] || exit 0',
    '  fi',
    'done',
  ].join('\n');
}

/** The files of a log, oldest first: `<log>.N` … `<log>.1`, then `<log>` (only those that exist). */
export function logParts(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => (n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : Number.NaN))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${file}.${n}`);
  return names.includes(base) ? [...rotated, file] : rotated;
}

function inodeOf(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Up to `bytes` from `file` starting at `start`; a file that went away reads as empty. */
function readRange(file: string, start: number, bytes: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, start);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `bytes` of a log, across its rotated files; `currentSize` reads the current file only that far. */
export function readLogTail(file: string, bytes: number, currentSize?: number): Buffer {
  const chunks: Buffer[] = [];
  let left = bytes;
  for (const part of logParts(file).reverse()) {
    if (left <= 0) break;
    const size = part === file && currentSize !== undefined ? Math.min(currentSize, sizeOf(part)) : sizeOf(part);
    const take = Math.min(size, left);
    chunks.unshift(readRange(part, size - take, take));
    left -= take;
  }
  return Buffer.concat(chunks);
}

/**
 * The last `lines` lines of a log across its rotated files (every line when null), reading
 * backwards only as far as needed; `currentSize` reads the current file only that far.
 */
export function readLogLines(file: string, lines: number | null, currentSize?: number): string[] {
  const parts = logParts(file);
  const total = parts.reduce((n, p) => n + sizeOf(p), 0);
  if (lines === null) return splitLines(readLogTail(file, total, currentSize).toString('utf8'));
  if (lines === 0) return [];
  let window = 64 * 1024;
  for (;;) {
    const text = readLogTail(file, Math.min(window, total), currentSize).toString('utf8');
    const all = splitLines(text);
    // a window short of the whole log may start mid-line: that first line does not count
    if (window >= total || all.length > lines) return all.slice(Math.max(0, all.length - lines));
    window *= 4;
  }
}

function splitLines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * Follows a log as `tail -F` does: `read()` returns what was appended since the last call,
 * including the rest of a file that was rotated away meanwhile (read through the file
 * descriptor that is still open on it) and any whole file rotated after it, as long as
 * those are still kept.
 */
export class LogFollower {
  private fd: number | null = null;
  private ino: number | null = null;
  private offset = 0;

  /** Starts at the current end of the log. */
  constructor(private readonly file: string) {
    this.open(true);
  }

  /** Where in the current file following began (what was there before is history). */
  get startedAt(): number {
    return this.fd === null ? 0 : this.offset;
  }

  read(): Buffer {
    const out: Buffer[] = [];
    if (this.fd === null) this.open(false);
    if (this.fd === null) return Buffer.alloc(0);
    out.push(this.drain());
    let now: fs.Stats | null = null;
    try {
      now = fs.statSync(this.file);
    } catch {
      now = null;
    }
    if (now !== null && now.ino !== this.ino) {
      // rotated: finish the old file, then the files rotated after it, then the new one from its start
      out.push(this.drain());
      const parts = logParts(this.file);
      const at = parts.findIndex((p) => inodeOf(p) === this.ino);
      if (at >= 0) for (const p of parts.slice(at + 1, -1)) out.push(readRange(p, 0, sizeOf(p)));
      this.close();
      this.open(false);
      if (this.fd !== null) out.push(this.drain());
    } else if (now !== null && now.size < this.offset) {
      this.offset = 0; // truncated in place
      out.push(this.drain());
    }
    return Buffer.concat(out);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(atEnd: boolean): void {
    try {
      this.fd = fs.openSync(this.file, 'r');
      const st = fs.fstatSync(this.fd);
      this.ino = st.ino;
      this.offset = atEnd ? st.size : 0;
    } catch {
      this.fd = null;
    }
  }

  private drain(): Buffer {
    if (this.fd === null) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      this.offset += n;
    }
    return Buffer.concat(chunks);
  }
}
