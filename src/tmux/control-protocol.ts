/**
 * tmux control mode (`tmux -C`), pure: a streaming parser of what the client
 * prints, and the quoting of command arguments for the line it reads.
 *
 * Replies come in `%begin TIME NUM FLAGS` … `%end|%error TIME NUM FLAGS`
 * blocks; FLAGS 1 marks a reply to this client's own command. Everything else
 * is a notification line `%name args…`. Pane output (`%output %N DATA`) has
 * bytes below 0x20 and `\` escaped as `\ooo`; other bytes are raw, so it is
 * unescaped to bytes and decoded as UTF-8 with one streaming decoder per pane.
 */
import { TextDecoder } from 'node:util';

/** A reply block: the output lines of one command. */
export interface ControlReply {
  type: 'reply';
  /** false when the block ended with `%error` (then `lines` hold tmux's message) */
  ok: boolean;
  time: number;
  number: number;
  /** 1 = a reply to a command this client sent; 0 = server-initiated */
  flags: number;
  lines: string[];
}

/** `%output` / `%extended-output`: bytes a pane wrote, and their decoded text. */
export interface ControlOutput {
  type: 'output';
  paneId: string;
  data: Buffer;
  /** UTF-8 text, decoded per pane across chunks (an incomplete sequence waits for the next) */
  text: string;
}

/** Any other notification, parsed generically: `%name arg arg…`. */
export interface ControlNotification {
  type: 'notification';
  /** without the `%`, e.g. `subscription-changed`, `exit`, `window-add` */
  name: string;
  /** `rest` split on spaces */
  args: string[];
  /** everything after the name and its separating space */
  rest: string;
}

/** A line outside any block that is not a notification (should not happen). */
export interface ControlStray {
  type: 'stray';
  line: string;
}

/** One parsed item of the control-mode stream. */
export type ControlEvent = ControlReply | ControlOutput | ControlNotification | ControlStray;

/**
 * Notification names tmux 3.x sends, each with the shape of its arguments.
 * Inside a reply block a line counts as a notification only if it matches
 * here: command output (captured screens, buffers) can start with `%` too.
 */
const NOTIFICATIONS = new Map<string, RegExp>(Object.entries({
  'client-detached': /^\S+$/,
  'client-session-changed': /^\S+ \$\d+ /,
  'config-error': /^/,
  continue: /^%\d+$/,
  exit: /^/,
  'extended-output': /^%\d+ \d+( \S+)* : /,
  'layout-change': /^@\d+ /,
  message: /^/,
  output: /^%\d+ /,
  'pane-mode-changed': /^%\d+$/,
  'paste-buffer-changed': /^\S+$/,
  'paste-buffer-deleted': /^\S+$/,
  pause: /^%\d+$/,
  'session-changed': /^\$\d+ /,
  'session-renamed': /^\$\d+ /,
  'session-window-changed': /^\$\d+ @\d+$/,
  'sessions-changed': /^$/,
  'subscription-changed': /^\S+ \$\d+ (@\d+|-) (\d+|-) (%\d+|-)( \S+)* : /,
  'unlinked-window-add': /^@\d+$/,
  'unlinked-window-close': /^@\d+$/,
  'unlinked-window-renamed': /^@\d+ /,
  'window-add': /^@\d+$/,
  'window-close': /^@\d+$/,
  'window-pane-changed': /^@\d+ %\d+$/,
  'window-renamed': /^@\d+ /,
}));

const BEGIN = /^%begin (\d+) (\d+) (\d+)$/;
const END = /^%(end|error) (\d+) (\d+) (\d+)$/;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

interface OpenBlock {
  time: number;
  number: number;
  flags: number;
  lines: string[];
}

/** Streaming parser: feed it the client's stdout in chunks of any size. */
export class ControlParser {
  private pending: Buffer = Buffer.alloc(0);
  private block: OpenBlock | null = null;
  private readonly decoders = new Map<string, TextDecoder>();

  /** Parses every complete line in `chunk` (plus what was left over before). */
  push(chunk: Buffer | string): ControlEvent[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let buf = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const events: ControlEvent[] = [];
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      this.parseLine(buf.subarray(start, nl), events);
      start = nl + 1;
    }
    buf = buf.subarray(start);
    this.pending = Buffer.from(buf);
    return events;
  }

  /** True while a reply block is open (its `%end` not seen yet). */
  get inBlock(): boolean {
    return this.block !== null;
  }

  private parseLine(raw: Buffer, events: ControlEvent[]): void {
    if (raw[0] === 0x25 /* % */) {
      const output = this.parseOutput(raw);
      if (output) {
        events.push(output);
        return;
      }
    }
    const line = raw.toString('utf8');
    const block = this.block;
    if (block) {
      const end = END.exec(line);
      if (end && Number(end[3]) === block.number && Number(end[4]) === block.flags) {
        events.push({ type: 'reply', ok: end[1] === 'end', time: block.time, number: block.number, flags: block.flags, lines: block.lines });
        this.block = null;
        return;
      }
      const n = parseNotification(line);
      if (n) events.push(n);
      else block.lines.push(line);
      return;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      this.block = { time: Number(begin[1]), number: Number(begin[2]), flags: Number(begin[3]), lines: [] };
      return;
    }
    events.push(parseNotification(line) ?? { type: 'stray', line });
  }

  /** `%output %N DATA` or `%extended-output %N AGE … : DATA`, else null. */
  private parseOutput(raw: Buffer): ControlOutput | null {
    const head = raw.subarray(0, Math.min(raw.length, 64)).toString('latin1');
    let m = /^%output (%\d+) /.exec(head);
    if (!m) m = /^%extended-output (%\d+) \d+(?: [^ :]+)* : /.exec(head);
    if (!m || !m[1]) return null;
    const paneId = m[1];
    const data = unescapeOutput(raw.subarray(m[0].length));
    let decoder = this.decoders.get(paneId);
    if (!decoder) {
      decoder = new TextDecoder('utf-8');
      this.decoders.set(paneId, decoder);
    }
    return { type: 'output', paneId, data, text: decoder.decode(data, { stream: true }) };
  }
}

/** Parses `%name args…` if `line` is a known notification of the right shape. */
export function parseNotification(line: string): ControlNotification | null {
  const m = /^%([a-z-]+)(?: (.*))?$/s.exec(line);
  if (!m || !m[1]) return null;
  const name = m[1];
  const shape = NOTIFICATIONS.get(name);
  const rest = m[2] ?? '';
  if (!shape || !shape.test(rest)) return null;
  return { type: 'notification', name, args: rest === '' ? [] : rest.split(' '), rest };
}

/** Turns `\ooo` escapes of `%output` data back into bytes; other bytes stay as they are. */
export function unescapeOutput(data: Buffer): Buffer {
  if (data.indexOf(BACKSLASH) === -1) return Buffer.from(data);
  const out = Buffer.allocUnsafe(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] as number;
    if (b === BACKSLASH && isOctal(data[i + 1]) && isOctal(data[i + 2]) && isOctal(data[i + 3])) {
      out[o++] = (((data[i + 1] as number) - 0x30) << 6) | (((data[i + 2] as number) - 0x30) << 3) | ((data[i + 3] as number) - 0x30);
      i += 3;
    } else {
      out[o++] = b;
    }
  }
  return Buffer.from(out.subarray(0, o));
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x37;
}

/** A parsed `%subscription-changed NAME $S @W IDX %P … : VALUE`. */
export interface SubscriptionChange {
  name: string;
  sessionId: string;
  /** null for a session-level subscription (`-`) */
  windowId: string | null;
  paneId: string | null;
  value: string;
}

/** Reads a `subscription-changed` notification; null for any other. */
export function parseSubscriptionChange(n: ControlNotification): SubscriptionChange | null {
  if (n.name !== 'subscription-changed') return null;
  const sep = n.rest.indexOf(' : ');
  if (sep === -1) return null;
  const [name, sessionId, windowId, , paneId] = n.rest.slice(0, sep).split(' ');
  if (!name || !sessionId) return null;
  return {
    name,
    sessionId,
    windowId: windowId && windowId !== '-' ? windowId : null,
    paneId: paneId && paneId !== '-' ? paneId : null,
    value: n.rest.slice(sep + 3),
  };
}

/**
 * Quotes one argument for a tmux command line so that tmux's parser gives
 * back exactly `arg`: printable text goes inside single quotes (no expansion of
 * `$`, `~`, `#`, `;` there), `'` and control characters (newline included,
 * which would otherwise end the command) go outside as backslash escapes.
 */
export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@=:,./+-]+$/.test(arg) || /^%\d+$/.test(arg)) return arg;
  let out = '';
  let open = false;
  for (const ch of arg) {
    const code = ch.codePointAt(0) as number;
    const special = ch === "'" || code < 0x20 || code === 0x7f;
    if (special) {
      if (open) {
        out += "'";
        open = false;
      }
      out += ch === "'" ? "\\'" : `\\${code.toString(8).padStart(3, '0')}`;
    } else {
      if (!open) {
        out += "'";
        open = true;
      }
      out += ch;
    }
  }
  if (open) out += "'";
  return out;
}

/** One tmux command (name and arguments) as a line of quoted words. */
export function formatCommand(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}

/** Several commands on one line, separated by ` ; ` (tmux runs them in order; an error skips the rest). */
export function formatCommands(commands: readonly (readonly string[])[]): string {
  return commands.map(formatCommand).join(' ; ');
}

/** Escapes `#` for arguments that tmux expands as formats (`-c`, `pipe-pane` commands, `-F`). */
export function escapeFormat(s: string): string {
  return s.replaceAll('#', '##');
}
