/**
 * Exactly once across crashes: a child process runs the real InboxWatcher with a ledger
 * that saves each taken record id (append + fsync) before the handler resolves, and is
 * killed with SIGKILL — once right after a save and before the file was removed, once at
 * an arbitrary moment in a burst. Every record ends up in the ledger exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { newRecordId, writeRecord } from '../../../src/inbox/inbox-writer.js';
import { waitFor } from '../../helpers/wait.js';
import { killAll, startChild, STORE_SOURCES, transpileInto } from '../store/child-modules.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-inbox-crash-'));
const started: ChildProcess[] = [];
afterAll(() => {
  killAll(started);
  fs.rmSync(root, { recursive: true, force: true });
});

const modules = path.join(root, 'modules');
transpileInto(modules, [...STORE_SOURCES, 'src/inbox/record.ts', 'src/inbox/inbox-watcher.ts']);
// The transpiled watcher lives outside the repository: point its bare import at our chokidar.
const chokidar = pathToFileURL(createRequire(import.meta.url).resolve('chokidar')).href;
const watcherJs = path.join(modules, 'src/inbox/inbox-watcher.js');
fs.writeFileSync(watcherJs, fs.readFileSync(watcherJs, 'utf8').replace(/from ['"]chokidar['"]/, `from '${chokidar}'`));

const SCRIPT = path.join(root, 'take.mjs');
fs.writeFileSync(SCRIPT, `
import * as fs from 'node:fs';
import { InboxWatcher } from ${JSON.stringify(pathToFileURL(watcherJs).href)};
const [inbox, ledgerFile, crashAfter] = process.argv.slice(2);
const taken = new Set(fs.existsSync(ledgerFile) ? fs.readFileSync(ledgerFile, 'utf8').split('\\n').filter(Boolean) : []);
const fd = fs.openSync(ledgerFile, 'a');
let count = 0;
const w = new InboxWatcher({ inboxDir: inbox, isTaken: (id) => taken.has(id), onError: (e) => console.error(e) });
await w.start(async (rec) => {
  fs.writeSync(fd, rec.id + '\\n');
  fs.fsyncSync(fd);
  taken.add(rec.id);
  if (++count === Number(crashAfter)) process.kill(process.pid, 'SIGKILL'); // saved, not yet removed
  await new Promise((r) => setImmediate(r));
});
console.log('ready');
`);

const ledgerIds = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);


describe('inbox across crashes', () => {
  it('takes every record exactly once through two kill -9s', async () => {
    const inbox = path.join(root, 'inbox');
    const ledger = path.join(root, 'ledger.txt');
    const written: string[] = [];
    const write = (i: number) => {
      const rec = { v: 1 as const, id: newRecordId(1_800_000_000_000 + i), kind: 'checkin' as const, agent: 't/a', message: `#${i}`, to: null, file: null, at: 1_800_000_000_000 + i };
      writeRecord(inbox, rec);
      written.push(rec.id);
    };
    for (let i = 0; i < 60; i++) write(i); // waiting before any supervisor runs

    // 1: dies right after saving the 25th record, before removing its file.
    const first = startChild(SCRIPT, [inbox, ledger, '25'], started);
    expect(await first.exited).toBeNull();
    expect(first.proc.signalCode).toBe('SIGKILL');
    expect(ledgerIds(ledger)).toHaveLength(25);
    expect(fs.existsSync(path.join(inbox, `${written[24]}.json`))).toBe(true); // saved but not removed

    // 2: killed from outside in the middle of a burst.
    const second = startChild(SCRIPT, [inbox, ledger, '0'], started);
    await second.waitLine((l) => l === 'ready');
    for (let i = 60; i < 260; i++) write(i);
    await waitFor('a part of the burst', () => ledgerIds(ledger).length >= 120);
    second.proc.kill('SIGKILL');
    await second.exited;

    // 3: takes the rest.
    const third = startChild(SCRIPT, [inbox, ledger, '0'], started);
    await third.waitLine((l) => l === 'ready');
    await waitFor('every record', () => ledgerIds(ledger).length >= written.length);
    await waitFor('an empty inbox', () => fs.readdirSync(inbox).filter((f) => f.endsWith('.json')).length === 0);
    third.proc.kill('SIGKILL');
    await third.exited;

    const ids = ledgerIds(ledger);
    expect(ids).toHaveLength(written.length);
    expect(new Set(ids).size).toBe(written.length);
    expect([...ids].sort()).toEqual([...written].sort());
  });
});
