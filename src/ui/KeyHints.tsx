/** The bottom line: key hints, or the prompt of a confirmation or an input. */
import { LineView } from './LineView.js';
import type { Line } from './segments.js';

export function KeyHints({ line, colors }: { line: Line; colors: boolean }) {
  return <LineView line={line} colors={colors} />;
}
