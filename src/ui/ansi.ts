/**
 * A line of segments as one string with SGR escapes, so that Ink lays out one text node
 * per line instead of one per segment (a 200-agent grid renders several times faster).
 * Colours are left out when colours are off (NO_COLOR); bold, dim and inverse stay.
 */
import type { Colour, Line } from './segments.js';

const COLOUR_CODES: Record<Colour, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
};

/** The line as text with SGR escapes (reset after each styled piece). */
export function styleLine(line: Line, colors: boolean): string {
  let out = '';
  for (const s of line) {
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim) codes.push(2);
    if (s.inverse) codes.push(7);
    if (colors && s.color) codes.push(COLOUR_CODES[s.color]);
    out += codes.length === 0 ? s.text : `\x1b[${codes.join(';')}m${s.text}\x1b[0m`;
  }
  return out;
}
