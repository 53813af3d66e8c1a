/**
 * Everything the TUI shows, as one plain value kept outside React (so that unmounting
 * Ink for an attach and mounting it again loses nothing).
 */
import type { StatusView } from '../supervisor/control/contract.js';

/** What the keyboard is doing. */
export type Mode =
  | { kind: 'normal' }
  | { kind: 'help' }
  | { kind: 'confirm'; action: 'stopAll' | 'cleanup'; prompt: string }
  | { kind: 'confirm'; action: 'land'; prompt: string; agent: string }
  | { kind: 'message'; agent: string; text: string }
  | { kind: 'filter'; text: string };

export type ModeKind = Mode['kind'];

/** The panel that ↑ ↓ move in. */
export type Panel = 'agents' | 'handoffs';

/** A line for the event line: the crew's own events and the TUI's feedback. */
export interface TuiEvent {
  time: string;
  level: 'info' | 'warn' | 'error';
  agent: string | null;
  message: string;
}

/** The selected agent's latest output. */
export interface PreviewState {
  agent: string | null;
  text: string;
  error: string | null;
}

export interface TuiState {
  snapshot: StatusView | null;
  /** is the control connection up? */
  connected: boolean;
  /** oldest first, at most `MAX_EVENTS` */
  events: TuiEvent[];
  selectedId: string | null;
  selectedHandoff: string | null;
  /** first visible row of the grid and of the handoff list */
  agentTop: number;
  handoffTop: number;
  panel: Panel;
  filter: string;
  mode: Mode;
  preview: PreviewState;
  size: { cols: number; rows: number };
  /** false when NO_COLOR is set */
  colors: boolean;
  /** when the data was last refreshed (relative times are computed from it) */
  now: number;
}

/** How many events the TUI keeps. */
export const MAX_EVENTS = 100;

/** The state before the first snapshot. */
export function initialState(size: { cols: number; rows: number }, colors: boolean, now: number): TuiState {
  return {
    snapshot: null,
    connected: false,
    events: [],
    selectedId: null,
    selectedHandoff: null,
    agentTop: 0,
    handoffTop: 0,
    panel: 'agents',
    filter: '',
    mode: { kind: 'normal' },
    preview: { agent: null, text: '', error: null },
    size,
    colors,
    now,
  };
}

/** NO_COLOR (https://no-color.org): set and not empty turns colour off. */
export function colorsEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}
