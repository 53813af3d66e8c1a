/**
 * The `muster` command on every agent's PATH (README, "A team file"): a small sh script,
 * `.muster/bin/muster`, that runs this muster. Some agent CLIs refuse a shell command that
 * starts with a variable, so `$MUSTER_BIN checkin` cannot work there while `muster checkin`
 * does. The folder is put first on the agent's PATH by the launch script
 * (launch-command.ts); the file is private like the rest of the state folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDiskFull, makePrivateDir, writeFileAtomic } from '../sys/atomic-file.js';

/** Owner may read and run it, nobody else. */
const LAUNCHER_MODE = 0o700;

/** `.muster/bin`: the folder put first on an agent's PATH. */
export function launcherDir(stateDir: string): string {
  return path.join(stateDir, 'bin');
}

/** The script: `musterBin` is already a shell command (quoted words), so the path may hold spaces. */
export function launcherScript(musterBin: string): string {
  return `#!/bin/sh\n# written by muster: runs muster for the agents of this project\nexec ${musterBin} "$@"\n`;
}

/**
 * Writes `.muster/bin/muster` when it is missing or runs another muster. A full disk costs
 * the agents the plain command (the launch goes on; `$MUSTER_BIN` still works).
 */
export function ensureLauncher(stateDir: string, musterBin: string): string {
  const dir = launcherDir(stateDir);
  const file = path.join(dir, 'muster');
  const script = launcherScript(musterBin);
  try {
    const same = fs.existsSync(file) && fs.readFileSync(file, 'utf8') === script && (fs.statSync(file).mode & 0o777) === LAUNCHER_MODE;
    if (!same) {
      makePrivateDir(dir);
      writeFileAtomic(file, script, LAUNCHER_MODE);
    }
  } catch (err) {
    if (!isDiskFull(err)) throw err;
  }
  return file;
}
