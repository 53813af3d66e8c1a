/** The latest event (the crew's, or the TUI's own feedback). */
import { LineView } from './LineView.js';
import type { Line } from './segments.js';

export function EventLine({ line, colors }: { line: Line; colors: boolean }) {
  return <LineView line={line} colors={colors} />;
}
