/** The whole frame as lines, section by section, from the TUI state. Pure: the components only draw it. */
import type { AgentStatusView } from '../supervisor/control/contract.js';
import { gridLines } from './grid-view.js';
import { headerLines } from './header-view.js';
import { HEADER_LINES, type ScreenLayout } from './layout.js';
import { eventLine, handoffLines, helpLines, hintLine, previewLines, titleLine } from './panels-view.js';
import type { Line } from './segments.js';
import { activeFilter, layoutOf, listedAgents, pendingHandoffs } from './selection.js';
import type { TuiState } from './tui-state.js';

export interface ScreenView {
  layout: ScreenLayout;
  header: Line[];
  /** set in help mode: replaces the grid, handoffs and preview */
  help: Line[] | null;
  gridHeader: Line;
  gridRows: Line[];
  handoffTitle: Line | null;
  handoffRows: Line[];
  previewTitle: Line | null;
  previewRows: Line[];
  event: Line;
  hints: Line;
  colors: boolean;
}

/** Everything the screen shows for `state`. */
export function screenView(state: TuiState): ScreenView {
  const layout = layoutOf(state);
  const width = layout.width;
  const agents = listedAgents(state);
  const handoffs = pendingHandoffs(state);
  const filter = activeFilter(state);
  const grid = gridLines({
    agents,
    top: state.agentTop,
    height: layout.grid,
    selectedId: state.selectedId,
    focused: state.panel === 'agents',
    width,
    now: state.now,
  });
  if (agents.length === 0 && state.snapshot) {
    grid.rows = [[{ text: filter !== '' ? `  no agent matches "${filter}"` : '  no agents', dim: true }]];
  }
  const selected = agents.find((a) => a.id === state.selectedId) ?? null;
  const bodyHeight = layout.total - HEADER_LINES - 2;
  return {
    layout,
    header: headerLines({ snapshot: state.snapshot, connected: state.connected, filter, listed: agents.length, width }),
    help: state.mode.kind === 'help' ? helpLines(width, bodyHeight) : null,
    gridHeader: grid.header,
    gridRows: grid.rows,
    handoffTitle: layout.handoffs > 0 ? titleLine(`Handoffs pending (${handoffs.length})  Tab focuses, h delivers`, width, state.panel === 'handoffs') : null,
    handoffRows: handoffLines({
      handoffs,
      top: state.handoffTop,
      height: layout.handoffs,
      selected: state.selectedHandoff,
      focused: state.panel === 'handoffs',
      width,
      now: state.now,
    }),
    previewTitle: layout.preview > 0 ? titleLine(selected ? `${selected.id} (latest output)${sessionNote(selected)}` : 'output', width) : null,
    previewRows: layout.preview > 0 ? previewLines(state.preview, selected?.id ?? null, layout.preview, width) : [],
    event: eventLine(state.events, width),
    hints: hintLine(state.mode, width),
    colors: state.colors,
  };
}

/** The agent CLI's conversation and where its state comes from, for the preview's title. */
function sessionNote(a: AgentStatusView): string {
  const parts: string[] = [];
  if (a.session?.id) parts.push(`session ${a.session.id}${a.session.resumed ? ' (resumed)' : ''}`);
  if (a.activitySource === 'hook') parts.push('state from hooks');
  return parts.length > 0 ? ` · ${parts.join(' · ')}` : '';
}
