/**
 * Puts the terminal on one agent's pane and back: `tmux attach` runs in a pty sized to
 * the terminal; keys go to it, its output comes back, resizes follow. `Ctrl-]` (or tmux
 * detaching or exiting) returns. The caller must have unmounted Ink first: while this
 * runs, this module is the only reader of stdin.
 */
import { execFile } from 'node:child_process';
import * as pty from '@lydell/node-pty';

/** The byte that leaves an attached pane: Ctrl-] (as telnet and `docker attach` use). */
export const ESCAPE_BYTE = 0x1d;

/** A command to run in the pty (e.g. `CrewServer.tmuxCommand(['attach-session', …])`). */
export interface PtyCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface AttachIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  /** default: the pty spawn of @lydell/node-pty */
  spawn?: typeof pty.spawn;
  /** aborting ends the attach (the TUI is closing) */
  signal?: AbortSignal;
  /** the command that detaches the tmux client on this terminal (`detach-client -t TTY`); without it, or when it fails, the client gets SIGHUP */
  detachCommand?: (clientTty: string) => PtyCommand;
}

/** How the attach ended: the user pressed Ctrl-], or tmux exited (detached, or the server went away). */
export type AttachEnd = { how: 'escape' } | { how: 'exited'; exitCode: number };

/**
 * `LESS` for a pager that must wait for `q` (the diff handed the terminal by `d`): without
 * `F`, which quits at once when the text fits one screen. Unset: `R` (colours), as git would
 * set it but for the `F`.
 */
export function lessWaiting(less: string | undefined): string {
  if (less === undefined || less.trim() === '') return 'R';
  return less.replace(/^(-?)([A-Za-z]+)/, (_m, dash: string, flags: string) => dash + (flags.replace(/F/g, '') || 'R'));
}

/** tmux arguments that select the pane, its window, and attach to its session. Targets are pane ids. */
export function attachArgs(paneId: string): string[] {
  if (!/^%\d+$/.test(paneId)) throw new Error(`invalid tmux pane id ${JSON.stringify(paneId)}`);
  return ['select-window', '-t', paneId, ';', 'select-pane', '-t', paneId, ';', 'attach-session', '-t', paneId];
}

/** Runs `command` in a pty on this terminal until Ctrl-] or its exit. */
export function attachInPty(command: PtyCommand, io: AttachIo): Promise<AttachEnd> {
  const { stdin, stdout } = io;
  const env: NodeJS.ProcessEnv = { ...command.env, TERM: command.env.TERM ?? process.env.TERM ?? 'xterm-256color' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const child = (io.spawn ?? pty.spawn)(command.file, command.args, {
    name: env.TERM ?? 'xterm-256color',
    cols: Math.max(2, stdout.columns || 80),
    rows: Math.max(2, stdout.rows || 24),
    cwd: process.cwd(),
    env: env as Record<string, string>,
  });
  return new Promise<AttachEnd>((resolve) => {
    let escaped = false;
    let done = false;
    let killTimer: NodeJS.Timeout | null = null;
    const onInput = (chunk: Buffer | string) => {
      if (escaped) return;
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const at = text.indexOf(String.fromCharCode(ESCAPE_BYTE));
      if (at < 0) {
        child.write(text);
        return;
      }
      if (at > 0) child.write(text.slice(0, at));
      leave();
    };
    const hangUp = () => {
      if (done) return;
      // SIGHUP makes the tmux client leave too; the session and the agent stay.
      child.kill('SIGHUP');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
    };
    const leave = () => {
      if (escaped || done) return;
      escaped = true;
      const tty = (child as { ptsName?: string }).ptsName;
      if (!io.detachCommand || !tty) return hangUp();
      const cmd = io.detachCommand(tty);
      execFile(cmd.file, cmd.args, { env: cmd.env, timeout: 3000 }, (err) => {
        if (err) hangUp();
        else killTimer = setTimeout(hangUp, 2000);
      });
    };
    io.signal?.addEventListener('abort', leave, { once: true });
    const onResize = () => child.resize(Math.max(2, stdout.columns || 80), Math.max(2, stdout.rows || 24));
    const dataSub = child.onData((data) => {
      if (!done) stdout.write(data);
    });
    const exitSub = child.onExit(({ exitCode }) => {
      done = true;
      if (killTimer) clearTimeout(killTimer);
      stdin.off('data', onInput);
      stdout.off('resize', onResize);
      dataSub.dispose();
      exitSub.dispose();
      io.signal?.removeEventListener('abort', leave);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      resolve(escaped ? { how: 'escape' } : { how: 'exited', exitCode });
    });
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    stdout.on('resize', onResize);
  });
}
