/**
 * Where the supervisor's control socket lives. Normally `<stateDir>/control.sock`;
 * Unix socket paths are limited to 107 bytes, so a deeper state folder gets
 * `<tmpdir>/muster-<uid>/<hash>.sock` (folder 0700) and the real path is
 * written to `<stateDir>/control.path` for people looking.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MusterError } from '../../errors.js';

export const SOCKET_FILE = 'control.sock';
export const SOCKET_PATH_NOTE = 'control.path';
/** sun_path holds 108 bytes including the terminating NUL */
export const MAX_SOCKET_PATH_BYTES = 107;

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The folder that holds fallback sockets for this user. */
export function fallbackSocketDir(tmpDir: string = os.tmpdir()): string {
  return path.join(tmpDir, `muster-${uid()}`);
}

/** The control socket path for a state folder; both the server and its clients use this. */
export function controlSocketPath(stateDir: string, tmpDir: string = os.tmpdir()): string {
  const dir = path.resolve(stateDir);
  const preferred = path.join(dir, SOCKET_FILE);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  const hash = createHash('sha1').update(dir).digest('hex').slice(0, 16);
  return path.join(fallbackSocketDir(tmpDir), `${hash}.sock`);
}

/**
 * Makes sure the folder of a fallback socket exists, belongs to us and is
 * private (0700). Refuses a folder that another user owns.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid()) {
    throw new MusterError(`${dir} is not a folder of this user`, {
      hint: 'Someone else created it; remove it or set TMPDIR to a private folder.',
    });
  }
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}

/**
 * The socket a client should connect to: the path the running server wrote
 * to `control.path` when it used the fallback (its TMPDIR may differ from
 * ours), else `controlSocketPath`.
 */
export function findControlSocket(stateDir: string, tmpDir: string = os.tmpdir()): string {
  const computed = controlSocketPath(stateDir, tmpDir);
  if (path.dirname(computed) === path.resolve(stateDir)) return computed;
  try {
    const noted = fs.readFileSync(path.join(path.resolve(stateDir), SOCKET_PATH_NOTE), 'utf8').trim();
    if (noted !== '') return noted;
  } catch {
    // no note: the server has not started, or used the computed path
  }
  return computed;
}
