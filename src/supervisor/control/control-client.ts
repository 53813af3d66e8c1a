/**
 * The client's end of the control socket (TUI, CLI commands): requests
 * matched to replies by id, and pushed snapshots/events for subscribers.
 */
import * as net from 'node:net';
import { MusterError } from '../../errors.js';
import {
  commands,
  CONTROL_PROTOCOL,
  protocolMismatch,
  type CommandArgs,
  type CommandName,
  type CommandReply,
  type ControlPush,
} from './contract.js';
import { encodeMessage, errorFromBody, LineDecoder, MAX_SERVER_LINE_BYTES, parseServerMessage } from './protocol.js';
import { findControlSocket } from './socket-path.js';

export interface ConnectOptions {
  /** how long to wait for the connection (default 2000 ms) */
  timeoutMs?: number;
  /** longest line accepted from the server (default 64 MiB) */
  maxLineBytes?: number;
  /** base of the fallback socket folder (default os.tmpdir()) */
  tmpDir?: string;
}

/** A connection to a running supervisor. */
export interface ControlClient {
  readonly socketPath: string;
  /**
   * Sends a command of the contract; resolves with its reply, rejects with a MusterError
   * carrying the server's message, hint and exit code, or when no reply came within the
   * command's timeout (contract.ts) or `timeoutMs`.
   */
  request<C extends CommandName>(cmd: C, args?: CommandArgs<C>, options?: { timeoutMs?: number }): Promise<CommandReply<C>>;
  /** Subscribes to pushed snapshots and events; resolves once the server confirmed. */
  subscribe(onMessage: (message: ControlPush) => void): Promise<void>;
  /** Called once when the connection ends (null when `close()` ended it). */
  onClose(listener: (err: MusterError | null) => void): void;
  close(): void;
}

/** The error for "nobody listens on the socket". */
export function noSupervisorError(cause?: unknown): MusterError {
  return new MusterError('no supervisor is running for this project', {
    hint: 'start one with `muster up`',
    cause,
  });
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

class Client implements ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: Array<(message: ControlPush) => void> = [];
  private readonly closeListeners: Array<(err: MusterError | null) => void> = [];
  private ended: MusterError | null | undefined = undefined;

  constructor(
    readonly socketPath: string,
    private readonly socket: net.Socket,
    maxLineBytes: number,
  ) {
    const decoder = new LineDecoder(maxLineBytes);
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (err) {
        this.finish(err as MusterError);
        return;
      }
      for (const line of lines) this.dispatch(line);
    });
    const closedByServer = (cause?: unknown): MusterError =>
      new MusterError('the supervisor closed the connection', {
        hint: 'Run `muster status` to see whether it is still running.',
        cause,
      });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.finish(closedByServer(err));
      else this.finish(new MusterError(`lost the connection to the supervisor: ${err.message}`, { cause: err }));
    });
    socket.on('close', () => this.finish(closedByServer()));
  }

  private dispatch(line: string): void {
    const message = parseServerMessage(line);
    if (!message) return;
    if (message.v !== CONTROL_PROTOCOL) {
      this.finish(errorFromBody(protocolMismatch(message.v, CONTROL_PROTOCOL)));
      return;
    }
    if ('type' in message) {
      for (const listener of this.listeners) listener(message);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(errorFromBody(message.error));
  }

  private finish(err: MusterError | null): void {
    if (this.ended !== undefined) return;
    this.ended = err;
    this.socket.destroy();
    const reason = err ?? new MusterError('the control connection was closed');
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
    this.pending.clear();
    for (const listener of this.closeListeners) listener(err);
  }

  request<C extends CommandName>(cmd: C, args?: CommandArgs<C>, options: { timeoutMs?: number } = {}): Promise<CommandReply<C>> {
    if (this.ended !== undefined) return Promise.reject(this.ended ?? new MusterError('the control connection was closed'));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? commands[cmd].timeoutMs;
    return new Promise<CommandReply<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MusterError(`the supervisor did not answer \`${cmd}\` within ${timeoutMs} ms`, {
          hint: 'It may be stuck: `muster status` shows it, `muster cleanup` stops it.',
        }));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(encodeMessage(args === undefined ? { id, cmd } : { id, cmd, args }));
    });
  }

  async subscribe(onMessage: (message: ControlPush) => void): Promise<void> {
    this.listeners.push(onMessage);
    await this.request('subscribe');
  }

  onClose(listener: (err: MusterError | null) => void): void {
    if (this.ended !== undefined) listener(this.ended);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.finish(null);
  }
}

/**
 * Connects to the supervisor of a state folder. Rejects with a clear
 * MusterError when no supervisor listens there.
 */
export function connectControl(stateDir: string, options: ConnectOptions = {}): Promise<ControlClient> {
  const socketPath = findControlSocket(stateDir, options.tmpDir);
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new MusterError(`the supervisor did not accept a connection on ${socketPath} within ${timeoutMs} ms`, {
        hint: 'It may be stuck: `muster status` shows it, `muster cleanup` stops it.',
      }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new Client(socketPath, socket, options.maxLineBytes ?? MAX_SERVER_LINE_BYTES));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(noSupervisorError(err));
      else reject(new MusterError(`cannot connect to the supervisor on ${socketPath}: ${err.message}`, { cause: err }));
    });
  });
}
