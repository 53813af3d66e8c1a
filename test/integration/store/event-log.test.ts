import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MusterError } from '../../../src/errors.js';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../../../src/sys/atomic-file.js';
import { EventLog, readEventLog, rotatedPath } from '../../../src/supervisor/store/event-log.js';
import { Ledger } from '../../../src/supervisor/store/ledger.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-store-'));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = path.join(root, `case-${++n}`);
  fs.mkdirSync(dir);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('atomic files', () => {
  it('writes, replaces and reads JSON; a missing file is null', () => {
    const file = path.join(dir, 'x.json');
    expect(readJsonFile(file)).toBeNull();
    writeFileAtomic(file, JSON.stringify({ a: 1 }));
    writeFileAtomic(file, JSON.stringify({ a: 2 }));
    expect(readJsonFile<{ a: number }>(file)).toEqual({ a: 2 });
    expect(fs.readdirSync(dir)).toEqual(['x.json']); // no temp file left behind
  });

  it('names a file that is not JSON', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"a":');
    expect(() => readJsonFile(file)).toThrow(MusterError);
    expect(() => readJsonFile(file)).toThrow(/bad\.json is not valid JSON/);
  });

  it('removes temp files of dead writers only', () => {
    const file = path.join(dir, 'state.json');
    const dead = path.join(dir, 'state.json.999999999.abc.tmp');
    const live = path.join(dir, `state.json.${process.pid}.abc.tmp`);
    fs.writeFileSync(dead, 'x');
    fs.writeFileSync(live, 'x');
    expect(removeStaleTempFiles(file)).toBe(1);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });
});

describe('event log', () => {
  it('numbers records, keeps them across reopening, and reads since a seq', () => {
    const file = path.join(dir, 'events.jsonl');
    const log = EventLog.open(file);
    expect(log.lastSeq).toBe(0);
    const stored = log.append([{ kind: 'a' }, { kind: 'b', seq: 99 }]);
    expect(stored.map((r) => r.seq)).toEqual([1, 2]);
    log.close();
    const again = EventLog.open(file);
    expect(again.lastSeq).toBe(2);
    again.append([{ kind: 'c' }]);
    expect(again.readAll()).toEqual([
      { seq: 1, kind: 'a' },
      { seq: 2, kind: 'b' },
      { seq: 3, kind: 'c' },
    ]);
    expect(again.readSince(2)).toEqual([{ seq: 3, kind: 'c' }]);
    again.close();
    // one write per append: the lines are all complete
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
  });

  it('ignores a torn last line, and the next writer cuts it off', () => {
    const file = path.join(dir, 'events.jsonl');
    const log = EventLog.open(file);
    log.append([{ kind: 'a' }, { kind: 'b' }]);
    log.close();
    fs.appendFileSync(file, '{"seq":3,"kind":"tor');
    expect(readEventLog(file).map((r) => r.seq)).toEqual([1, 2]);
    const again = EventLog.open(file);
    expect(again.lastSeq).toBe(2);
    again.append([{ kind: 'c' }]);
    again.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as { seq: number }).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('recovers seq when the last line is bigger than the tail it looks at first', () => {
    const file = path.join(dir, 'events.jsonl');
    const log = EventLog.open(file);
    log.append([{ kind: 'a' }, { big: 'x'.repeat(200_000) }]);
    log.close();
    fs.appendFileSync(file, '{"seq":3,"big":"' + 'y'.repeat(100_000)); // torn and longer than 64 KiB
    const again = EventLog.open(file);
    expect(again.lastSeq).toBe(2);
    again.close();
    expect(fs.statSync(file).size).toBeLessThan(210_000);
  });

  it('rotates past the size limit, keeping one old file, with seq continuing', () => {
    const file = path.join(dir, 'events.jsonl');
    const log = EventLog.open(file, { maxBytes: 1000 });
    for (let i = 0; i < 100; i++) log.append([{ i, pad: 'p'.repeat(50) }]);
    expect(fs.existsSync(rotatedPath(file))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['events.jsonl', 'events.jsonl.1']);
    expect(fs.statSync(file).size).toBeLessThan(1100);
    const all = log.readAll();
    const seqs = all.map((r) => r.seq);
    expect(seqs[seqs.length - 1]).toBe(100);
    seqs.forEach((s, k) => k > 0 && expect(s).toBe((seqs[k - 1] ?? 0) + 1));
    expect(all.length).toBeGreaterThan(10);
    log.close();
    // A crash right after the rename leaves no current file: seq comes from the old one.
    fs.renameSync(file, rotatedPath(file));
    const again = EventLog.open(file, { maxBytes: 1000 });
    expect(again.lastSeq).toBe(100);
    expect(again.append([{ i: 'next' }])[0]?.seq).toBe(101);
    again.close();
  });
});

describe('ledger', () => {
  it('saves and loads snapshots and events in the state folder', () => {
    const stateDir = path.join(dir, '.muster');
    const ledger = new Ledger(stateDir);
    expect(ledger.loadSnapshot()).toBeNull();
    expect(ledger.readEvents()).toEqual([]);
    ledger.saveSnapshot({ agents: ['a'] });
    ledger.appendEvents([{ type: 'started' }]);
    ledger.close();
    const other = new Ledger(stateDir);
    expect(other.loadSnapshot<{ agents: string[] }>()).toEqual({ agents: ['a'] });
    expect(other.readEvents()).toEqual([{ seq: 1, type: 'started' }]);
    expect(other.appendEvents([{ type: 'x' }])[0]?.seq).toBe(2);
    expect(other.readEvents(1)).toEqual([{ seq: 2, type: 'x' }]);
    other.close();
    expect(fs.readdirSync(stateDir).sort()).toEqual(['events.jsonl', 'state.json']);
  });
});
