/**
 * Crash-safe file writes: a reader (or the next run after a `kill -9` or a
 * power cut) sees either the old content or the new one, never a torn mix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MusterError } from '../errors.js';
import { isProcessAlive } from './process-identity.js';

const TEMP_SUFFIX = '.tmp';

/** Modes of everything in the state folder: only its owner may read it (docs/reliability.md). */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Is this the file system saying it is full (no space, or the user's quota reached)? */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || err instanceof DiskFullError;
}

/**
 * A write that failed because the disk is full. Nothing was half-written: the file holds
 * what it held before. Callers that must go on (the supervisor) keep what they could not
 * write and try again; commands report it as one line.
 */
export class DiskFullError extends MusterError {
  readonly file: string;
  constructor(file: string, cause?: unknown) {
    super(`no space left on the device to write ${file}`, {
      hint: 'Free some disk space (or raise the quota) and run the command again; nothing was half-written.',
      cause,
    });
    this.file = file;
  }
}

/** Creates a folder (and its missing parents) owner-only; the umask can only narrow that. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** fsyncs a directory so that a rename or a new entry in it survives a power cut. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder is
 * written and fsynced, renamed over `file`, then the folder is fsynced. The
 * file is owner-only (0600) unless `mode` says otherwise. A full disk is a
 * `DiskFullError`, with `file` as it was and no temporary file left behind.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode: number = PRIVATE_FILE_MODE): void {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}${TEMP_SUFFIX}`;
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    try {
      try {
        fs.writeFileSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw err;
    }
  } catch (err) {
    if (isDiskFull(err) && !(err instanceof DiskFullError)) throw new DiskFullError(file, err);
    throw err;
  }
  fsyncDir(dir);
}

/** A file's text, or null when it does not exist (any other error is thrown). */
export function readTextIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Reads and parses a JSON file. A missing file gives `null`; a file that is
 * not valid JSON is an error that names it.
 */
export function readJsonFile<T>(file: string): T | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new MusterError(`${file} is not valid JSON`, {
      hint: 'The file was changed by something other than muster; move it away and run muster again.',
      cause: err,
    });
  }
}

/**
 * Removes temporary files that `writeFileAtomic(file, …)` left behind when its
 * process died mid-write (only those whose writer pid is no longer alive).
 * Returns how many were removed.
 */
export function removeStaleTempFiles(file: string): number {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
