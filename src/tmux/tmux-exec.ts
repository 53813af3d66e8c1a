/**
 * Running the tmux binary once (execFile): version check, one-shot commands,
 * and the environment every tmux process of the crew gets.
 */
import { execFile } from 'node:child_process';
import { TmuxCommandError, TmuxNotFoundError } from './errors.js';

/** Variables of the caller's own tmux / Claude Code session that must not reach the crew. */
export const STRIPPED_ENV = ['TMUX', 'TMUX_PANE', 'CLAUDECODE'] as const;

/** A copy of `env` without TMUX, TMUX_PANE and CLAUDECODE. */
export function crewEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of STRIPPED_ENV) delete out[k];
  return out;
}

/** What one tmux run printed. */
export interface ExecResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `tmuxBin args…` once. Rejects with TmuxNotFoundError when the binary is
 * missing and TmuxCommandError (tmux's stderr as the message) on a non-zero exit.
 */
export function execTmux(tmuxBin: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(tmuxBin, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ stdout, stderr });
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        reject(new TmuxNotFoundError(`tmux is not installed (${tmuxBin} was not found on PATH)`, { cause: err }));
        return;
      }
      const message = stderr.trim() || (err.killed ? `timed out after ${timeoutMs} ms` : err.message);
      reject(new TmuxCommandError(`${tmuxBin} ${args.join(' ')}`, message));
    });
  });
}

/** The tmux binary that will be used, and its version. */
export interface TmuxInfo {
  bin: string;
  version: string;
  major: number;
  minor: number;
}

/** Parses `tmux -V` output (`tmux 3.3a`, `tmux next-3.5`, `tmux 3.2-rc3`); null if no version is in it. */
export function parseTmuxVersion(text: string): { version: string; major: number; minor: number } | null {
  const m = /(\d+)\.(\d+)[a-z0-9.-]*/i.exec(text);
  if (!m) return /\bmaster\b/.test(text) ? { version: 'master', major: 99, minor: 0 } : null;
  return { version: m[0], major: Number(m[1]), minor: Number(m[2]) };
}

/** Checks that `tmuxBin` (default: `tmux` on PATH) runs and is version 3.0 or newer. */
export async function findTmux(tmuxBin = 'tmux', env: NodeJS.ProcessEnv = process.env): Promise<TmuxInfo> {
  let out: ExecResult;
  try {
    out = await execTmux(tmuxBin, ['-V'], crewEnv(env));
  } catch (err) {
    if (err instanceof TmuxNotFoundError) throw err;
    throw new TmuxNotFoundError(`${tmuxBin} -V failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const v = parseTmuxVersion(out.stdout);
  if (!v) throw new TmuxNotFoundError(`cannot read the tmux version from ${JSON.stringify(out.stdout.trim())}`);
  if (v.major < 3) throw new TmuxNotFoundError(`tmux ${v.version} is too old: muster needs tmux 3.0 or newer`);
  return { bin: tmuxBin, ...v };
}
