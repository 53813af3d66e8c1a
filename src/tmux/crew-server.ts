/**
 * The crew's own tmux server for one project: started with our own settings
 * (never the user's config), an anchor session `_muster`, and one control
 * client attached to it for every command. Targets are always ids
 * (`%N`, `@N`, `$N`) or exact names (`=name`).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { isProcessAlive } from '../sys/process-identity.js';
import { sleep } from '../sys/time.js';
import { ControlClient } from './control-client.js';
import { whileRefused } from './refused-retry.js';
import { parseSubscriptionChange, type ControlNotification } from './control-protocol.js';
import { TmuxArgumentError, TmuxClientClosedError, TmuxCommandError, TmuxError, TmuxServerNotRunningError, TmuxTimeoutError } from './errors.js';
import { DEATH_FORMAT, DEATH_SUBSCRIPTION, DeathWatch, PANE_FORMAT, parseDeathValue, parsePaneLine, type PaneDeath, type PaneInfo, type PaneLife } from './pane-format.js';
import { DEFAULT_SIZE, planTeam, type TeamLayout } from './team-plan.js';
import { assertPaneId, launchCommands, prepareLaunch, type LaunchSpec } from './launch-plan.js';
import { crewEnv, execTmux, findTmux, type TmuxInfo } from './tmux-exec.js';

export type { LaunchSpec } from './launch-plan.js';

/** Name of the session that keeps the server alive; team names never start with `_`. */
export const ANCHOR_SESSION = '_muster';

/** Global settings of the crew's server, applied when it starts. */
const SERVER_SETTINGS: string[][] = [
  ['set-option', '-g', 'remain-on-exit', 'on'],
  ['set-option', '-g', 'history-limit', '50000'],
  ['set-option', '-g', 'default-size', `${DEFAULT_SIZE.cols}x${DEFAULT_SIZE.rows}`],
  ['set-option', '-g', 'automatic-rename', 'off'],
  ['set-option', '-g', 'allow-rename', 'off'],
  ['set-option', '-s', 'escape-time', '10'],
];

/** The tmux socket name of a project: `muster-<basename, ≤20 chars>-<8 hex of sha1(abs dir)>`. */
export function socketNameFor(projectDir: string): string {
  const abs = path.resolve(projectDir);
  const base = path.basename(abs).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 20) || 'project';
  const hash = createHash('sha1').update(abs).digest('hex').slice(0, 8);
  return `muster-${base}-${hash}`;
}

/** How to construct a CrewServer. */
export interface CrewServerOptions {
  socketName: string;
  /** how long a command on the control client may go unanswered (default 10 s; see ControlClient) */
  commandTimeoutMs?: number;
  /** default: `tmux` on PATH */
  tmuxBin?: string;
  /** environment of every tmux process (default process.env); TMUX, TMUX_PANE, CLAUDECODE are removed */
  env?: NodeJS.ProcessEnv;
}

/** Events of a CrewServer. */
export interface CrewServerEvents {
  /**
   * A pane's process ended (reported within about a second, once per pid,
   * placeholders and panes already dead when `open` subscribed included).
   */
  paneDied: [paneId: string, status: number | null, death: PaneDeath];
  /** a pane was removed (killed by hand, its window closed) */
  paneGone: [paneId: string];
  /** the control client went away (server killed, or `close`) */
  clientExit: [reason: string];
}

/** The crew's tmux server. */
export class CrewServer extends EventEmitter<CrewServerEvents> {
  readonly socketName: string;
  private readonly tmuxBin: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly commandTimeoutMs: number;
  private client: ControlClient | null = null;
  /** the server's pid while the control client is attached */
  private pid: number | null = null;
  private info: TmuxInfo | null = null;
  private opening: Promise<void> | null = null;
  private deaths = new DeathWatch();
  /** panes in the last death-subscription value (null before the first) */
  private livePanes: Set<string> | null = null;
  private subscribed = false;
  private ensureChain: Promise<unknown> = Promise.resolve();
  private pasteCounter = 0;

  constructor(opts: CrewServerOptions) {
    super();
    if (!/^[A-Za-z0-9_.-]+$/.test(opts.socketName)) throw new TmuxArgumentError(`invalid tmux socket name ${JSON.stringify(opts.socketName)}`);
    this.socketName = opts.socketName;
    this.tmuxBin = opts.tmuxBin ?? 'tmux';
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 10_000;
    this.env = crewEnv(opts.env ?? process.env);
  }

  /** Does a tmux server answer on `socketName`? (one-shot, never starts one) */
  static async probe(socketName: string, opts: { tmuxBin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<boolean> {
    try {
      await execTmux(opts.tmuxBin ?? 'tmux', ['-L', socketName, 'list-sessions', '-F', '#{session_id}'], crewEnv(opts.env ?? process.env));
      return true;
    } catch (err) {
      if (err instanceof TmuxCommandError) return false;
      throw err;
    }
  }

  /** The socket tmux uses for this name: `${TMUX_TMPDIR||/tmp}/tmux-${uid}/${name}`. */
  socketPath(): string {
    const uid = process.getuid?.() ?? 0;
    return path.join(this.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, this.socketName);
  }

  /** True while the control client is attached. */
  get isOpen(): boolean {
    return this.client !== null && !this.client.closed;
  }

  /**
   * Connects to the server, starting it first unless `start` is false (then a
   * missing server is a TmuxServerNotRunningError), and attaches the control client.
   */
  async open(opts: { start?: boolean } = {}): Promise<void> {
    if (this.isOpen) return;
    this.opening ??= this.connect(opts.start !== false).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async connect(start: boolean): Promise<void> {
    try {
      await this.connectOnce(start);
    } catch (err) {
      // The server took our client but stopped answering it (tmux exiting, stuck). Our client
      // is closed by now, so an exiting server can end: once more, with a new server if need be.
      if (!start || !(err instanceof TmuxTimeoutError || err instanceof TmuxClientClosedError)) throw err;
      await this.close();
      await this.connectOnce(start);
    }
  }

  private async connectOnce(start: boolean): Promise<void> {
    this.info ??= await findTmux(this.tmuxBin, this.env);
    if (!(await this.probe())) {
      if (!start) throw new TmuxServerNotRunningError(this.socketName);
      await this.startServer();
    }
    let client: ControlClient;
    try {
      client = await this.attach();
    } catch (err) {
      // The anchor session may have been killed by hand: recreate it once (in a running server only).
      if (!(await this.probe())) throw err;
      await this.startServer();
      client = await this.attach();
    }
    this.deaths = new DeathWatch();
    this.livePanes = null;
    this.subscribed = false;
    client.on('notification', (n) => this.onNotification(n));
    client.on('exit', (reason) => {
      if (this.client === client) {
        this.client = null;
        this.pid = null;
      }
      this.emit('clientExit', reason);
    });
    this.client = client;
    const [pid] = await client.run(['display-message', '-p', '#{pid}']);
    this.pid = Number(pid) || null;
    // Subscriptions need tmux 3.2; without them deaths show only through listPanes.
    this.subscribed = await client.run(['refresh-client', '-B', `${DEATH_SUBSCRIPTION}::${DEATH_FORMAT}`]).then(
      () => true,
      () => false,
    );
    if (client.closed) throw new TmuxClientClosedError(`the control client closed while connecting to ${this.socketName}`);
  }

  /** The pid of the control client process (not the server), while it runs. */
  get clientPid(): number | null {
    return this.client?.pid ?? null;
  }

  /** True while tmux reports pane deaths and removals as they happen (a subscription, tmux 3.2+). */
  get reportsPaneChanges(): boolean {
    return this.isOpen && this.subscribed;
  }

  /** Detaches the control client; the server and its panes keep running. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.pid = null;
    if (client) await client.close();
  }

  /** The tmux server's pid, or null when no server answers. */
  async serverPid(): Promise<number | null> {
    const args = ['display-message', '-p', '#{pid}'];
    try {
      let out: string | undefined;
      if (this.isOpen) out = await this.run(args).then((lines) => lines[0], () => undefined);
      out ??= (await this.exec(args)).trim();
      const pid = Number(out);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch (err) {
      if (err instanceof TmuxCommandError) return null;
      throw err;
    }
  }

  /**
   * Creates what is missing of the team's session, windows and panes (panes
   * are recognised by `@muster_agent`); new panes show a placeholder and stay
   * dead. Returns agentId → paneId for every agent of the team.
   */
  ensureTeam(team: TeamLayout): Promise<Map<string, string>> {
    const run = this.ensureChain.then(async () => {
      const plan = planTeam(team, await this.listPanes());
      const result = new Map(plan.existing);
      if (plan.commands.length === 0) return result;
      const out = await this.requireClient().runLine(plan.commands);
      for (const { agentId, command } of plan.created) {
        const paneId = out[command]?.[0];
        if (!paneId?.startsWith('%')) throw new TmuxError(`tmux did not report the pane it created for ${agentId}`);
        result.set(agentId, paneId);
      }
      return result;
    });
    this.ensureChain = run.catch(() => undefined);
    return run;
  }

  /** Every pane of the server, in one command. */
  async listPanes(): Promise<PaneInfo[]> {
    const lines = await this.run(['list-panes', '-a', '-F', PANE_FORMAT]);
    const panes = lines.map(parsePaneLine).filter((p): p is PaneInfo => p !== null);
    if (panes.some((p) => p.dead && p.deadStatus === null && p.deadSignal === null)) this.pokeServer();
    return panes;
  }

  /**
   * Replaces the pane's process with `spec.command` (cwd, env added), marks the
   * pane with the attempt and appends its output to `spec.logFile`, capped and
   * rotated (src/sys/capped-log.ts).
   */
  async launch(paneId: string, spec: LaunchSpec): Promise<{ pid: number }> {
    const commands = launchCommands(paneId, spec);
    await prepareLaunch(spec);
    const out = await this.requireClient().runLine(commands);
    const pid = Number(out[commands.length - 1]?.[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new TmuxError(`tmux did not report the pid of the process in ${paneId}`);
    return { pid };
  }

  /** Sends keys by name (`C-c`, `Enter`, …) to a pane. */
  async sendKeys(paneId: string, keys: string[]): Promise<void> {
    assertPaneId(paneId);
    if (keys.length > 0) await this.run(['send-keys', '-t', paneId, '--', ...keys]);
  }

  /**
   * Types `text` literally into a pane, without submitting it. Several lines
   * go in as one paste (bracketed when the program asked for it).
   */
  async pasteText(paneId: string, text: string): Promise<void> {
    assertPaneId(paneId);
    if (text === '') return;
    if (!/[\r\n]/.test(text)) {
      await this.run(['send-keys', '-t', paneId, '-l', '--', text]);
      return;
    }
    const buffer = `muster-paste-${process.pid}-${++this.pasteCounter}`;
    try {
      await this.requireClient().runLine([
        ['set-buffer', '-b', buffer, '--', text],
        ['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', paneId],
      ]);
    } catch (err) {
      await this.run(['delete-buffer', '-b', buffer]).catch(() => undefined);
      throw err;
    }
  }

  /** The pane's visible screen plus `lines` lines of history, wrapped lines joined, no escapes. */
  async capture(paneId: string, opts: { lines?: number } = {}): Promise<string> {
    assertPaneId(paneId);
    const history = Math.max(0, Math.floor(opts.lines ?? 0));
    const args = ['capture-pane', '-p', '-J', '-t', paneId];
    if (history > 0) args.push('-S', `-${history}`);
    const lines = await this.run(args);
    while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
    return lines.join('\n');
  }

  /** The text of the line under the pane's cursor (to see whether typed text still sits there). */
  async cursorLine(paneId: string): Promise<string> {
    assertPaneId(paneId);
    const [y = '0'] = await this.run(['display-message', '-p', '-t', paneId, '#{cursor_y}']);
    return (await this.run(['capture-pane', '-p', '-J', '-t', paneId, '-S', y, '-E', y])).join('\n');
  }

  /** The pane each attached client is looking at (its session's active pane): none when nobody is attached. */
  async viewedPanes(): Promise<string[]> {
    const lines = await this.run(['list-clients', '-F', '#{pane_id}']);
    return lines.map((l) => l.trim()).filter((l) => /^%\d+$/.test(l));
  }

  /** Does a tmux server answer on this socket? (never starts one) */
  answers(): Promise<boolean> {
    return this.probe();
  }

  /** Resizes a window (`@N`) or a pane (`%N`). */
  async resize(target: string, size: { cols: number; rows: number }): Promise<void> {
    if (!/^[%@]\d+$/.test(target)) throw new TmuxArgumentError(`invalid tmux window or pane id ${JSON.stringify(target)}`);
    const cmd = target.startsWith('@') ? 'resize-window' : 'resize-pane';
    await this.run([cmd, '-t', target, '-x', String(Math.floor(size.cols)), '-y', String(Math.floor(size.rows))]);
  }

  /** Kills the session with exactly this name; false if there was none. */
  async killSession(name: string): Promise<boolean> {
    try {
      await this.run(['kill-session', '-t', `=${name}`]);
      return true;
    } catch (err) {
      if (err instanceof TmuxCommandError && /can't find session|no such session/i.test(err.tmuxMessage)) return false;
      throw err;
    }
  }

  /** Kills this server (by socket) and waits until its process is gone and the socket no longer answers. */
  async killServer(timeoutMs = 10_000): Promise<void> {
    const pid = await this.serverPid();
    await this.close();
    try {
      await this.exec(['kill-server']);
    } catch (err) {
      if (!(err instanceof TmuxCommandError)) throw err;
    }
    const deadline = Date.now() + timeoutMs;
    while ((pid !== null && isProcessAlive(pid)) || (await this.probe())) {
      if (Date.now() > deadline) {
        throw new TmuxTimeoutError(`the crew's tmux server (pid ${pid ?? '?'}) did not exit within ${timeoutMs} ms`, `Kill it by its socket: tmux -L ${this.socketName} kill-server`);
      }
      await sleep(25);
    }
  }

  /** Runs `tmux -L SOCKET …` once, with no control client; resolves with stdout. */
  async exec(args: string[]): Promise<string> {
    const { stdout } = await execTmux(this.tmuxBin, ['-L', this.socketName, '-f', '/dev/null', ...args], this.env);
    return stdout;
  }

  /** File, arguments and environment to spawn tmux on this socket yourself (e.g. `attach` with the terminal). */
  tmuxCommand(args: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
    return { file: this.tmuxBin, args: ['-L', this.socketName, '-f', '/dev/null', ...args], env: { ...this.env } };
  }

  /** Runs one command on the control client; resolves with its output lines. */
  async run(args: string[]): Promise<string[]> {
    return this.requireClient().run(args);
  }

  private probe(): Promise<boolean> {
    return CrewServer.probe(this.socketName, { tmuxBin: this.tmuxBin, env: this.env });
  }

  private async startServer(): Promise<void> {
    const anchor = ['/bin/sh', '-c', `printf 'muster: this tmux server belongs to the crew\\n'`];
    const commands = [
      ['start-server'],
      ...SERVER_SETTINGS,
      ['new-session', '-d', '-s', ANCHOR_SESSION, '-n', ANCHOR_SESSION, '-x', String(DEFAULT_SIZE.cols), '-y', String(DEFAULT_SIZE.rows), '--', ...anchor],
    ];
    // A server that is exiting (killed, but still waiting for a client of ours to go) refuses
    // every client: wait for it to end (refused-retry.ts).
    await whileRefused(this.commandTimeoutMs, async () => {
      try {
        await this.exec(commands.flatMap((c, i) => (i === 0 ? c : [';', ...c])));
      } catch (err) {
        // Another muster process started it at the same moment: fine.
        if (!(err instanceof TmuxCommandError && /duplicate session/.test(err.tmuxMessage))) throw err;
      }
    });
  }

  /**
   * Attaches the control client, again while a server seeing off the client of a supervisor
   * killed a moment ago refuses it but still answers (the fault-injection test met it).
   */
  private attach(): Promise<ControlClient> {
    return whileRefused(this.commandTimeoutMs, () => this.attachOnce(), () => this.probe());
  }

  private attachOnce(): Promise<ControlClient> {
    return ControlClient.start({
      tmuxBin: this.tmuxBin,
      args: ['-L', this.socketName, '-f', '/dev/null', '-C', 'attach-session', '-t', `=${ANCHOR_SESSION}`],
      commandTimeoutMs: this.commandTimeoutMs,
      readyTimeoutMs: this.commandTimeoutMs,
      env: this.env,
    });
  }

  private requireClient(): ControlClient {
    if (!this.client || this.client.closed) {
      throw new TmuxError(`not connected to the crew's tmux server (socket ${this.socketName})`, {
        hint: 'This is a bug in muster: open() must come first.',
      });
    }
    return this.client;
  }

  private onNotification(n: ControlNotification): void {
    const change = parseSubscriptionChange(n);
    if (!change || change.name !== DEATH_SUBSCRIPTION) return;
    const lives = parseDeathValue(change.value);
    if (lives.some(unreaped)) this.pokeServer();
    for (const d of this.deaths.update(lives)) this.emit('paneDied', d.paneId, d.status, d);
    const now = new Set(lives.map((l) => l.paneId));
    for (const paneId of this.livePanes ?? []) if (!now.has(paneId)) this.emit('paneGone', paneId);
    this.livePanes = now;
  }

  /**
   * Sends SIGCHLD to our own server (pid read through our socket). Debian's
   * tmux is built with libutempter, whose own SIGCHLD handler can swallow the
   * signal of a pane process that exits at once: the process then stays a
   * zombie and the pane dead without a status until the next SIGCHLD.
   */
  private pokeServer(): void {
    if (this.pid === null) return;
    try {
      process.kill(this.pid, 'SIGCHLD');
    } catch {
      /* the server is gone: the client's exit reports it */
    }
  }
}

function unreaped(l: PaneLife): boolean {
  return l.dead && l.status === null && l.signal === null;
}
