/**
 * How the terminal's rows are shared out. The whole frame stays below the terminal's
 * height (Ink clears the screen on every frame once it is not), so the grid and the
 * lists scroll inside their sections instead.
 */

/** Rows of each section; 0 hides a section. Titles and column headers are counted apart. */
export interface ScreenLayout {
  /** columns a line may take */
  width: number;
  /** the header's lines */
  header: number;
  /** agent rows in the grid (below its column header) */
  grid: number;
  /** handoff rows (below their title); 0 = no handoff section */
  handoffs: number;
  /** preview lines (below their title); 0 = no preview */
  preview: number;
  /** lines the frame takes in all */
  total: number;
}

export const HEADER_LINES = 2;
/** column header, event line, key hint line */
const FIXED_LINES = 3;
const MAX_HANDOFF_ROWS = 4;

/** Shares out `rows` (the terminal's height) for a crew with `pendingHandoffs` pending handoffs. */
export function computeLayout(size: { cols: number; rows: number }, pendingHandoffs: number): ScreenLayout {
  // One column short of the edge: a line that fills the last column leaves terminals in
  // a pending-wrap state that throws off Ink's cursor arithmetic.
  const width = Math.max(20, size.cols - 1);
  const usable = Math.max(HEADER_LINES + FIXED_LINES + 1, size.rows - 1);
  let free = usable - HEADER_LINES - FIXED_LINES;
  let handoffs = 0;
  let preview = 0;
  if (pendingHandoffs > 0 && free >= 6) {
    handoffs = Math.min(pendingHandoffs, MAX_HANDOFF_ROWS, Math.floor((free - 2) / 3));
    free -= handoffs + 1;
  }
  if (free >= 12) {
    preview = Math.max(3, Math.min(12, Math.floor(free * 0.3)));
    free -= preview + 1;
  }
  const grid = Math.max(1, free);
  const total = HEADER_LINES + FIXED_LINES + grid + (handoffs > 0 ? handoffs + 1 : 0) + (preview > 0 ? preview + 1 : 0);
  return { width, header: HEADER_LINES, grid, handoffs, preview, total };
}
