/**
 * Pane output as a person reads it (`muster logs`, docs/commands.md): the raw bytes a CLI
 * wrote (cursor moves, redraws, colours) are played through a terminal emulator
 * (@xterm/headless) of the pane's size, and the lines it shows come out as plain text, a
 * line wrapped by the terminal joined again. A line counts as written once the cursor has
 * left it downwards; `flush()` gives the rest of the screen. A full-screen program on the
 * alternate screen shows only at `flush()`, as its last screen.
 */
import xterm from '@xterm/headless';

/** At most this many bytes go into the emulator before finished lines are taken out. */
const SLICE_BYTES = 16 * 1024;
const SCROLLBACK = 5000;

type Marker = NonNullable<ReturnType<xterm.Terminal['registerMarker']>>;

export class LogRenderer {
  private readonly term: xterm.Terminal;
  /** the first line not yet given out (moves with the buffer when old lines are dropped) */
  private next: Marker | null = null;
  private started = false;

  constructor(size: { cols: number; rows: number }) {
    this.term = new xterm.Terminal({ cols: size.cols, rows: size.rows, scrollback: SCROLLBACK, allowProposedApi: true, convertEol: false });
  }

  /** Plays `data` and returns the lines finished by it. */
  async write(data: Uint8Array): Promise<string[]> {
    const out: string[] = [];
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      const slice = data.subarray(at, at + SLICE_BYTES);
      await new Promise<void>((resolve) => this.term.write(slice, resolve));
      out.push(...this.take(false));
    }
    return out;
  }

  /** The lines still on screen (up to the last that is not blank). */
  flush(): string[] {
    const lines = this.take(true);
    const buf = this.term.buffer;
    if (lines.length === 0 && buf.active.type === 'alternate') {
      const screen: string[] = [];
      for (let y = 0; y < this.term.rows; y++) screen.push(buf.active.getLine(y)?.translateToString(true) ?? '');
      while (screen.length > 0 && screen[screen.length - 1] === '') screen.pop();
      return screen;
    }
    return lines;
  }

  dispose(): void {
    this.term.dispose();
  }

  /** Lines of the normal buffer from the marker to the cursor's line (excluded unless `all`). */
  private take(all: boolean): string[] {
    const buf = this.term.buffer.normal;
    const cursor = buf.baseY + buf.cursorY;
    let start = 0;
    if (this.next && !this.next.isDisposed) start = this.next.line;
    else if (this.started) start = 0; // lines dropped before they were read: carry on from the oldest kept
    let end = all ? buf.length : cursor;
    if (all) while (end > start && (buf.getLine(end - 1)?.translateToString(true) ?? '') === '') end--;
    // a line that wraps onto the cursor's line is not finished yet
    while (!all && end > start && buf.getLine(end)?.isWrapped) end--;
    const out: string[] = [];
    for (let y = start; y < end; y++) {
      const line = buf.getLine(y);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && out.length > 0 && y > start) out[out.length - 1] += text;
      else out.push(text);
    }
    if (this.term.buffer.active.type === 'normal' || !this.started) {
      this.next?.dispose();
      this.next = this.term.registerMarker(end - cursor) ?? null;
      this.started = true;
    }
    return out;
  }
}

/** Renders a whole piece of output at once. */
export async function renderOutput(data: Uint8Array, size: { cols: number; rows: number }): Promise<string[]> {
  const r = new LogRenderer(size);
  try {
    return [...(await r.write(data)), ...r.flush()];
  } finally {
    r.dispose();
  }
}
