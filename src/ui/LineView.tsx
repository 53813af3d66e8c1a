/** Draws lines of styled segments, one text node per line. */
import { Box, Text } from 'ink';
import { styleLine } from './ansi.js';
import type { Line } from './segments.js';

export function LineView({ line, colors }: { line: Line; colors: boolean }) {
  return <Text wrap="truncate">{line.length === 0 ? ' ' : styleLine(line, colors)}</Text>;
}

/** Draws lines in a box of exactly `height` rows (fewer lines leave the rest blank). */
export function LinesBox({ lines, colors, height }: { lines: Line[]; colors: boolean; height: number }) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(0, height).map((l, i) => (
        <LineView key={i} line={l} colors={colors} />
      ))}
    </Box>
  );
}
