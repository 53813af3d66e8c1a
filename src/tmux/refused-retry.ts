/**
 * A crew's tmux server that is busy seeing off a client (a supervisor killed a moment ago,
 * or the server itself exiting) refuses new clients and commands, which tmux reports as
 * "server exited unexpectedly" while the server may run on. Starting the server and
 * attaching the control client try again through it (crew-server.ts).
 */
import { sleep } from '../sys/time.js';
import { TmuxCommandError, TmuxError } from './errors.js';

/** tmux refused the client that way (as a failed command, or a control client that could not attach). */
export function refusedByServer(err: unknown): boolean {
  const text = err instanceof TmuxCommandError ? err.tmuxMessage : err instanceof TmuxError ? err.message : '';
  return /exited unexpectedly/.test(text);
}

/**
 * Runs `fn`, and again every 100 ms while tmux refuses it and `worthIt()` holds (the server
 * still answers, say), up to `timeoutMs`; any other failure, or the last refusal, is thrown.
 */
export async function whileRefused<T>(timeoutMs: number, fn: () => Promise<T>, worthIt: () => Promise<boolean> = async () => true): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!refusedByServer(err) || Date.now() > deadline || !(await worthIt())) throw err;
      await sleep(100);
    }
  }
}
