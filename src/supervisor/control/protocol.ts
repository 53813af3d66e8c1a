/**
 * The control socket's framing: newline-delimited JSON, one message per line, and the
 * parsing of each side's lines. What the messages mean is in contract.ts.
 */
import { MusterError } from '../../errors.js';
import { CONTROL_PROTOCOL, type ControlErrorBody, type ControlRequest, type ServerMessage } from './contract.js';

/** The longest line a server accepts from a client. */
export const MAX_REQUEST_LINE_BYTES = 4 * 1024 * 1024;
/** The longest line a client accepts from the server (snapshots can be big). */
export const MAX_SERVER_LINE_BYTES = 64 * 1024 * 1024;

/** One message as a line, stamped with the protocol version. */
export function encodeMessage(message: object): string {
  return `${JSON.stringify({ v: CONTROL_PROTOCOL, ...message })}\n`;
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

/** Parses a client's line; `{ invalid, id }` (what is wrong, and the id if one was readable) when it is not a request. */
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
  const version = typeof v.v === 'number' ? v.v : 0;
  return 'args' in v ? { v: version, id, cmd: v.cmd, args: v.args } : { v: version, id, cmd: v.cmd };
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
  if (Number.isInteger(v.id) && typeof v.ok === 'boolean') return v as unknown as ServerMessage;
  if (v.type === 'snapshot' || v.type === 'event') return v as unknown as ServerMessage;
  return null;
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
