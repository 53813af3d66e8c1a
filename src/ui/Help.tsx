/** The help screen, in place of the grid. */
import { LinesBox } from './LineView.js';
import type { Line } from './segments.js';

export function Help({ lines, height, colors }: { lines: Line[]; height: number; colors: boolean }) {
  return <LinesBox lines={lines} colors={colors} height={height} />;
}
