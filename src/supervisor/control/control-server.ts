/**
 * The supervisor's end of the control socket: a Unix socket, owner-only
 * (0600, and a 0700 folder for the fallback path), that answers commands and
 * pushes snapshots and events to subscribed clients. A client that does not
 * read its pushes is disconnected once its backlog passes a limit, so one
 * stuck TUI cannot grow the supervisor's memory.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { MusterError } from '../../errors.js';
import { makePrivateDir, writeFileAtomic } from '../../sys/atomic-file.js';
import {
  checkRequest,
  CONTROL_PROTOCOL,
  protocolMismatch,
  type CommandHandlers,
  type ControlErrorBody,
  type ControlPush,
} from './contract.js';
import { encodeMessage, errorBody, LineDecoder, MAX_REQUEST_LINE_BYTES, parseRequest } from './protocol.js';
import { controlSocketPath, ensurePrivateDir, SOCKET_PATH_NOTE } from './socket-path.js';

export { controlSocketPath } from './socket-path.js';

export interface ControlServerOptions {
  /** longest request line accepted (default 4 MiB) */
  maxLineBytes?: number;
  /** a client whose unsent backlog exceeds this is disconnected (default 16 MiB) */
  maxBufferedBytes?: number;
  /** base for the fallback socket folder (default os.tmpdir()) */
  tmpDir?: string;
}

/** One connected client, as command handlers see it. */
export interface ControlClientHandle {
  readonly id: number;
  readonly subscribed: boolean;
  /** Sends a pushed message; false when the client is gone or was dropped for falling behind. */
  send(message: ControlPush): boolean;
}

const DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024;

class Connection implements ControlClientHandle {
  subscribed = false;
  readonly decoder: LineDecoder;

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    private readonly maxBuffered: number,
    maxLineBytes: number,
  ) {
    this.decoder = new LineDecoder(maxLineBytes);
  }

  send(message: ControlPush): boolean {
    return this.write(encodeMessage(message));
  }

  reply(id: number, outcome: { result: unknown } | { error: ControlErrorBody }): void {
    this.write(encodeMessage('result' in outcome ? { id, ok: true, result: outcome.result } : { id, ok: false, error: outcome.error }));
  }

  write(line: string): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(line);
    if (this.socket.writableLength > this.maxBuffered) {
      this.socket.destroy(); // frees the backlog at once
      return false;
    }
    return true;
  }
}

/** Whether something answers on a Unix socket path. */
function probeSocket(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(true), timeoutMs); // something is there but slow: do not steal it
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export class ControlServer {
  readonly stateDir: string;
  readonly socketPath: string;
  private readonly options: Required<Omit<ControlServerOptions, 'tmpDir'>>;
  private readonly server = net.createServer();
  private readonly connections = new Set<Connection>();
  private handlers: CommandHandlers | null = null;
  private readonly subscribeListeners: Array<(client: ControlClientHandle) => void> = [];
  private nextId = 1;
  private socketIno: number | null = null;

  constructor(stateDir: string, options: ControlServerOptions = {}) {
    this.stateDir = path.resolve(stateDir);
    this.socketPath = controlSocketPath(this.stateDir, options.tmpDir);
    this.options = {
      maxLineBytes: options.maxLineBytes ?? MAX_REQUEST_LINE_BYTES,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED,
    };
    this.server.on('connection', (socket) => this.accept(socket));
  }

  /** Sets the handlers of the contract's commands (`subscribe`/`unsubscribe` are the server's own). */
  onCommand(handlers: CommandHandlers): void {
    this.handlers = handlers;
  }

  /** Called after a client subscribed, e.g. to send it the current snapshot. */
  onSubscribe(listener: (client: ControlClientHandle) => void): void {
    this.subscribeListeners.push(listener);
  }

  /** Starts listening; replaces a stale socket file, refuses if a live server answers there. */
  async listen(): Promise<string> {
    const file = this.socketPath;
    const fallback = path.dirname(file) !== this.stateDir;
    makePrivateDir(this.stateDir);
    if (fallback) ensurePrivateDir(path.dirname(file));
    await this.removeStaleSocket(file);
    let oldMask: number | null = null;
    try {
      oldMask = process.umask(0o177); // the socket is created 0600: no window where others can connect
    } catch {
      // umask cannot be changed in worker threads; the chmod below still applies
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(file, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      if (oldMask !== null) process.umask(oldMask);
    }
    fs.chmodSync(file, 0o600);
    this.socketIno = fs.statSync(file).ino;
    const note = path.join(this.stateDir, SOCKET_PATH_NOTE);
    if (fallback) writeFileAtomic(note, `${file}\n`);
    else fs.rmSync(note, { force: true });
    return file;
  }

  private async removeStaleSocket(file: string): Promise<void> {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      return;
    }
    if (!st.isSocket()) {
      throw new MusterError(`${file} exists and is not a socket`, { hint: 'Move it away, then start muster again.' });
    }
    if (await probeSocket(file)) {
      throw new MusterError(`a muster supervisor already answers on ${file}`, {
        hint: 'Use `muster status` to see it, or `muster cleanup` if it is stuck.',
      });
    }
    fs.rmSync(file, { force: true });
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(this.nextId++, socket, this.options.maxBufferedBytes, this.options.maxLineBytes);
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = conn.decoder.push(chunk);
      } catch (err) {
        socket.pause();
        socket.removeAllListeners('data');
        socket.end(encodeMessage({ id: -1, ok: false, error: errorBody(err) }));
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      for (const line of lines) void this.handleLine(conn, line);
    });
  }

  /** One request: checked against the contract (never cast), then answered by its handler. */
  private async handleLine(conn: Connection, line: string): Promise<void> {
    const req = parseRequest(line);
    if ('invalid' in req) {
      conn.reply(req.id ?? -1, { error: { message: req.invalid, hint: 'This is a bug in the client.', exitCode: 1 } });
      return;
    }
    if (req.v !== CONTROL_PROTOCOL) {
      conn.reply(req.id, { error: protocolMismatch(CONTROL_PROTOCOL, req.v) });
      return;
    }
    const checked = checkRequest(req.cmd, req.args);
    if (!checked.ok) {
      conn.reply(req.id, { error: checked.error });
      return;
    }
    if (checked.cmd === 'subscribe' || checked.cmd === 'unsubscribe') {
      conn.subscribed = checked.cmd === 'subscribe';
      conn.reply(req.id, { result: null });
      if (conn.subscribed) for (const listener of this.subscribeListeners) listener(conn);
      return;
    }
    try {
      if (!this.handlers) throw new MusterError('the supervisor is not ready for commands yet', { hint: 'Try again in a moment.' });
      // checkRequest parsed the arguments with this command's schema
      const handler = this.handlers[checked.cmd] as (args: unknown) => unknown;
      conn.reply(req.id, { result: (await handler(checked.args)) ?? null });
    } catch (err) {
      conn.reply(req.id, { error: errorBody(err) });
    }
  }

  /** As an audience of the supervisor: every message goes to the subscribed clients. */
  publish(message: ControlPush): void {
    this.broadcast(message);
  }

  /** A snapshot is worth building only while some client subscribed. */
  wantsSnapshots(): boolean {
    return this.subscriberCount > 0;
  }

  /** Pushes a message to every subscribed client; clients too far behind are dropped. */
  broadcast(message: ControlPush): void {
    const line = encodeMessage(message);
    for (const conn of this.connections) if (conn.subscribed) conn.write(line);
  }

  /** Connected clients. */
  get clientCount(): number {
    return this.connections.size;
  }

  /** Clients that subscribed to pushes (a TUI). */
  get subscriberCount(): number {
    let n = 0;
    for (const conn of this.connections) if (conn.subscribed) n++;
    return n;
  }

  /** Bytes written to clients but not yet taken by them (what a slow client costs in memory). */
  bufferedBytes(): number {
    let total = 0;
    for (const conn of this.connections) if (!conn.socket.destroyed) total += conn.socket.writableLength;
    return total;
  }

  /** Stops listening, disconnects every client and removes the socket file. */
  async close(): Promise<void> {
    const wasListening = this.server.listening;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections) conn.socket.destroy();
    if (wasListening) await closed;
    if (this.socketIno !== null) {
      try {
        if (fs.statSync(this.socketPath).ino === this.socketIno) fs.rmSync(this.socketPath, { force: true });
      } catch {
        // already gone
      }
      if (path.dirname(this.socketPath) !== this.stateDir) fs.rmSync(path.join(this.stateDir, SOCKET_PATH_NOTE), { force: true });
      this.socketIno = null;
    }
  }
}
