/** Pane output played through a terminal emulator into plain lines (src/text/log-render.ts). */
import { describe, expect, it } from 'vitest';
import { LogRenderer, renderOutput } from '../../../src/text/log-render.js';

const size = { cols: 40, rows: 10 };
const b = (s: string) => Buffer.from(s, 'utf8');

describe('renderOutput', () => {
  it('plain lines, colours removed, CRLF', async () => {
    expect(await renderOutput(b('one\r\n\x1b[31mtwo\x1b[0m\r\nthree\r\n'), size)).toEqual(['one', 'two', 'three']);
  });

  it('a spinner redrawn in place with \\r and erase-line shows its last state only', async () => {
    expect(await renderOutput(b('start\r\n⠋ working\r\x1b[2K⠙ working\r\x1b[2K✓ done\r\nnext\r\n'), size)).toEqual(['start', '✓ done', 'next']);
  });

  it('a redraw that moves the cursor up and rewrites lines (an inline TUI) shows the final text', async () => {
    const frames = 'head\r\n> dra\r\n  status: busy\r\n' + '\x1b[2A\r\x1b[2K> draft typed\r\n\x1b[2K  status: idle\r\n';
    expect(await renderOutput(b(frames), size)).toEqual(['head', '> draft typed', '  status: idle']);
  });

  it('a line longer than the pane is joined again', async () => {
    const long = 'x'.repeat(95);
    expect(await renderOutput(b(`${long}\r\nshort\r\n`), size)).toEqual([long, 'short']);
  });

  it('a full-screen program on the alternate screen shows its last screen', async () => {
    expect(await renderOutput(b('\x1b[?1049h\x1b[H\x1b[2Jframe 1\x1b[H\x1b[2Jtitle\r\nbody'), size)).toEqual(['title', 'body']);
  });
});

describe('LogRenderer, fed piece by piece', () => {
  it('gives each finished line once, across many more lines than its scrollback, pieces cut anywhere', async () => {
    const r = new LogRenderer(size);
    const text = Array.from({ length: 12000 }, (_, i) => `tick ${i + 1}\r\n`).join('');
    const out: string[] = [];
    for (let at = 0; at < text.length; at += 7777) out.push(...(await r.write(b(text.slice(at, at + 7777)))));
    out.push(...r.flush());
    r.dispose();
    expect(out).toEqual(Array.from({ length: 12000 }, (_, i) => `tick ${i + 1}`));
  });

  it('a line still being written is not given out until it ends', async () => {
    const r = new LogRenderer(size);
    expect(await r.write(b('done\r\nhalf'))).toEqual(['done']);
    expect(await r.write(b(' way\r\n'))).toEqual(['half way']);
    expect(r.flush()).toEqual([]);
    r.dispose();
  });
});
