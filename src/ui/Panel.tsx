/** A panel of the screen: a title (or column header) line, and the rows in view under it. */
import { Box } from 'ink';
import { LineView, LinesBox } from './LineView.js';
import type { Line } from './segments.js';

export function Panel({ title, rows, height, colors }: { title: Line; rows: Line[]; height: number; colors: boolean }) {
  return (
    <Box flexDirection="column">
      <LineView line={title} colors={colors} />
      <LinesBox lines={rows} colors={colors} height={height} />
    </Box>
  );
}
