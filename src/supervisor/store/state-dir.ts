/**
 * The state folder's permissions (docs/reliability.md): `.muster/` holds every agent's
 * output, prompts and whatever tools printed, so only its owner may read it: folders
 * 0700, files 0600, whatever the umask. Everything muster writes there is created that way;
 * a folder left by an older muster (or changed by hand) is tightened when the supervisor
 * starts, and the caller says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from '../../sys/atomic-file.js';

const OTHERS = 0o077;

/**
 * `.muster/worktrees` holds the agents' git worktrees (docs/worktrees.md): the user's work,
 * whose modes are git's (an executable script stays executable). The folder itself is made
 * owner-only, which keeps others out of everything in it; nothing inside is changed.
 */
const KEPT_AS_THEY_ARE = new Set(['worktrees']);

/**
 * Creates the state folder owner-only, or tightens the one there: every folder and file in
 * it that others could read, write or enter loses those bits (links, and what the agents'
 * worktrees hold, are left alone). Returns
 * the paths that were tightened, relative to the state folder (`.` for the folder itself).
 */
export function secureStateDir(stateDir: string): string[] {
  makePrivateDir(stateDir);
  const tightened: string[] = [];
  const visit = (abs: string, rel: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return; // gone meanwhile
    }
    if (st.isSymbolicLink()) return;
    if ((st.mode & OTHERS) !== 0) {
      try {
        fs.chmodSync(abs, st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
        tightened.push(rel);
      } catch {
        // not ours to change (another user's file): left as it is
      }
    }
    if (!st.isDirectory() || KEPT_AS_THEY_ARE.has(rel)) return;
    let names: string[];
    try {
      names = fs.readdirSync(abs);
    } catch {
      return;
    }
    for (const name of names) visit(path.join(abs, name), rel === '.' ? name : path.join(rel, name));
  };
  visit(stateDir, '.');
  return tightened;
}

/**
 * Fails at once, with one line, when nothing can be written to the state folder (a full
 * disk is a `DiskFullError`): better than a supervisor that cannot take its lock.
 */
export function checkWritable(stateDir: string): void {
  const probe = path.join(stateDir, `.write-check-${process.pid}`);
  try {
    writeFileAtomic(probe, `${process.pid}\n`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
}
