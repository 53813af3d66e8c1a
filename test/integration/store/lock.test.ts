import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../../src/errors.js';
import {
  acquireLock,
  breakStaleLock,
  isSameProcess,
  lockFilePath,
  readLock,
  takeoverGuardPath,
} from '../../../src/supervisor/store/lock.js';
import { processStartTime } from '../../../src/sys/process-identity.js';
import { killAll, startChild, transpileInto, type Child } from './child-modules.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-lock-'));
const started: ChildProcess[] = [];
const script = path.join(root, 'locker.mjs');

// Takes the lock (at once, or when "go" arrives on stdin), reports, holds it until stdin closes.
const LOCKER = `
import { acquireLock } from './src/supervisor/store/lock.js';
const [dir, mode] = process.argv.slice(2);
const take = () => {
  try {
    const lock = acquireLock(dir);
    console.log(JSON.stringify({ won: true, pid: process.pid }));
    process.stdin.on('end', () => { lock.release(); process.exit(0); });
    process.stdin.resume();
  } catch (err) {
    console.log(JSON.stringify({ won: false, name: err.name, holder: err.pid, message: err.message }));
    process.exit(0);
  }
};
if (mode === 'wait') {
  process.stdin.once('data', take);
  console.log('armed');
} else take();
`;

interface Report {
  won: boolean;
  pid?: number;
  name?: string;
  holder?: number;
  message?: string;
}

const report = async (child: Child): Promise<Report> =>
  JSON.parse(await child.waitLine((l) => l.startsWith('{'))) as Report;

let dir = '';
let n = 0;
beforeAll(() => {
  transpileInto(root);
  fs.writeFileSync(script, LOCKER);
});
beforeEach(() => {
  dir = path.join(root, `case-${++n}`, '.muster');
});
afterAll(() => {
  killAll(started);
  fs.rmSync(root, { recursive: true, force: true });
});

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync('true');
  if (!r.pid) throw new Error('could not run `true`');
  return r.pid;
}

function writeLock(stateDir: string, info: object): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const text = `${JSON.stringify(info)}\n`;
  fs.writeFileSync(lockFilePath(stateDir), text);
  return text;
}

describe('process identity', () => {
  it('tells this process from a dead pid and from a reused pid', () => {
    const me = processStartTime(process.pid);
    expect(me).toMatch(/^\d+$/);
    expect(isSameProcess(process.pid, me)).toBe(true);
    expect(isSameProcess(process.pid, '1')).toBe(false);
    expect(isSameProcess(deadPid(), me)).toBe(false);
  });
});

describe('supervisor lock', () => {
  it('a second process fails and names the first one', async () => {
    const first = startChild(script, [dir], started);
    expect(await report(first)).toEqual({ won: true, pid: first.proc.pid });
    expect(readLock(dir)).toMatchObject({ pid: first.proc.pid, alive: true });

    const second = startChild(script, [dir], started);
    const r = await report(second);
    expect(r).toMatchObject({ won: false, name: 'LockedError', holder: first.proc.pid });
    expect(r.message).toContain(`pid ${first.proc.pid}`);

    first.proc.stdin!.end();
    await first.exited;
    expect(fs.existsSync(lockFilePath(dir))).toBe(false);
    expect(readLock(dir)).toBeNull();
  });

  it('holds against this same process too, and releases only its own file', () => {
    const lock = acquireLock(dir, { socket: '/x/control.sock' });
    expect(lock.info).toMatchObject({ pid: process.pid, socket: '/x/control.sock' });
    expect(() => acquireLock(dir)).toThrow(LockedError);
    lock.release();
    const again = acquireLock(dir);
    lock.release(); // stale handle: must not remove the new holder's file
    expect(readLock(dir)?.alive).toBe(true);
    again.release();
    expect(readLock(dir)).toBeNull();
  });

  it('takes over a lock of a dead pid, and of a pid reused by another process', () => {
    writeLock(dir, { pid: deadPid(), startTime: '12345', startedAt: new Date().toISOString() });
    expect(readLock(dir)?.alive).toBe(false);
    const a = acquireLock(dir);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, alive: true });
    a.release();

    // The pid is alive (it is ours) but the start time says the holder was another process.
    writeLock(dir, { pid: process.pid, startTime: '1', startedAt: new Date().toISOString() });
    const b = acquireLock(dir);
    expect(readLock(dir)?.alive).toBe(true);
    b.release();
  });

  it('takes over when an earlier taker died holding the takeover guard', () => {
    const stale = writeLock(dir, { pid: deadPid(), startTime: '7', startedAt: '2020-01-01T00:00:00.000Z' });
    const guard = takeoverGuardPath(lockFilePath(dir), stale);
    fs.writeFileSync(guard, JSON.stringify({ pid: deadPid(), startTime: '8', startedAt: '' }));
    const lock = acquireLock(dir);
    expect(fs.readdirSync(path.dirname(lockFilePath(dir)))).toEqual(['supervisor.lock']);
    lock.release();
  });

  it('breaks a stale lock for cleanup but never a live one', () => {
    writeLock(dir, { pid: deadPid(), startTime: '1', startedAt: '' });
    expect(breakStaleLock(dir)).toBe(true);
    expect(fs.existsSync(lockFilePath(dir))).toBe(false);
    const lock = acquireLock(dir);
    expect(breakStaleLock(dir)).toBe(false);
    expect(readLock(dir)?.alive).toBe(true);
    lock.release();
  });

  it('exactly one of several processes racing for a stale lock wins', async () => {
    for (let round = 0; round < 8; round++) {
      const stateDir = path.join(root, `race-${round}`, '.muster');
      writeLock(stateDir, { pid: deadPid(), startTime: '1', startedAt: '' });
      const racers = [0, 1, 2].map(() => startChild(script, [stateDir, 'wait'], started));
      await Promise.all(racers.map((c) => c.waitLine((l) => l === 'armed')));
      for (const c of racers) c.proc.stdin!.write('go\n');
      const reports = await Promise.all(racers.map(report));
      const winners = reports.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      for (const r of reports.filter((x) => !x.won)) {
        expect(r, JSON.stringify(r)).toMatchObject({ name: 'LockedError', holder: winner.pid });
      }
      expect(readLock(stateDir)).toMatchObject({ pid: winner.pid, alive: true });
      for (const c of racers) c.proc.stdin!.end();
      await Promise.all(racers.map((c) => c.exited));
      expect(fs.readdirSync(stateDir)).toEqual([]); // released; no guard or temp file left
    }
  });
});
