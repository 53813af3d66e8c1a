/**
 * `runTui`: the TUI on a running supervisor. It connects to the control socket, draws
 * the grid on the alternate screen, and leaves the crew alone when it ends: `q`, a
 * closed terminal (SIGHUP), SIGTERM or SIGINT end only the TUI. Several TUIs can watch
 * one crew. Attaching unmounts Ink, lends the terminal to `tmux attach` in a pty, and
 * mounts Ink again on the same store.
 */
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { AgentStatusView } from '../supervisor/control/contract.js';
import { connectControl } from '../supervisor/control/control-client.js';
import { App } from './App.js';
import { attachArgs, attachInPty, type AttachEnd, type PtyCommand } from './attach.js';
import { TuiController } from './controller.js';
import { needsYouSignal } from './osc.js';
import { PreviewPoller } from './preview-poller.js';
import { SupervisorLink, type CrewClient } from './supervisor-link.js';
import { TuiStore } from './tui-store.js';
import { colorsEnabled, initialState } from './tui-state.js';

export interface RunTuiOptions {
  /** the project's state folder (`.muster/`), where the control socket is */
  stateDir: string;
  /** the emergency cleanup, as `muster cleanup --yes` does it; resolves with the line to print */
  cleanup: () => Promise<string>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** for NO_COLOR and TERM (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** default: connectControl(stateDir) */
  connect?: () => Promise<CrewClient>;
  /** how to run tmux on the crew's server (for attach) */
  tmuxCommand: (args: string[]) => PtyCommand;
  /** handle SIGHUP, SIGTERM and SIGINT (default true) */
  handleSignals?: boolean;
  /** no bell for needs-you events (the terminal notifications are still written) */
  quiet?: boolean;
  /** the command that shows an agent's diff on the terminal (`d`; `muster diff AGENT`) */
  diffCommand?: (agentId: string) => PtyCommand;
}

/** Why the TUI ended, and the line to print once the terminal is back. */
export interface TuiResult {
  reason: 'quit' | 'cleanup' | 'signal';
  message: string;
  /** exit code for the command (1 when the cleanup failed) */
  code: number;
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[2J\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR = '\x1b[2J\x1b[H';

class TuiSession {
  readonly store: TuiStore;
  private readonly link: SupervisorLink;
  private readonly poller: PreviewPoller;
  private readonly controller: TuiController;
  private readonly stdin: NodeJS.ReadStream;
  private readonly stdout: NodeJS.WriteStream;
  private readonly tmuxCommand: (args: string[]) => PtyCommand;
  private instance: Instance | null = null;
  private attaching: Promise<void> | null = null;
  private attachAbort: AbortController | null = null;
  /** the agent whose pane the terminal is on now: its needs-you events make no noise */
  private attachedTo: string | null = null;
  private finished = false;
  private resolveDone!: (r: TuiResult) => void;
  readonly done = new Promise<TuiResult>((r) => (this.resolveDone = r));
  private readonly undo: Array<() => void> = [];

  constructor(private readonly opts: RunTuiOptions) {
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
    const env = opts.env ?? process.env;
    this.tmuxCommand = opts.tmuxCommand;
    this.store = new TuiStore(initialState(this.size(), colorsEnabled(env), Date.now()));
    this.link = new SupervisorLink({
      store: this.store,
      connect: opts.connect ?? (() => connectControl(opts.stateDir)),
      onSnapshot: () => this.poller.pulse(),
      onEvent: (event) => {
        const signal = needsYouSignal(event, { attachedTo: this.attachedTo, quiet: opts.quiet === true, insideTmux: Boolean(env.TMUX) });
        if (signal) this.write(signal);
      },
    });
    this.poller = new PreviewPoller({
      store: this.store,
      capture: async (agent, lines) => (await this.link.request('capture', { agent, lines })).text,
    });
    this.controller = new TuiController(this.store, {
      request: (cmd, args) => this.link.request(cmd, args),
      attach: (agent) => this.attach(agent),
      diff: (agent) => this.diff(agent),
      cleanup: () => void this.cleanup(),
      quit: () => void this.finish({ reason: 'quit', message: 'muster: the TUI closed; the crew keeps running (`muster up` reopens it, `muster down` stops it)', code: 0 }),
    });
  }

  private size(): { cols: number; rows: number } {
    return { cols: this.stdout.columns || 80, rows: this.stdout.rows || 24 };
  }

  async start(): Promise<void> {
    const onResize = () => {
      // Terminals reflow a resized screen differently: start the next frame on a clean one.
      if (this.instance) this.write(CLEAR);
      this.store.setSize(this.size().cols, this.size().rows);
    };
    // A closed terminal makes writes fail; nothing to do about it (kept to the end, as the
    // last writes may still fail).
    const swallow = () => undefined;
    this.stdout.on('resize', onResize);
    this.stdout.on('error', swallow);
    this.undo.push(() => this.stdout.off('resize', onResize));
    if (this.opts.handleSignals !== false) {
      const onSignal = (signal: NodeJS.Signals) => void this.finish({ reason: 'signal', message: `muster: the TUI ended (${signal}); the crew keeps running`, code: 0 });
      for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
        process.on(signal, onSignal);
        this.undo.push(() => process.off(signal, onSignal));
      }
    }
    this.write(ALT_SCREEN_ON);
    this.mount();
    await this.link.start();
    this.poller.start();
  }

  private write(text: string): void {
    try {
      this.stdout.write(text);
    } catch {
      // the terminal is gone
    }
  }

  private mount(): void {
    this.instance = render(createElement(App, { store: this.store, controller: this.controller }), {
      stdin: this.stdin,
      stdout: this.stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      // Ink 6.8's incrementalRendering shifts a frame shorter than the terminal down one
      // row per update (measured in a pty): the standard renderer, inside synchronized
      // output, is used instead.
      incrementalRendering: false,
      maxFps: 30,
    });
  }

  private async unmount(): Promise<void> {
    const instance = this.instance;
    this.instance = null;
    if (!instance) return;
    instance.unmount();
    await instance.waitUntilExit().catch(() => undefined);
  }

  private attach(agent: AgentStatusView): void {
    if (agent.pane === null) return;
    this.handOver(agent, this.tmuxCommand(attachArgs(agent.pane)), 'pane', (tty) => this.tmuxCommand(['detach-client', '-t', tty]));
  }

  /** `d`: the agent's diff in the user's pager, through the same hand-over as attach. */
  private diff(agent: AgentStatusView): void {
    if (!this.opts.diffCommand) {
      this.store.notice('warn', 'the diff is not available here', agent.id);
      return;
    }
    this.handOver(agent, this.opts.diffCommand(agent.id), 'diff');
  }

  /** Lends the terminal to `command` (tmux attach, a pager) until it ends or Ctrl-], then draws the grid again. */
  private handOver(agent: AgentStatusView, command: PtyCommand, what: 'pane' | 'diff', detachCommand?: (tty: string) => PtyCommand): void {
    if (this.attaching || this.finished) return;
    this.attaching = this.runHandOver(agent, command, what, detachCommand).finally(() => {
      this.attaching = null;
    });
  }

  private async runHandOver(agent: AgentStatusView, command: PtyCommand, what: 'pane' | 'diff', detachCommand?: (tty: string) => PtyCommand): Promise<void> {
    let end: AttachEnd | Error;
    try {
      await this.unmount();
      this.stdin.pause();
      this.write(CLEAR);
      this.attachAbort = new AbortController();
      this.attachedTo = what === 'pane' ? agent.id : null;
      end = await attachInPty(command, { stdin: this.stdin, stdout: this.stdout, signal: this.attachAbort.signal, detachCommand });
    } catch (err) {
      end = err instanceof Error ? err : new Error(String(err));
    }
    this.attachAbort = null;
    this.attachedTo = null;
    if (this.finished) return;
    this.stdin.pause();
    this.write(ALT_SCREEN_ON);
    this.store.setSize(this.size().cols, this.size().rows);
    const from = what === 'pane' ? 'the pane' : `the diff of ${agent.id}`;
    if (end instanceof Error) this.store.notice('error', `${what === 'pane' ? 'attach' : 'diff'} failed: ${end.message}`, agent.id);
    else if (end.how === 'escape') this.store.notice('info', `back from ${from} (Ctrl-])`, agent.id);
    else if (what === 'diff') this.store.notice(end.exitCode === 0 ? 'info' : 'warn', end.exitCode === 0 ? `back from ${from}` : `the diff of ${agent.id} ended with ${end.exitCode}`, agent.id);
    else this.store.notice('info', `back from the pane (tmux ended with ${end.exitCode})`, agent.id);
    this.mount();
  }

  private async cleanup(): Promise<void> {
    this.store.notice('warn', 'emergency cleanup: killing every process of the crew and its tmux server…');
    this.poller.stop();
    this.link.close();
    let message: string;
    let code = 0;
    try {
      message = await this.opts.cleanup();
    } catch (err) {
      message = `muster: cleanup failed: ${err instanceof Error ? err.message : String(err)}`;
      code = 1;
    }
    await this.finish({ reason: 'cleanup', message, code });
  }

  async finish(result: TuiResult): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.attachAbort?.abort();
    await this.attaching; // tmux hands the terminal back first
    this.poller.stop();
    this.link.close();
    await this.unmount();
    this.store.dispose();
    for (const fn of this.undo.splice(0)) fn();
    this.write(ALT_SCREEN_OFF + SHOW_CURSOR);
    try {
      if (this.stdin.isTTY) this.stdin.setRawMode(false);
    } catch {
      // the terminal is gone
    }
    this.stdin.pause();
    this.resolveDone(result);
  }
}

/** Runs the TUI until the user quits, the cleanup ran, or a signal ends it. Never stops the crew (except `X`). */
export async function runTui(opts: RunTuiOptions): Promise<TuiResult> {
  const session = new TuiSession(opts);
  await session.start();
  return session.done;
}
