/** The header: the crew, the machine against the ceiling, the supervisor's own cost. */
import { LinesBox } from './LineView.js';
import type { Line } from './segments.js';

export function Header({ lines, colors }: { lines: Line[]; colors: boolean }) {
  return <LinesBox lines={lines} colors={colors} height={lines.length} />;
}
