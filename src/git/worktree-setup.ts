/**
 * A worktree's `setup` command (docs/worktrees.md): run once in a new worktree before its
 * agent starts, through `/bin/sh -c`, in a process group of its own (so a stop ends all
 * of it), its output appended to the agent's log.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SetupRun {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  signal?: AbortSignal;
}

/** How the setup ended: its exit code (null when a signal ended it). */
export interface SetupEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  aborted: boolean;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

export function runSetup(run: SetupRun): Promise<SetupEnd> {
  fs.mkdirSync(path.dirname(run.logFile), { recursive: true });
  const fd = fs.openSync(run.logFile, 'a');
  fs.writeSync(fd, `\n[muster ${stamp()}] setup in ${run.cwd}: ${run.command}\n`);
  return new Promise<SetupEnd>((resolve) => {
    let aborted = false;
    const child = spawn('/bin/sh', ['-c', run.command], { cwd: run.cwd, env: run.env, stdio: ['ignore', fd, fd], detached: true });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let hard: NodeJS.Timeout | null = null;
    const onAbort = () => {
      aborted = true;
      kill('SIGTERM');
      hard = setTimeout(() => kill('SIGKILL'), 3000);
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    const finish = (end: SetupEnd) => {
      if (finished) return;
      finished = true;
      if (hard) clearTimeout(hard);
      run.signal?.removeEventListener('abort', onAbort);
      const how = end.aborted ? 'stopped' : end.code === 0 ? 'done' : end.code === null ? `ended by ${end.signal}` : `failed with exit ${end.code}`;
      try {
        fs.writeSync(fd, `[muster ${stamp()}] setup ${how}\n`);
      } finally {
        fs.closeSync(fd);
      }
      resolve(end);
    };
    child.once('error', (err) => {
      fs.writeSync(fd, `[muster ${stamp()}] setup could not start: ${err.message}\n`);
      finish({ code: 127, signal: null, aborted });
    });
    child.once('exit', (code, signal) => {
      // The group may still hold children the shell left behind: end them with it.
      kill('SIGKILL');
      finish({ code, signal, aborted });
    });
    if (run.signal?.aborted) onAbort();
  });
}
