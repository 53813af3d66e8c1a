/**
 * The control protocol between the supervisor and its clients (TUI, CLI):
 * newline-delimited JSON, one message per line.
 *
 * client → server  `{ id, cmd, args? }`
 * server → client  `{ id, ok: true, result }` | `{ id, ok: false, error }`
 *                  and, to subscribed clients, `{ type: 'snapshot', snapshot }` | `{ type: 'event', event }`
 */
import { MusterError, type ExitCode } from '../../errors.js';

/** A client's request. `id` is chosen by the client and echoed in the response. */
export interface ControlRequest<A = unknown> {
  id: number;
  cmd: string;
  args?: A;
}

/** Why a request failed, as the CLI shows it. */
export interface ControlErrorBody {
  message: string;
  hint: string | null;
  exitCode: ExitCode;
}

export type ControlResponse<R = unknown> =
  | { id: number; ok: true; result: R }
  | { id: number; ok: false; error: ControlErrorBody };

/** A message the server pushes to subscribed clients. */
export type ControlPush<S = unknown, E = unknown> =
  | { type: 'snapshot'; snapshot: S }
  | { type: 'event'; event: E };

export type ServerMessage<R = unknown, S = unknown, E = unknown> = ControlResponse<R> | ControlPush<S, E>;

/** Commands the server handles itself. */
export const SUBSCRIBE = 'subscribe';
export const UNSUBSCRIBE = 'unsubscribe';

/** The longest line a server accepts from a client. */
export const MAX_REQUEST_LINE_BYTES = 4 * 1024 * 1024;
/** The longest line a client accepts from the server (snapshots can be big). */
export const MAX_SERVER_LINE_BYTES = 64 * 1024 * 1024;

/** One message as a line. */
export function encodeMessage(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

/** Thrown by `LineDecoder` when a line exceeds its limit. */
export class LineTooLongError extends MusterError {
  constructor(limit: number) {
    super(`a control message is longer than ${limit} bytes`, { hint: 'This is a bug in the sender.' });
  }
}

/**
 * Splits a byte stream into lines, whatever the chunking: partial lines are
 * kept until their newline arrives, several lines in a chunk all come out.
 * Bytes are joined before decoding, so a UTF-8 character split across
 * chunks stays whole.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; returns the complete lines in it (without the newline). Throws `LineTooLongError`. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.pendingBytes + piece.length > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      lines.push(line.toString('utf8'));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
      this.pending.push(Buffer.from(rest)); // copy: the stream may reuse its buffer
    }
    return lines;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a client's line; `{ invalid, id }` (what is wrong, and the id if one was readable) when it is not a valid request. */
export function parseRequest(line: string): ControlRequest | { invalid: string; id: number | null } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { invalid: 'a control message is not valid JSON', id: null };
  }
  const id = isObject(v) && Number.isInteger(v.id) ? (v.id as number) : null;
  if (!isObject(v) || id === null || typeof v.cmd !== 'string') {
    return { invalid: 'a control message needs a numeric "id" and a string "cmd"', id };
  }
  return 'args' in v ? { id, cmd: v.cmd, args: v.args } : { id, cmd: v.cmd };
}

/** Parses a server's line; null when it is neither a response nor a push. */
export function parseServerMessage(line: string): ServerMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  if (Number.isInteger(v.id) && typeof v.ok === 'boolean') return v as ServerMessage;
  if (v.type === 'snapshot' || v.type === 'event') return v as ServerMessage;
  return null;
}

/** True for a push message (as opposed to a response). */
export function isPush<S, E>(m: ServerMessage<unknown, S, E>): m is ControlPush<S, E> {
  return 'type' in m;
}

/** The error body a failed command sends: a MusterError keeps its hint and exit code. */
export function errorBody(err: unknown): ControlErrorBody {
  if (err instanceof MusterError) return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { message, hint: null, exitCode: 1 };
}

/** The MusterError a client raises for a server's error body. */
export function errorFromBody(body: ControlErrorBody): MusterError {
  return new MusterError(body.message, { hint: body.hint, exitCode: body.exitCode === 2 ? 2 : 1 });
}
