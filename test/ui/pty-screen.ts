/**
 * A program in a real pty whose output is fed to a terminal emulator (@xterm/headless)
 * of the same size: tests read back what a user's screen would show.
 */
import * as pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

export interface PtyScreenOptions {
  cols?: number;
  rows?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class PtyScreen {
  readonly term: xterm.Terminal;
  readonly child: pty.IPty;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private raw = '';
  private ended = false;

  constructor(file: string, args: string[], opts: PtyScreenOptions = {}) {
    const cols = opts.cols ?? 120;
    const rows = opts.rows ?? 40;
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.child = pty.spawn(file, args, {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: opts.cwd ?? process.cwd(),
      env: { ...(opts.env ?? process.env), TERM: 'xterm-256color' } as Record<string, string>,
    });
    this.child.onData((d) => {
      this.raw += d;
      if (this.raw.length > 200_000) this.raw = this.raw.slice(-100_000);
      this.term.write(d);
    });
    this.exited = new Promise((resolve) =>
      this.child.onExit((e) => {
        this.ended = true;
        resolve(e);
      }),
    );
  }

  get pid(): number {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.ended;
  }

  /** Everything written so far (most recent 100–200 kB). */
  output(): string {
    return this.raw;
  }

  /** The screen's lines, trailing spaces trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** The screen as text. */
  text(): string {
    return this.lines().join('\n');
  }

  /** Waits until every pending write has been parsed by the emulator. */
  settle(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  write(data: string): void {
    this.child.write(data);
  }

  resize(cols: number, rows: number): void {
    this.child.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  /** Polls the screen until `check` returns a value; fails with the screen after the deadline. */
  async waitFor<T>(what: string, check: (screen: string, lines: string[]) => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.settle();
      const v = check(this.text(), this.lines());
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen shows:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills the program (if it still runs) and waits for its exit. */
  async kill(signal = 'SIGKILL'): Promise<void> {
    if (!this.ended) {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    this.term.dispose();
  }
}
