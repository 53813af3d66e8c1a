/**
 * What the common agent CLIs show on screen when they work, when they wait for a
 * permission answer, and when they are ready for the next message; and how each takes
 * submitted text. Used by `classify` (activity.ts) on a plain-text pane capture
 * (`capture-pane -p`, no escapes).
 *
 * Sources, read (not measured on this machine — none of these CLIs is installed here):
 * - Claude Code: permission dialogs "Do you want to proceed?" / "Do you want to make this
 *   edit to X?" with "❯ 1. Yes", "2. Yes, and don't ask again …", "3. No, and tell Claude
 *   what to do differently (esc)" (anthropics/claude-code issues #29925, #28794, #47201);
 *   busy spinner "✳ Simplifying… (2m 18s · ↓ 4.8k tokens)" and "esc to interrupt" /
 *   "ctrl+c to interrupt"; idle input box "❯" between "────" rules with a footer holding
 *   "? for shortcuts" (kbwo/ccmanager src/services/stateDetector/claude.ts and its tests;
 *   asheshgoplani/agent-deck internal/tmux/patterns.go). Large pastes collapse into
 *   "[Pasted text #1 +N lines]" in the input box, and an Enter in the same write as the
 *   paste is swallowed (third-party notes found by code search).
 * - Codex CLI (Rust TUI, openai/codex codex-rs/tui/src/bottom_pane/approval_overlay.rs and
 *   its snapshots): "Would you like to run the following command?", "Would you like to make
 *   the following edits?", "Would you like to grant these permissions?", "Do you want to
 *   approve network access to …?", "<server> needs your approval.", options "› 1. Yes,
 *   proceed (y)" … "No, and tell Codex what to do differently (esc)", footer "Press enter to
 *   confirm or esc to cancel". Busy: "• Working (0s • esc to interrupt)". Idle composer:
 *   "› Ask Codex to do anything", "? for shortcuts", "100% context left". The older
 *   TypeScript Codex asked "Allow command?" with "❯ Yes (y)" (openai/codex issue #392).
 *   Pastes over 1000 characters show "[Pasted Content N chars]".
 * - aider (Aider-AI/aider aider/io.py): `confirm_ask` prints "<question> (Y)es/(N)o" plus
 *   "/(A)ll", "/(S)kip all", "/(D)on't ask again", then " [Yes]: " or " [No]: "; the input
 *   prompt is "> ", preceded by the edit format and "multi" when set ("architect> ",
 *   "ask multi> "). In multiline mode Enter inserts a newline and Alt+Enter submits; a line
 *   that is only "{" opens a multi-line block.
 * - gemini-cli (google-gemini/gemini-cli ToolConfirmationMessage.tsx, LoadingIndicator):
 *   "Apply this change?", "Allow execution of: 'cmd'?", "Do you want to proceed?", "Allow
 *   execution of MCP tool …?", options "Yes, allow once", "Yes, allow always", "No, suggest
 *   changes (esc)"; busy "⠹ Polishing the code (esc to cancel, 12s)"; idle input box
 *   "│ >   Type your message or @path/to/file".
 * - shell: a POSIX prompt ends in "$", "#" or "%" (for a plain prompt, ">"); questions end in
 *   "[y/N]", "(yes/no)?" or "password:". Each pasted newline runs a line.
 */
import type { PresetName } from '../config/types.js';

export type PresetKey = PresetName | 'default';

export interface SubmitStyle {
  /** pause between the paste and Enter (NOTES: ≥150 ms for Claude Code and Codex) */
  pauseMs: number;
  /** quirks worth knowing when typing into this CLI */
  notes: string;
}

export interface ActivityPreset {
  name: PresetKey;
  /** output quiet this long (with the ready prompt on screen) counts as idle */
  quietMs: number;
  /** without any of `ready` on screen, idle needs this many times `quietMs` (a CLI whose prompt changed still becomes idle, later) */
  unreadyFactor: number;
  /** the screen's live part asks for a permission or an answer → `waiting` */
  waiting: RegExp[];
  /** the screen's bottom shows work in progress → `busy`, however quiet the output */
  busy: RegExp[];
  /** the ready-for-input prompt */
  ready: RegExp[];
  /** marks on the input line meaning pasted text sits there unsubmitted (placeholders for big pastes) */
  pendingInput: RegExp[];
  submit: SubmitStyle;
}

// Claude Code's spinner glyphs (kbwo/ccmanager claude.ts) and `*`/`·` seen in captures.
const CLAUDE_SPINNER = '✱✲✳✴✵✶✷✸✹✺✻✼✽✾✿❀❁❂❃❇❈❉❊❋✢✣✤✥✦✧✨⊛⊕⊙◉◎◍⁂⁕※⍟☼★☆·*';
const INTERRUPT = /\b(?:esc|ctrl\+c) to interrupt\b/i;
/** "[y/N]", "(y/n)", "(yes/no)?", ssh's "(yes/no/[fingerprint])?" at the end of the screen */
const YES_NO_AT_END = /(?:\[y\/n\]|\(y\/n\)|\(yes\/no(?:\/\[fingerprint\])?\)\??)\s*:?\s*$/i;

export const PRESETS: Readonly<Record<PresetKey, ActivityPreset>> = {
  claude: {
    name: 'claude',
    quietMs: 3000,
    unreadyFactor: 4,
    waiting: [
      /No, and tell Claude what to do differently/,
      /^[\s│]*❯\s*\d+\.\s+\S/m, // a numbered menu with the selection cursor (permissions, pickers)
      /\b(?:Do you want|Would you like) to [^\n]*\?\s*$(?:\n.*){0,3}\n\s*(?:❯\s*)?1\.\s/m,
      /\bDo you trust the files in this folder\?/,
      // the folder-trust dialog of 2.1.3xx in a folder it has not seen (e.g. a new worktree): muster never answers it
      /Yes, I trust this folder/,
      // unconfirmed wording, taken from ccmanager's detector: Claude's dialogs end with "Esc to cancel"
      /\besc to cancel\b/i,
    ],
    busy: [INTERRUPT, new RegExp(`^\\s*[${CLAUDE_SPINNER}]\\s+\\S+ing\\b[^\\n]*…`, 'm')],
    // "❯" today; ">" inside the boxed input of older versions (a bare "> " line is npm output or a quote)
    ready: [/^[\s│]*❯(?:\s|$)/m, /^\s*│\s*>(?:\s|$)/m, /\? for shortcuts/],
    pendingInput: [/\[Pasted text #\d+(?: \+\d+ lines?)?\]/],
    submit: {
      pauseMs: 200,
      notes:
        'Paste as one block (bracketed), wait ≥150 ms, Enter on its own: an Enter inside the paste is taken as part of it. ' +
        'Big pastes show as "[Pasted text #N +M lines]" in the input box, so the read-back must treat that mark as unsubmitted.',
    },
  },
  codex: {
    name: 'codex',
    quietMs: 3000,
    unreadyFactor: 4,
    waiting: [
      /Would you like to (?:run the following command|make the following edits|grant these permissions)\?/,
      /Do you want to approve network access to/,
      /needs your approval\./,
      /Press enter to confirm or esc to cancel/i,
      /Allow command\?/, // the older TypeScript Codex
      /No, and tell Codex what to do differently/,
    ],
    busy: [INTERRUPT, /^\s*•\s*Working\b[^\n]*\(/m],
    ready: [/^\s*›(?:\s|$)/m, /\? for shortcuts/, /\d+% context left/],
    pendingInput: [/\[Pasted Content \d+ chars\]/],
    submit: {
      pauseMs: 200,
      notes:
        'Paste, wait ≥150 ms, Enter on its own. A carriage return inside the text submits early: send LF line ends only. ' +
        'Pastes over 1000 characters show as "[Pasted Content N chars]".',
    },
  },
  aider: {
    name: 'aider',
    quietMs: 5000,
    unreadyFactor: 4,
    // Anchored to the end of the screen: answered questions stay in the scrollback as "… [Yes]: y".
    waiting: [/\(Y\)es\/\(N\)o[^\n]*\[[^\]\n]*\]:\s*$/, YES_NO_AT_END],
    // aider shows no busy mark we could confirm from its source: quiet time decides.
    busy: [],
    ready: [/(?:^|\n)[a-z -]*>\s*$/i],
    pendingInput: [],
    submit: {
      pauseMs: 150,
      notes:
        'prompt_toolkit: a bracketed paste keeps its newlines and Enter submits; in /multiline mode Enter adds a newline ' +
        'and Alt+Enter submits. A line that is only "{" opens a multi-line block.',
    },
  },
  gemini: {
    name: 'gemini',
    quietMs: 3000,
    unreadyFactor: 4,
    waiting: [
      /Apply this change\?/,
      /Allow execution of\b[^\n]*\?/,
      /Do you want to proceed\?/,
      /Yes, allow (?:once|always)/,
      /Waiting for user confirmation/, // ccmanager's detector; not found in gemini-cli's source we read
    ],
    busy: [/\(esc to cancel, \d/],
    ready: [/Type your message or @path\/to\/file/, /^[\s│]*>\s/m],
    pendingInput: [],
    submit: { pauseMs: 200, notes: 'Ink input box: paste, wait, Enter on its own.' },
  },
  shell: {
    name: 'shell',
    quietMs: 1500,
    unreadyFactor: 4,
    waiting: [YES_NO_AT_END, /password[^\n]*:\s*$/i, /passphrase[^\n]*:\s*$/i],
    busy: [],
    ready: [/[$#%>]\s*$/],
    pendingInput: [],
    submit: { pauseMs: 150, notes: 'Every newline in the pasted text runs a line: send one line, or accept that each runs.' },
  },
  default: {
    name: 'default',
    quietMs: 5000,
    unreadyFactor: 1,
    waiting: [YES_NO_AT_END],
    busy: [],
    ready: [],
    pendingInput: [],
    submit: { pauseMs: 200, notes: 'Unknown program: paste, wait, Enter on its own.' },
  },
};

/** The preset of a team file's `preset:` (null → the default). */
export function presetFor(name: PresetName | null | undefined): ActivityPreset {
  return PRESETS[name ?? 'default'];
}

/** True when the input line shows a placeholder for pasted text that was not submitted. */
export function showsPendingPaste(preset: ActivityPreset, inputLine: string): boolean {
  return preset.pendingInput.some((re) => re.test(inputLine));
}

/** Text ready to paste: LF line ends only (a CR submits early in Codex), no trailing newline. */
export function prepareText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}
