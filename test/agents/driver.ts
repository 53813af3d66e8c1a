/**
 * Driving a real agent CLI in tmux for tests: one tmux server per CLI on the test's own
 * socket (never the default server), one 120×40 pane running the CLI under `env -i` with the
 * environment prepareCli() built. Waits for screen conditions with generous deadlines, types
 * as muster types several lines (crew-server.ts pasteText: `set-buffer`, a bracketed
 * `paste-buffer -p -r`; a pause; Enter on its own) — for one line too, because Gemini CLI
 * turns an Enter that follows `send-keys -l` within ~0.5 s into a newline — captures the
 * screen, and cleans
 * up: the tmux server by its socket, then every process that carries this run's marker in its
 * environment (Codex's `codex app-server` daemon leaves the pane's process tree and session).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { alive, killTestServer, tmuxOn, uniqueSocket } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { RUN_MARKER, type CliLaunch } from './cli-env.js';

export const COLS = 120;
export const ROWS = 40;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface TypeOptions {
  /** press Enter after the text (default true) */
  submit?: boolean;
  /** pause between the text and Enter, ms (default 250: an Enter within ~150 ms counts as part of the paste in Claude Code and Codex) */
  pauseMs?: number;
  /** type one line with `send-keys -l` instead of a bracketed paste (muster's one-line path) */
  keys?: boolean;
}

export interface CaptureOptions {
  /** keep escape sequences (`capture-pane -e`) */
  escapes?: boolean;
  /** join wrapped lines (`-J`, as muster reads panes) */
  join?: boolean;
  /** lines of history above the visible screen */
  history?: number;
}

/** Pids of processes whose environment holds `RUN_MARKER=runId`. */
export function markedProcesses(runId: string): number[] {
  const needle = `${RUN_MARKER}=${runId}\0`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`.includes(needle)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out.filter(alive);
}

/** Ends every process marked with `runId`: TERM, then KILL after `graceMs`; waits until all are gone. */
export async function reapMarked(runId: string, graceMs = 3_000): Promise<number[]> {
  const found = markedProcesses(runId);
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal(found, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (markedProcesses(runId).length > 0 && Date.now() < deadline) await sleep(50);
  signal(markedProcesses(runId), 'SIGKILL');
  await waitFor(`processes of run ${runId} to exit`, () => markedProcesses(runId).length === 0, 10_000);
  return found;
}

export class AgentPane {
  private constructor(
    readonly socket: string,
    readonly paneId: string,
    readonly launch: CliLaunch,
  ) {}

  /**
   * Drives a pane that someone else started (a muster crew's pane on the crew's tmux
   * server): screens, typing and keys as for a pane of its own. `stop()` must not be called
   * on it (it would kill that server); the owner ends it.
   */
  static attach(socket: string, paneId: string, launch: CliLaunch): AgentPane {
    return new AgentPane(socket, paneId, launch);
  }

  /** Starts the CLI in a new tmux server of its own; resolves once the pane exists. */
  static async start(launch: CliLaunch, opts: { label?: string; cols?: number; rows?: number } = {}): Promise<AgentPane> {
    const socket = uniqueSocket(opts.label ?? `agent-${launch.cli}`);
    const envArgs = Object.entries(launch.env).map(([k, v]) => `${k}=${v}`);
    const cols = String(opts.cols ?? COLS);
    const rows = String(opts.rows ?? ROWS);
    const r = await tmuxOn(socket, [
      'new-session', '-d', '-s', 'agent', '-x', cols, '-y', rows, '-c', launch.cwd,
      '-P', '-F', '#{pane_id}',
      '/usr/bin/env', '-i', ...envArgs, ...launch.argv,
    ]);
    if (r.code !== 0) throw new Error(`tmux new-session for ${launch.cli} failed: ${r.stderr.trim()}`);
    const paneId = r.stdout.trim();
    // keep a crashed CLI's last screen for the failure message; no status line in the capture
    await tmuxOn(socket, ['set-option', '-p', '-t', paneId, 'remain-on-exit', 'on']);
    await tmuxOn(socket, ['set-option', '-g', 'status', 'off']);
    await tmuxOn(socket, ['resize-window', '-t', paneId, '-x', cols, '-y', rows]);
    return new AgentPane(socket, paneId, launch);
  }

  private async tmux(args: string[]): Promise<string> {
    const r = await tmuxOn(this.socket, args);
    if (r.code !== 0) throw new Error(`tmux ${args[0]} on ${this.socket}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** The visible screen as text (`capture-pane -p`), trailing blank lines dropped. */
  async screen(opts: CaptureOptions = {}): Promise<string> {
    const args = ['capture-pane', '-p', '-t', this.paneId];
    if (opts.escapes) args.push('-e');
    if (opts.join) args.push('-J');
    if (opts.history) args.push('-S', `-${opts.history}`);
    const lines = (await this.tmux(args)).split('\n');
    while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
    return lines.join('\n');
  }

  /** The pane's process has exited (then `exitStatus` says how). */
  async dead(): Promise<{ dead: boolean; status: number | null }> {
    const out = (await this.tmux(['display-message', '-p', '-t', this.paneId, '#{pane_dead} #{pane_dead_status}'])).trim().split(' ');
    return { dead: out[0] === '1', status: out[1] ? Number(out[1]) : null };
  }

  /** The pid of the pane's process (the `env -i` that became the CLI). */
  async pid(): Promise<number> {
    return Number((await this.tmux(['display-message', '-p', '-t', this.paneId, '#{pane_pid}'])).trim());
  }

  /** The cursor's position (column, row from the top of the screen). */
  async cursor(): Promise<{ x: number; y: number }> {
    const [x, y] = (await this.tmux(['display-message', '-p', '-t', this.paneId, '#{cursor_x} #{cursor_y}'])).trim().split(' ');
    return { x: Number(x), y: Number(y) };
  }

  /**
   * Waits until the screen satisfies `cond` (a pattern, or a function of the screen text);
   * resolves with that screen. On timeout the error carries the last screen.
   */
  async waitForScreen(what: string, cond: RegExp | ((screen: string) => boolean), timeoutMs = 90_000): Promise<string> {
    const test = typeof cond === 'function' ? cond : (s: string) => cond.test(s);
    let last = '';
    try {
      return await waitFor(
        `${this.launch.cli}: ${what}`,
        async () => {
          last = await this.screen();
          if (test(last)) return last;
          const { dead, status } = await this.dead();
          if (dead) throw new Error(`the ${this.launch.cli} process exited (status ${status})`);
          return null;
        },
        timeoutMs,
        100,
      );
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last screen of ${this.launch.cli} ---\n${last}\n---`);
    }
  }

  /** Waits until the screen has not changed for `quietMs`; resolves with it. */
  async waitForStableScreen(what: string, quietMs = 2_000, timeoutMs = 90_000): Promise<string> {
    let last = await this.screen();
    let since = Date.now();
    return this.waitForScreen(what, (s) => {
      if (s !== last) {
        last = s;
        since = Date.now();
        return false;
      }
      return Date.now() - since >= quietMs;
    }, timeoutMs);
  }

  /** Types text without submitting it: a bracketed paste, or with `keys` (one line only) `send-keys -l`. */
  async paste(text: string, opts: { keys?: boolean } = {}): Promise<void> {
    if (text === '') return;
    if (opts.keys) {
      if (/[\r\n]/.test(text)) throw new Error('send-keys -l types one line; paste several lines');
      await this.tmux(['send-keys', '-t', this.paneId, '-l', '--', text]);
      return;
    }
    const buffer = `agents-${process.pid}-${Date.now().toString(36)}`;
    await this.tmux(['set-buffer', '-b', buffer, '--', text]);
    await this.tmux(['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', this.paneId]);
  }

  /**
   * Types `text` and, unless `submit: false`, presses Enter on its own once the CLI has drawn
   * the text (the screen changed) and a pause has passed. Waiting for the redraw matters on a
   * loaded machine: a CLI that has not read the paste yet reads it together with the Enter,
   * and Gemini CLI turns an Enter read within 30 ms of typed text into a newline.
   */
  async type(text: string, opts: TypeOptions = {}): Promise<void> {
    const before = await this.screen();
    await this.paste(text, { keys: opts.keys ?? false });
    if (opts.submit === false) return;
    await waitFor(`${this.launch.cli} to draw the typed text`, async () => (await this.screen()) !== before, 15_000, 50).catch(() => undefined);
    await sleep(opts.pauseMs ?? 250);
    await this.press('Enter');
  }

  /** Sends keys by tmux name (`Enter`, `Escape`, `C-c`, `y`, `1`, …), each as its own key press. */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux(['send-keys', '-t', this.paneId, '--', key]);
  }

  /**
   * Ends everything: the tmux server by its socket (the CLI gets SIGHUP), then every process
   * marked with this run's id (daemons the CLI started). Returns the pids reaped after tmux.
   */
  async stop(): Promise<number[]> {
    await killTestServer(this.socket);
    return reapMarked(this.launch.env[RUN_MARKER] as string);
  }
}
