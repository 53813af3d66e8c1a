/** The grid of agents: a column header and the rows in view. */
import { Box } from 'ink';
import { LineView, LinesBox } from './LineView.js';
import type { Line } from './segments.js';

export function AgentGrid({ header, rows, height, colors }: { header: Line; rows: Line[]; height: number; colors: boolean }) {
  return (
    <Box flexDirection="column">
      <LineView line={header} colors={colors} />
      <LinesBox lines={rows} colors={colors} height={height} />
    </Box>
  );
}
