import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboxWatcher, type InboxWatcherOptions } from '../../../src/inbox/inbox-watcher.js';
import { newRecordId, writeRecord } from '../../../src/inbox/inbox-writer.js';
import type { InboxRecord } from '../../../src/inbox/record.js';
import { waitFor } from '../../helpers/wait.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-inbox-'));
let dir = '';
let n = 0;
const watchers: InboxWatcher[] = [];
const BASE = Date.UTC(2026, 0, 1);

beforeEach(() => {
  dir = path.join(root, `case-${++n}`, 'inbox');
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function record(i: number, over: Partial<InboxRecord> = {}): InboxRecord {
  return { v: 1, id: newRecordId(BASE + i), kind: 'checkin', agent: 'team/dev', message: `m${i}`, to: null, file: null, at: BASE + i, ...over };
}

function watcher(options: Partial<InboxWatcherOptions> = {}): InboxWatcher {
  const w = new InboxWatcher({ inboxDir: dir, ...options });
  watchers.push(w);
  return w;
}

/** Writes raw bytes the way the writer does: a temp file renamed into place. */
function writeRaw(name: string, data: string | Buffer): void {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${name}.${process.pid}.x.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, path.join(dir, name));
}


const jsonFiles = () => fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('InboxWatcher', () => {
  it('delivers the records written before start, in id order, and removes them', async () => {
    const recs = [3, 1, 2].map((i) => record(i));
    for (const r of recs) writeRecord(dir, r);
    const got: string[] = [];
    await watcher().start((r) => void got.push(r.id));
    // start resolves after the records present at start were taken
    expect(got).toEqual(recs.map((r) => r.id).sort());
    expect(jsonFiles()).toEqual([]);
  });

  it('takes a burst of 200 records exactly once each, in order, one at a time', async () => {
    const got: string[] = [];
    let active = 0;
    let maxActive = 0;
    await watcher().start(async (r) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((res) => setImmediate(res)); // a ledger save
      got.push(r.id);
      active--;
    });
    const written: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = record(i);
      writeRecord(dir, r);
      written.push(r.id);
      if (i % 7 === 0) await new Promise((res) => setTimeout(res, 1)); // interleave with the watcher
    }
    await waitFor('200 deliveries', () => got.length >= 200);
    await new Promise((res) => setTimeout(res, 200)); // any duplicate would show up by now
    expect(got).toEqual(written);
    expect(new Set(got).size).toBe(200);
    expect(maxActive).toBe(1);
    expect(jsonFiles()).toEqual([]);
  });

  it('rejects malformed records with a reason and carries on', async () => {
    const rejected: Array<{ file: string; reason: string }> = [];
    const got: string[] = [];
    await watcher({ onRejected: (file, reason) => rejected.push({ file, reason }) }).start((r) => void got.push(r.message ?? ''));
    writeRaw('00000000000001-1-aa.json', '{"v":1,"id":');
    writeRaw('00000000000002-1-bb.json', Buffer.alloc(70 * 1024, 0x20));
    writeRaw('00000000000003-1-cc.json', JSON.stringify({ ...record(3), id: '00000000000003-1-cc', kind: 'shout' }));
    writeRaw('00000000000004-1-dd.json', JSON.stringify({ ...record(4), id: 'someone-else' }));
    writeRecord(dir, record(5, { message: 'good' }));
    await waitFor('one delivery and four rejections', () => got.length === 1 && rejected.length === 4);
    expect(got).toEqual(['good']);
    const byName = Object.fromEntries(rejected.map((r) => [path.basename(r.file), r.reason]));
    expect(byName['00000000000001-1-aa.json']).toMatch(/not valid JSON/);
    expect(byName['00000000000002-1-bb.json']).toMatch(/larger than/);
    expect(byName['00000000000003-1-cc.json']).toMatch(/unknown record kind "shout"/);
    expect(byName['00000000000004-1-dd.json']).toMatch(/does not match its file name/);
    const rejectedDir = path.join(dir, 'rejected');
    expect(fs.readdirSync(rejectedDir).sort()).toEqual([
      '00000000000001-1-aa.json', '00000000000001-1-aa.reason.txt',
      '00000000000002-1-bb.json', '00000000000002-1-bb.reason.txt',
      '00000000000003-1-cc.json', '00000000000003-1-cc.reason.txt',
      '00000000000004-1-dd.json', '00000000000004-1-dd.reason.txt',
    ]);
    expect(fs.readFileSync(path.join(rejectedDir, '00000000000001-1-aa.reason.txt'), 'utf8')).toBe('record is not valid JSON\n');
    expect(jsonFiles()).toEqual([]);
  });

  it('waits for a record caught half-written (not renamed into place), and rejects it only once it has settled', async () => {
    const rejected: string[] = [];
    const got: string[] = [];
    await watcher({ settleMs: 400, onRejected: (file) => rejected.push(path.basename(file)) }).start((r) => void got.push(r.message ?? ''));
    const slow = record(1, { message: 'slow writer' });
    const whole = JSON.stringify(slow);
    const file = path.join(dir, `${slow.id}.json`);
    // written in place, in two parts, the way `echo > file` from a script may be seen
    fs.writeFileSync(file, whole.slice(0, 20));
    await new Promise((r) => setTimeout(r, 150));
    fs.appendFileSync(file, whole.slice(20));
    await waitFor('the slow record', () => got.length === 1);
    expect(got).toEqual(['slow writer']);
    expect(rejected).toEqual([]);
    // a truncated record that stays truncated is still refused
    const stuck = '00000000000009-1-zz.json';
    fs.writeFileSync(path.join(dir, stuck), '{"v":1,"id":');
    await waitFor('the stuck record refused', () => rejected.includes(stuck));
    expect(fs.readFileSync(path.join(dir, 'rejected', '00000000000009-1-zz.reason.txt'), 'utf8')).toBe('record is not valid JSON\n');
  });

  it('moves a record the handler refuses to rejected/', async () => {
    const rejected: string[] = [];
    const r = record(1, { kind: 'handoff', to: 'nobody' });
    writeRecord(dir, r);
    await watcher({ onRejected: (_f, reason) => rejected.push(reason) }).start(() => ({ refuse: 'unknown agent nobody' }));
    expect(rejected).toEqual(['unknown agent nobody']);
    expect(fs.readFileSync(path.join(dir, 'rejected', `${r.id}.reason.txt`), 'utf8')).toBe('unknown agent nobody\n');
  });

  it('retries a record whose handler failed, before anything after it, and rejects it after maxAttempts', async () => {
    const a = record(1, { message: 'flaky' });
    const b = record(2, { message: 'poison' });
    const c = record(3, { message: 'fine' });
    for (const r of [a, b, c]) writeRecord(dir, r);
    const seen: string[] = [];
    const errors: Array<string | null> = [];
    let flaky = 1;
    await watcher({ retryMs: 20, maxAttempts: 3, onError: (_e, id) => errors.push(id) }).start((r) => {
      seen.push(r.message ?? '');
      if (r.message === 'flaky' && flaky-- > 0) throw new Error('disk full');
      if (r.message === 'poison') throw new Error('bug');
    });
    await waitFor('the record after the poison one', () => seen.includes('fine'));
    expect(seen).toEqual(['flaky', 'flaky', 'poison', 'poison', 'poison', 'fine']);
    expect(errors).toEqual([a.id, b.id, b.id, b.id]);
    expect(fs.readFileSync(path.join(dir, 'rejected', `${b.id}.reason.txt`), 'utf8')).toMatch(/failed to take it 3 times: bug/);
    expect(jsonFiles()).toEqual([]);
  });

  it('drops the records the ledger already holds (taken before a crash left their files) and delivers the rest', async () => {
    const recs = [1, 2, 3, 4].map((i) => record(i));
    for (const r of recs) writeRecord(dir, r);
    const ledger = new Set([recs[0]!.id, recs[1]!.id]);
    const got: string[] = [];
    await watcher({ isTaken: (id) => ledger.has(id) }).start((r) => void got.push(r.id));
    expect(got).toEqual([recs[2]!.id, recs[3]!.id]);
    expect(jsonFiles()).toEqual([]);
  });

  it('never delivers temp files, and removes those of dead writers at start', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const live = `${record(1).id}.json.${process.pid}.abc.tmp`;
    const dead = `${record(2).id}.json.999999999.abc.tmp`;
    fs.writeFileSync(path.join(dir, live), JSON.stringify(record(1)));
    fs.writeFileSync(path.join(dir, dead), JSON.stringify(record(2)));
    const got: string[] = [];
    const w = watcher();
    await w.start((r) => void got.push(r.id));
    const real = record(3);
    writeRecord(dir, real);
    await waitFor('the real record', () => got.length === 1);
    expect(got).toEqual([real.id]);
    expect(fs.readdirSync(dir).sort()).toEqual([live]);
    expect(await w.scanOnce()).toBe(0);
  });

  it('scanOnce works before start, with a handler of its own', async () => {
    writeRecord(dir, record(1));
    writeRecord(dir, record(2));
    const got: string[] = [];
    const w = watcher();
    expect(await w.scanOnce((r) => void got.push(r.message ?? ''))).toBe(2);
    expect(got).toEqual(['m1', 'm2']);
    await expect(watcher().scanOnce()).rejects.toThrow(/needs a handler/);
  });
});
