/**
 * Which agents and handoffs are listed, which one is selected and which rows are in
 * view. Pure functions of the TUI state.
 */
import type { AgentStatusView, HandoffView } from '../supervisor/control/contract.js';
import { computeLayout, type ScreenLayout } from './layout.js';
import type { TuiState } from './tui-state.js';

/** The agents the filter lets through: every word must appear in the id, state or reason. */
export function filterAgents(agents: readonly AgentStatusView[], filter: string): AgentStatusView[] {
  const words = filter.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...agents];
  return agents.filter((a) => {
    const hay = `${a.id} ${a.state} ${a.reason ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The filter in effect: while it is being typed, the text typed so far. */
export function activeFilter(state: TuiState): string {
  return state.mode.kind === 'filter' ? state.mode.text : state.filter;
}

/** The agents listed in the grid. */
export function listedAgents(state: TuiState): AgentStatusView[] {
  return filterAgents(state.snapshot?.agents ?? [], activeFilter(state));
}

/** The handoffs not yet delivered, oldest first. */
export function pendingHandoffs(state: TuiState): HandoffView[] {
  return (state.snapshot?.handoffs ?? []).filter((h) => h.state === 'pending');
}

/** The layout of the current terminal size and crew. */
export function layoutOf(state: TuiState): ScreenLayout {
  return computeLayout(state.size, pendingHandoffs(state).length);
}

/** The selected agent, if it is listed. */
export function selectedAgent(state: TuiState): AgentStatusView | null {
  return listedAgents(state).find((a) => a.id === state.selectedId) ?? null;
}

/** The selected pending handoff, if any. */
export function selectedHandoff(state: TuiState): HandoffView | null {
  return pendingHandoffs(state).find((h) => h.id === state.selectedHandoff) ?? null;
}

/** The first row to show so that row `index` of `count` is in a window of `height` rows, moving as little as possible from `top`. */
export function scrollTop(index: number, count: number, height: number, top: number): number {
  if (count <= height || index < 0) return 0;
  let t = Math.min(Math.max(0, top), count - height);
  if (index < t) t = index;
  if (index >= t + height) t = index - height + 1;
  return t;
}

function moveId<T extends { id: string }>(items: readonly T[], current: string | null, delta: number): string | null {
  if (items.length === 0) return null;
  const at = items.findIndex((x) => x.id === current);
  const from = at < 0 ? 0 : at;
  const to = at < 0 ? 0 : Math.min(items.length - 1, Math.max(0, from + delta));
  return items[to]?.id ?? null;
}

/** Moves the selection of the focused panel by `delta` rows (clamped at both ends). */
export function moveSelection(state: TuiState, delta: number): TuiState {
  if (state.panel === 'handoffs') {
    return normalize({ ...state, selectedHandoff: moveId(pendingHandoffs(state), state.selectedHandoff, delta) });
  }
  return normalize({ ...state, selectedId: moveId(listedAgents(state), state.selectedId, delta) });
}

/**
 * Selects the next listed agent after the selected one (wrapping) that needs the user, and
 * focuses the agents panel; unchanged when none does.
 */
export function selectNextNeedsYou(state: TuiState): TuiState {
  const agents = listedAgents(state);
  const at = agents.findIndex((a) => a.id === state.selectedId);
  for (let i = 1; i <= agents.length; i++) {
    const a = agents[(at + i + agents.length) % agents.length];
    if (a?.needsYou) return normalize({ ...state, panel: 'agents', selectedId: a.id });
  }
  return state;
}

/**
 * Makes the state consistent after any change: the selections name listed items (else
 * the first), the focused panel exists, and the selected rows are scrolled into view.
 */
export function normalize(state: TuiState): TuiState {
  const agents = listedAgents(state);
  const handoffs = pendingHandoffs(state);
  const layout = computeLayout(state.size, handoffs.length);
  const selectedId = agents.some((a) => a.id === state.selectedId) ? state.selectedId : (agents[0]?.id ?? state.selectedId);
  const selectedHandoffId = handoffs.some((h) => h.id === state.selectedHandoff) ? state.selectedHandoff : (handoffs[0]?.id ?? null);
  const panel = state.panel === 'handoffs' && layout.handoffs === 0 ? 'agents' : state.panel;
  const agentIndex = agents.findIndex((a) => a.id === selectedId);
  const handoffIndex = handoffs.findIndex((h) => h.id === selectedHandoffId);
  const agentTop = scrollTop(agentIndex, agents.length, layout.grid, state.agentTop);
  const handoffTop = scrollTop(handoffIndex, handoffs.length, Math.max(1, layout.handoffs), state.handoffTop);
  if (
    selectedId === state.selectedId &&
    selectedHandoffId === state.selectedHandoff &&
    panel === state.panel &&
    agentTop === state.agentTop &&
    handoffTop === state.handoffTop
  ) {
    return state;
  }
  return { ...state, selectedId, selectedHandoff: selectedHandoffId, panel, agentTop, handoffTop };
}
