/**
 * Typed errors of the tmux adapter. Each says what failed and, in `hint`,
 * what the user can do about it.
 */
import { MusterError } from '../errors.js';

/** Base class of every error raised by `src/tmux`. */
export class TmuxError extends MusterError {
  constructor(message: string, options: { hint?: string | null; cause?: unknown } = {}) {
    super(message, { exitCode: 1, hint: options.hint ?? null, cause: options.cause });
  }
}

/** No usable tmux binary (missing, or older than the version muster needs). */
export class TmuxNotFoundError extends TmuxError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, {
      hint: 'tmux 3.0 or newer is required: install it with your package manager (apt install tmux, brew install tmux, …) and make sure it is on PATH.',
      cause: options.cause,
    });
  }
}

/** tmux answered a command with an error (`%error`, or a non-zero exit of a one-shot call). */
export class TmuxCommandError extends TmuxError {
  /** the command line that failed, as sent to tmux */
  readonly command: string;
  /** tmux's own message, e.g. `can't find pane: %9` */
  readonly tmuxMessage: string;

  constructor(command: string, tmuxMessage: string, hint: string | null = null) {
    super(`tmux command failed: ${tmuxMessage || 'no message'} (${shorten(command)})`, {
      hint: hint ?? 'This is likely a bug in muster or a pane that is gone; `muster status` shows the crew as tmux sees it.',
    });
    this.command = command;
    this.tmuxMessage = tmuxMessage;
  }
}

/** The crew's tmux server is not running (and was not to be started). */
export class TmuxServerNotRunningError extends TmuxError {
  constructor(socketName: string) {
    super(`the crew's tmux server (socket ${socketName}) is not running`, {
      hint: 'Start the crew with `muster up`.',
    });
  }
}

/** The control-mode client is gone (closed, or the server exited under it). */
export class TmuxClientClosedError extends TmuxError {
  constructor(detail: string) {
    super(`the tmux control client is closed: ${detail}`, {
      hint: 'The crew\'s tmux server may have exited; run `muster status` to check, then `muster up`.',
    });
  }
}

/** Something did not happen within its deadline (server start, server exit, …). */
export class TmuxTimeoutError extends TmuxError {
  constructor(message: string, hint: string) {
    super(message, { hint });
  }
}

/** A caller passed a value this adapter refuses (bad pane id, control characters in an id, …). */
export class TmuxArgumentError extends TmuxError {
  constructor(message: string) {
    super(message, { hint: 'This is a bug in muster; please report it with the line above.' });
  }
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
