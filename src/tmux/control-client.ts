/**
 * A tmux control-mode client (`tmux … -C attach`) over plain pipes: one
 * command line per request, one promise per line, replies matched by their
 * FLAGS field (1 = ours) and, among ours, by order. Notifications and pane
 * output are emitted as events.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  ControlParser,
  formatCommands,
  type ControlEvent,
  type ControlNotification,
  type ControlOutput,
} from './control-protocol.js';
import { TmuxClientClosedError, TmuxCommandError, TmuxError, TmuxTimeoutError } from './errors.js';

/** How to start the client: the tmux binary and its full argument list (ending in `-C attach …`). */
export interface ControlClientOptions {
  tmuxBin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** how long to wait for the client to attach (default 10 s) */
  readyTimeoutMs?: number;
  /**
   * Receive pane output (`output` events). Default false: the client sets
   * `no-output`, so tmux never cuts it off for being too far behind.
   */
  output?: boolean;
  /**
   * How long a command may go unanswered (default 20 s). Past it the command fails, and
   * the client is closed: a tmux server that stopped answering is not waited on forever
   * (the owner sees the client exit and may reconnect).
   */
  commandTimeoutMs?: number;
}

/** Events of a control client. */
export interface ControlClientEvents {
  notification: [ControlNotification];
  output: [ControlOutput];
  /** the client process is gone; `reason` is tmux's `%exit` text or how the process ended */
  exit: [reason: string];
}

interface PendingLine {
  line: string;
  expected: number;
  results: string[][];
  resolve: (results: string[][]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One running control-mode client. Create it with `ControlClient.start`. */
export class ControlClient extends EventEmitter<ControlClientEvents> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly parser = new ControlParser();
  private readonly queue: PendingLine[] = [];
  private exitReason: string | null = null;
  private tmuxExitText: string | null = null;
  private lastError: string | null = null;
  /** why this side closed the client (a command went unanswered) */
  private abandoned: string | null = null;
  private readonly commandTimeoutMs: number;
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(opts: ControlClientOptions) {
    super();
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 20_000;
    this.child = spawn(opts.tmuxBin, opts.args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {
      /* EPIPE when tmux exits first: reported through 'close' */
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const ev of this.parser.push(chunk)) this.dispatch(ev);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => this.finish(`could not run ${opts.tmuxBin}: ${err.message}`, resolve));
      const ended = (code: number | null, signal: NodeJS.Signals | null) => {
        const how = this.abandoned || this.tmuxExitText || this.lastError || this.stderr.trim();
        this.finish(how || `tmux exited (${signal ?? `code ${code}`})`, resolve);
      };
      this.child.on('close', ended);
      // 'close' waits for stdout to end, and a control client hands its stdio to the server:
      // a server that is stuck keeps it open. Past a moment for the last output, the exit counts.
      this.child.on('exit', (code, signal) => setTimeout(() => ended(code, signal), 500).unref());
    });
  }

  /** Spawns the client and resolves once it is attached (its session is known). */
  static async start(opts: ControlClientOptions): Promise<ControlClient> {
    const client = new ControlClient(opts);
    const timeoutMs = opts.readyTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        client.kill();
        reject(new TmuxTimeoutError(`the tmux control client did not attach within ${timeoutMs} ms`, 'Check that tmux works: `tmux -V`.'));
      }, timeoutMs);
      const onNote = (n: ControlNotification): void => {
        if (n.name === 'session-changed') {
          cleanup();
          resolve();
        }
      };
      const onExit = (reason: string): void => {
        cleanup();
        reject(new TmuxError(`the tmux control client could not attach: ${reason}`, {
          hint: 'Run `muster status` to see whether the crew\'s tmux server is running.',
        }));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('notification', onNote);
        client.off('exit', onExit);
      };
      client.on('notification', onNote);
      client.on('exit', onExit);
    });
    if (!opts.output) {
      // tmux 3.2+ spells it -f; 3.0 and 3.1 had -F.
      await client.run(['refresh-client', '-f', 'no-output']).catch(() => client.run(['refresh-client', '-F', 'no-output']));
    }
    return client;
  }

  /** True once the client process has gone. */
  get closed(): boolean {
    return this.exitReason !== null;
  }

  /** The pid of the client process (not the server). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs one command; resolves with its output lines, rejects with TmuxCommandError on `%error`. */
  async run(args: readonly string[]): Promise<string[]> {
    const [lines] = await this.runLine([args]);
    return lines ?? [];
  }

  /**
   * Runs several commands on one line (` ; ` separated): one write, one
   * server pass. Resolves with each command's output lines. tmux skips the
   * rest of a line after a failing command, so the first `%error` rejects.
   */
  runLine(commands: readonly (readonly string[])[]): Promise<string[][]> {
    if (commands.length === 0) return Promise.resolve([]);
    const line = formatCommands(commands);
    return new Promise((resolve, reject) => {
      if (this.exitReason !== null) {
        reject(new TmuxClientClosedError(this.exitReason));
        return;
      }
      const pending: PendingLine = {
        line,
        expected: commands.length,
        results: [],
        resolve: (results) => {
          clearTimeout(pending.timer);
          resolve(results);
        },
        reject: (err) => {
          clearTimeout(pending.timer);
          reject(err);
        },
        timer: setTimeout(() => this.abandon(pending), this.commandTimeoutMs),
      };
      this.queue.push(pending);
      this.child.stdin.write(`${line}\n`);
    });
  }

  /** Detaches (closes stdin) and waits for the process to end; kills it if it lingers. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.exitReason === null) this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** A command went unanswered: it fails, and the client is closed (replies could no longer be matched). */
  private abandon(pending: PendingLine): void {
    if (!this.queue.includes(pending)) return;
    this.abandoned = `tmux did not answer \`${pending.line}\` within ${this.commandTimeoutMs} ms`;
    this.queue.splice(this.queue.indexOf(pending), 1);
    pending.reject(new TmuxTimeoutError(this.abandoned, 'The crew\'s tmux server may be stopped or stuck: `muster status` shows whether it answers.'));
    this.child.kill('SIGKILL');
  }

  private kill(): void {
    if (this.exitReason === null && this.child.exitCode === null) this.child.kill('SIGTERM');
  }

  private dispatch(ev: ControlEvent): void {
    switch (ev.type) {
      case 'reply':
        if ((ev.flags & 1) === 0) {
          if (!ev.ok) this.lastError = ev.lines.join('\n');
          return;
        }
        this.onReply(ev.ok, ev.lines);
        return;
      case 'output':
        this.emit('output', ev);
        return;
      case 'notification':
        if (ev.name === 'exit') this.tmuxExitText = ev.rest;
        this.emit('notification', ev);
        return;
      case 'stray':
        return;
    }
  }

  private onReply(ok: boolean, lines: string[]): void {
    const head = this.queue[0];
    if (!head) return;
    if (!ok) {
      this.queue.shift();
      head.reject(new TmuxCommandError(head.line, lines.join('\n')));
      return;
    }
    head.results.push(lines);
    if (head.results.length >= head.expected) {
      this.queue.shift();
      head.resolve(head.results);
    }
  }

  private finish(reason: string, resolve: () => void): void {
    if (this.exitReason !== null) return;
    this.exitReason = reason;
    for (const p of this.queue.splice(0)) p.reject(new TmuxClientClosedError(reason));
    this.emit('exit', reason);
    resolve();
  }
}
