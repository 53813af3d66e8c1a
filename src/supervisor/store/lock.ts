/**
 * One supervisor per project: `.muster/supervisor.lock` names the holder by
 * pid and start time. The file only ever appears whole (written aside, then
 * hard-linked into place, which fails if it exists). A stale lock (holder
 * gone, or its pid reused by another process) is taken over without a race:
 * removing one particular stale lock text requires a "takeover" guard file
 * named after that text, created exclusively, so exactly one starter removes
 * it and everyone then races fairly for the free name again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LockedError, MusterError } from '../../errors.js';
import { fsyncDir, makePrivateDir, PRIVATE_FILE_MODE } from '../../sys/atomic-file.js';
import { sleepSync } from '../../sys/time.js';
import { isSameProcess, processStartTime } from '../../sys/process-identity.js';

export { isSameProcess } from '../../sys/process-identity.js';

export const LOCK_FILE = 'supervisor.lock';
const GUARD_INFIX = '.takeover-';
const GUARD_CHAIN = /^(\.takeover-[0-9a-f]{12})+$/;
const TAKEOVER_PATIENCE_MS = 5_000;

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  /** field 22 of /proc/PID/stat (null where /proc is missing) */
  startTime: string | null;
  /** ISO 8601 UTC */
  startedAt: string;
  /** the control socket (or whatever the holder wants `muster status` to show) */
  socket?: string;
}

/** A held lock. */
export interface SupervisorLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

/** The path of the lock file in a state folder. */
export function lockFilePath(stateDir: string): string {
  return path.join(path.resolve(stateDir), LOCK_FILE);
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseInfo(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo> | null;
    if (!v || typeof v !== 'object' || !Number.isInteger(v.pid) || (v.pid as number) <= 0) return null;
    return {
      pid: v.pid as number,
      startTime: typeof v.startTime === 'string' ? v.startTime : null,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : '',
      ...(typeof v.socket === 'string' ? { socket: v.socket } : {}),
    };
  } catch {
    return null;
  }
}

function holderAlive(text: string): LockInfo | null {
  const info = parseInfo(text);
  return info && isSameProcess(info.pid, info.startTime) ? info : null;
}

function selfInfo(socket?: string): LockInfo {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    ...(socket === undefined ? {} : { socket }),
  };
}

/** Creates `target` with `text` only if it does not exist; it appears complete or not at all. */
function createExclusive(target: string, text: string): boolean {
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  const fd = fs.openSync(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** The guard file whose exclusive creation entitles one process to remove `file` while it holds `staleText`. */
export function takeoverGuardPath(file: string, staleText: string): string {
  return `${file}${GUARD_INFIX}${createHash('sha1').update(staleText).digest('hex').slice(0, 12)}`;
}

/**
 * Removes `file` if (and only if) it still holds `staleText`. Exactly one
 * caller wins the guard for that text; the others wait until it is gone. A
 * guard left by a dead taker is itself stale and removed the same way.
 */
function removeStale(file: string, staleText: string, depth = 0): void {
  if (depth > 6) throw new MusterError(`could not take over the stale lock ${file}`, { hint: 'Remove it by hand.' });
  const guard = takeoverGuardPath(file, staleText);
  const deadline = Date.now() + TAKEOVER_PATIENCE_MS;
  for (;;) {
    if (createExclusive(guard, JSON.stringify(selfInfo()))) {
      try {
        if (readText(file) === staleText) fs.rmSync(file, { force: true });
      } finally {
        fs.rmSync(guard, { force: true });
      }
      return;
    }
    if (readText(file) !== staleText) return; // another starter removed it
    const guardText = readText(guard);
    if (guardText === null) continue; // the guard was just released: try again
    if (holderAlive(guardText)) {
      if (Date.now() > deadline) {
        throw new MusterError(`the lock ${file} is being taken over by another process that does not finish`, {
          hint: 'Try again in a moment.',
        });
      }
      sleepSync(2);
      continue;
    }
    removeStale(guard, guardText, depth + 1);
  }
}

/** Takeover guards are useless once a new lock is in place: remove them. */
function removeGuards(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  for (const name of fs.readdirSync(dir)) {
    // guards only (`<lock>.takeover-<hash>`, nested for guards of guards), never another starter's temp file
    if (name.startsWith(base) && GUARD_CHAIN.test(name.slice(base.length))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * Takes the supervisor lock of a state folder. Throws `LockedError` naming
 * the holder's pid when a live supervisor holds it; takes over a stale one.
 */
export function acquireLock(stateDir: string, options: { socket?: string } = {}): SupervisorLock {
  const file = lockFilePath(stateDir);
  makePrivateDir(path.dirname(file));
  const info = selfInfo(options.socket);
  const text = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (createExclusive(file, text)) {
      removeGuards(file);
      fsyncDir(path.dirname(file));
      return { file, info, release: () => releaseIfOurs(file, text) };
    }
    const current = readText(file);
    if (current === null) continue;
    const holder = holderAlive(current);
    if (holder) throw new LockedError(holder.pid, file);
    removeStale(file, current);
  }
  throw new MusterError(`could not take the supervisor lock ${file}: it keeps changing`, {
    hint: 'Another muster is starting for this project; try again.',
  });
}

function releaseIfOurs(file: string, text: string): void {
  if (readText(file) !== text) return;
  fs.rmSync(file, { force: true });
  fsyncDir(path.dirname(file));
}

/** Who holds the lock, and whether that process is still alive; null when there is no (readable) lock. */
export function readLock(stateDir: string): { pid: number; alive: boolean; info: LockInfo } | null {
  const text = readText(lockFilePath(stateDir));
  const info = text === null ? null : parseInfo(text);
  if (!info) return null;
  return { pid: info.pid, alive: isSameProcess(info.pid, info.startTime), info };
}

/**
 * Removes the lock if its holder is gone (for `muster cleanup`). Returns true
 * when no lock remains; false when a live process still holds it.
 */
export function breakStaleLock(stateDir: string): boolean {
  const file = lockFilePath(stateDir);
  const text = readText(file);
  if (text === null) return true;
  if (holderAlive(text)) return false;
  removeStale(file, text);
  return readText(file) === null;
}
