/**
 * Helpers for tests that run a real tmux server: a unique socket name per
 * test file, and a killer that stops that server by its socket and waits
 * until it is gone. They call tmux directly (not through src/tmux), so they
 * still clean up when the adapter under test is broken.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/** A socket name no other test (or user) uses: `muster-test-<label>-<pid>-<random>`. */
export function uniqueSocket(label = 't'): string {
  return `muster-test-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** An environment for tmux without the caller's own tmux / Claude Code variables. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.CLAUDECODE;
  return env;
}

/** The environment for a TUI under test in a pty: Ink draws only its last frame when it believes it runs in CI, and colours stay on. */
export function tuiEnv(): NodeJS.ProcessEnv {
  const env = cleanEnv();
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.NO_COLOR;
  return env;
}

/** Runs `tmux -L socket args…`; resolves with the exit code and output (never rejects on a tmux error). */
export function tmuxOn(socket: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: cleanEnv(), timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Does a server answer on `socket`? */
export async function serverAnswers(socket: string): Promise<boolean> {
  return (await tmuxOn(socket, ['list-sessions', '-F', '#{session_id}'])).code === 0;
}

/** Kills the tmux server on `socket` (only that one), waits until it no longer answers, removes its socket file. */
export async function killTestServer(socket: string, timeoutMs = 10_000): Promise<void> {
  const pidOut = await tmuxOn(socket, ['display-message', '-p', '#{pid}']);
  const pid = pidOut.code === 0 ? Number(pidOut.stdout.trim()) : null;
  await tmuxOn(socket, ['kill-server']);
  const deadline = Date.now() + timeoutMs;
  while ((await serverAnswers(socket)) || (pid !== null && pid > 0 && alive(pid))) {
    if (Date.now() > deadline) throw new Error(`tmux server on ${socket} did not exit`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // tmux leaves the socket file behind; this one is unique to the test
  await rm(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
}

/** Is `pid` running (a zombie counts as gone)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

export { waitFor } from './wait.js';
