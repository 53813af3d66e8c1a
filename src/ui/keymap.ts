/**
 * The one place that maps keys to what they do (README, "The TUI"). Pure: a key and the current
 * mode in, an action (or nothing) out. The help screen and the hint line are built from
 * the same table.
 */
import type { ModeKind } from './tui-state.js';

/** What a key asks for. */
export type TuiAction =
  | { type: 'move'; delta: number }
  | { type: 'nextPanel' }
  | { type: 'attach' }
  | { type: 'stop' }
  | { type: 'reset' }
  | { type: 'pauseResume' }
  | { type: 'message' }
  | { type: 'nudge' }
  | { type: 'deliver' }
  | { type: 'nextNeedsYou' }
  | { type: 'diff' }
  | { type: 'land' }
  | { type: 'stopAll' }
  | { type: 'cleanup' }
  | { type: 'filter' }
  | { type: 'clearFilter' }
  | { type: 'help' }
  | { type: 'closeHelp' }
  | { type: 'quit' }
  | { type: 'confirm' }
  /** `s` at a land's question: land as one squashed commit */
  | { type: 'confirmSquash' }
  | { type: 'cancel' }
  | { type: 'inputText'; text: string }
  | { type: 'inputBackspace' }
  | { type: 'inputSubmit' };

/** The parts of Ink's key description that the keymap reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** A row of the help screen: the keys and what they do. */
export interface KeyHelp {
  keys: string;
  does: string;
  /** short form for the hint line; absent = not on the hint line */
  hint?: string;
}

/** Every key of the normal mode, for the help screen and the hint line. */
export const KEY_HELP: readonly KeyHelp[] = [
  { keys: '↑ ↓ / k j', does: 'select agent (or handoff)', hint: '↑↓ select' },
  { keys: 'Tab', does: 'move between panels (agents, handoffs)' },
  { keys: 'Enter or a', does: 'attach to the selected agent; Ctrl-] (or detaching tmux) returns', hint: 'Enter attach' },
  { keys: 's', does: 'stop the selected agent', hint: 's stop' },
  { keys: 'r', does: 'reset the selected agent (fresh process, counters cleared)', hint: 'r reset' },
  { keys: 'p', does: 'pause / resume the selected agent', hint: 'p pause' },
  { keys: 'm', does: 'type a message to the selected agent', hint: 'm msg' },
  { keys: 'n', does: 'nudge the selected agent to check in now', hint: 'n nudge' },
  { keys: 'h', does: 'deliver the selected pending handoff now', hint: 'h deliver' },
  { keys: 'w', does: 'select the next agent that needs you (a prompt, a failure, a budget)', hint: 'w needs you' },
  { keys: 'd', does: "the selected agent's diff against its base, full screen in your pager (q returns)", hint: 'd diff' },
  { keys: 'L', does: "land the selected agent's branch (asks: y merges, s squashes into one commit)", hint: 'L land' },
  { keys: 'S', does: 'stop all agents (asks to confirm)', hint: 'S stop all' },
  { keys: 'X', does: 'emergency cleanup: kill the whole crew (asks to confirm with y)', hint: 'X cleanup' },
  { keys: '/', does: 'filter agents (Enter keeps the filter, Esc clears it)', hint: '/ filter' },
  { keys: '?', does: 'this help', hint: '? help' },
  { keys: 'q', does: 'quit the TUI; the agents keep running', hint: 'q quit' },
];

const PAGE = 10;

function normalKey(input: string, key: KeyInfo): TuiAction | null {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (key.upArrow || input === 'k') return { type: 'move', delta: -1 };
  if (key.downArrow || input === 'j') return { type: 'move', delta: 1 };
  if (key.pageUp) return { type: 'move', delta: -PAGE };
  if (key.pageDown) return { type: 'move', delta: PAGE };
  if (key.home) return { type: 'move', delta: -Infinity };
  if (key.end) return { type: 'move', delta: Infinity };
  if (key.tab) return { type: 'nextPanel' };
  if (key.return) return { type: 'attach' };
  if (key.escape) return { type: 'clearFilter' };
  if (key.ctrl || key.meta) return null;
  switch (input) {
    case 'a':
      return { type: 'attach' };
    case 's':
      return { type: 'stop' };
    case 'r':
      return { type: 'reset' };
    case 'p':
      return { type: 'pauseResume' };
    case 'm':
      return { type: 'message' };
    case 'n':
      return { type: 'nudge' };
    case 'h':
      return { type: 'deliver' };
    case 'w':
      return { type: 'nextNeedsYou' };
    case 'd':
      return { type: 'diff' };
    case 'L':
      return { type: 'land' };
    case 'S':
      return { type: 'stopAll' };
    case 'X':
      return { type: 'cleanup' };
    case '/':
      return { type: 'filter' };
    case '?':
      return { type: 'help' };
    case 'q':
      return { type: 'quit' };
    default:
      return null;
  }
}

function inputKey(input: string, key: KeyInfo): TuiAction | null {
  if (key.return) return { type: 'inputSubmit' };
  if (key.escape) return { type: 'cancel' };
  if (key.ctrl && input === 'c') return { type: 'cancel' };
  if (key.backspace || key.delete) return { type: 'inputBackspace' };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return null;
  const text = input.replace(/[\x00-\x1f\x7f]/g, '');
  return text === '' ? null : { type: 'inputText', text };
}

/** The action for a key in a mode, or null when the key does nothing there. */
export function keyToAction(mode: ModeKind, input: string, key: KeyInfo): TuiAction | null {
  switch (mode) {
    case 'normal':
      return normalKey(input, key);
    case 'help':
      return key.escape || input === '?' || input === 'q' || key.return ? { type: 'closeHelp' } : null;
    case 'confirm':
      // `s` squashes at a land's question; the controller cancels it at any other question
      return input === 'y' || input === 'Y' ? { type: 'confirm' } : input === 's' ? { type: 'confirmSquash' } : { type: 'cancel' };
    case 'message':
    case 'filter':
      return inputKey(input, key);
  }
}

/**
 * Hands a key (or a burst of typed characters that arrived together) to `handle`, one
 * action per character, reading the mode afresh before each: `m` followed at once by
 * text opens the input and types the text into it.
 */
export function dispatchKey(input: string, key: KeyInfo, mode: () => ModeKind, handle: (action: TuiAction) => void): void {
  const special = key.return || key.escape || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.home || key.end || key.backspace || key.delete || key.ctrl || key.meta;
  const chars = special || input.length <= 1 ? [input] : Array.from(input);
  for (const ch of chars) {
    const action = keyToAction(mode(), ch, key);
    if (action) handle(action);
  }
}
