/** The incremental tail on real files: appended bytes only, torn lines, missing, rotated and replaced files. */
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTail } from '../../../src/transcripts/file-tail.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'muster-tail-'));
  file = path.join(dir, 't.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileTail', () => {
  it('a missing file is missing, and is read once it appears', () => {
    const tail = new FileTail(file);
    expect(tail.read()).toEqual({ lines: [], replaced: false, missing: true });
    writeFileSync(file, 'a\nb\n');
    expect(tail.read()).toEqual({ lines: ['a', 'b'], replaced: false, missing: false });
  });

  it('reads only what was appended', () => {
    writeFileSync(file, 'one\n');
    const tail = new FileTail(file);
    expect(tail.read().lines).toEqual(['one']);
    expect(tail.read().lines).toEqual([]);
    appendFileSync(file, 'two\nthree\n');
    expect(tail.read().lines).toEqual(['two', 'three']);
    expect(tail.position).toBe(14);
  });

  it('a line torn mid-write waits for its end (multi-byte characters split included)', () => {
    const tail = new FileTail(file);
    const line = '{"text":"héllo ✓"}';
    const bytes = Buffer.from(`${line}\n`);
    writeFileSync(file, bytes.subarray(0, 13)); // inside the é / ✓ bytes
    expect(tail.read().lines).toEqual([]);
    appendFileSync(file, bytes.subarray(13));
    expect(tail.read().lines).toEqual([line]);
  });

  it('a file that goes away reads as missing and keeps its place; the same file back goes on', () => {
    writeFileSync(file, 'a\n');
    const tail = new FileTail(file);
    tail.read();
    renameSync(file, `${file}.away`);
    expect(tail.read().missing).toBe(true);
    renameSync(`${file}.away`, file);
    appendFileSync(file, 'b\n');
    expect(tail.read()).toEqual({ lines: ['b'], replaced: false, missing: false });
  });

  it('rotated (a new file in its place) is read from its beginning, and says so', () => {
    writeFileSync(file, 'old 1\nold 2\n');
    const tail = new FileTail(file);
    tail.read();
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new 1\n');
    expect(tail.read()).toEqual({ lines: ['new 1'], replaced: true, missing: false });
  });

  it('truncated or rewritten shorter in place is read from its beginning', () => {
    writeFileSync(file, 'a long first line\nsecond\n');
    const tail = new FileTail(file);
    tail.read();
    truncateSync(file, 0);
    appendFileSync(file, 'x\n');
    expect(tail.read()).toEqual({ lines: ['x'], replaced: true, missing: false });
  });

  it('a large backlog is caught up in chunks', () => {
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const tail = new FileTail(file, 64);
    const got: string[] = [];
    for (let i = 0; i < 30; i++) got.push(...tail.read().lines);
    expect(got).toHaveLength(100);
    expect(got[99]).toBe('line 99');
  });
});

describe('FileTail with markers', () => {
  it('returns only the complete lines holding a marker, in order, each once', () => {
    writeFileSync(file, 'a usage b\nusage at the start\nplain\n"x" "y" x again\nlast x');
    const tail = new FileTail(file, undefined, ['x', 'usage']);
    expect(tail.read().lines).toEqual(['a usage b', 'usage at the start', '"x" "y" x again']);
    appendFileSync(file, ' done\nno\n');
    expect(tail.read().lines).toEqual(['last x done']);
  });
});
