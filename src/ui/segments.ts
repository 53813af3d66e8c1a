/** Lines as styled pieces: what the view functions produce and the components render. */

/** Colours the TUI uses (Ink colour names). */
export type Colour = 'green' | 'yellow' | 'red' | 'blue' | 'cyan' | 'magenta' | 'gray' | 'white';

/** A run of text with one style. */
export interface Segment {
  text: string;
  color?: Colour;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Segment[];

/** A segment (shorthand). */
export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style };
}

/** The characters a line takes. */
export function lineWidth(line: Line): number {
  return line.reduce((n, s) => n + s.text.length, 0);
}

/** Cuts a line to `width` characters (the last piece kept ends with `…` when cut). */
export function clipLine(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    if (s.text.length <= left) {
      out.push(s);
      left -= s.text.length;
    } else {
      out.push({ ...s, text: left === 1 ? '…' : `${s.text.slice(0, left - 1)}…` });
      left = 0;
    }
  }
  return out;
}

/** Pads a line with spaces to `width` (for a full-width highlight). */
export function padLine(line: Line, width: number, style: Omit<Segment, 'text'> = {}): Line {
  const n = lineWidth(line);
  return n >= width ? line : [...line, { text: ' '.repeat(width - n), ...style }];
}
