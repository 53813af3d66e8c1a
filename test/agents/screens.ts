/**
 * What the harness looks for on the pinned CLIs' screens, and the keys it answers with.
 * These are test-side facts, measured on the versions in clis.json and documented with the
 * captured screens in test/fixtures/screens/README.md; they are not muster's presets (those
 * decide activity from the live region only). A CLI update that changes them fails the
 * agents suite.
 */
import type { CliName } from './cli-env.js';

export interface CliScreens {
  /** the idle input screen (fresh or after a turn), with no turn running */
  idle: (screen: string) => boolean;
  /** a turn is running (before the first token; Codex shows nothing while text streams) */
  busy: RegExp;
  /** the permission prompt for its shell tool */
  permission: RegExp;
  /** keys that approve the prompt once */
  approve: string[];
  /** the first-run folder-trust dialog, where the CLI has one */
  trustDialog?: RegExp;
  /** accepting it: press `move` until `selected` shows the trusting choice, then Enter */
  acceptTrust?: { selected: RegExp; move: string };
}

/** The last `n` lines of a screen, blank lines at its end not counted. */
export function tail(screen: string, n: number): string {
  const lines = screen.split('\n');
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  return lines.slice(-n).join('\n');
}

const noneOf = (screen: string, ...patterns: RegExp[]) => patterns.every((p) => !p.test(screen));

export const SCREENS: Record<CliName, CliScreens> = {
  claude: {
    // empty `❯ ` between two rules, footer `? for shortcuts` (`esc to interrupt` while busy)
    idle: (s) => /^❯\s*$/m.test(tail(s, 6)) && /\? for shortcuts/.test(tail(s, 3)) && noneOf(tail(s, 8), /esc to interrupt/, /Do you want to proceed\?/),
    busy: /esc to interrupt/,
    permission: /Do you want to proceed\?/,
    approve: ['1'],
    // `❯ No, exit` is preselected
    trustDialog: /Quick safety check: Is this a project you created or one you trust\?/,
    acceptTrust: { selected: /❯ Yes, I trust this folder/, move: 'Down' },
  },
  codex: {
    idle: (s) => /^› /m.test(tail(s, 6)) && /\? for shortcuts/.test(tail(s, 3)) && noneOf(tail(s, 8), /esc to interrupt/, /Would you like to run/, /Working \(/),
    busy: /esc to interrupt/,
    permission: /Would you like to run the following command\?/,
    approve: ['y'],
  },
  gemini: {
    idle: (s) => /Type your message or @path\/to\/file/.test(tail(s, 8)) && noneOf(tail(s, 10), /esc to cancel/, /Allow execution/),
    busy: /esc to cancel/,
    permission: /Allow execution of/,
    approve: ['1'],
    trustDialog: /Do you trust the files in this folder\?/,
    acceptTrust: { selected: /● 1\. Trust folder/, move: 'Up' },
  },
  qwen: {
    // the spinner line sits just above the input box (6th line from the bottom); the
    // permission prompt replaces the box and ends with its spinner line
    idle: (s) => /^>\s+Type your message or @path\/to\/file/m.test(tail(s, 6)) && noneOf(tail(s, 6), /esc to cancel/, /Allow execution/, /Waiting for user confirmation/),
    busy: /esc to cancel/,
    permission: /Allow execution of/,
    approve: ['1'],
    trustDialog: /Do you trust this folder\?/,
    acceptTrust: { selected: /› 1\. Trust folder/, move: 'Up' },
  },
  opencode: {
    // the footer hint line (`tab agents  ctrl+p commands`; under the input box, which sits in
    // the middle of a fresh screen) carries the busy bar while a turn runs; the permission
    // panel replaces input and footer. On a wide screen (a sidebar) the line goes on with
    // `• OpenCode 1.18.33`.
    idle: (s) => s.split('\n').some((l) => /ctrl\+p commands(?:\s|$)/.test(l) && !/esc interrupt/.test(l)),
    busy: /esc interrupt/,
    permission: /Permission required/,
    approve: ['Enter'],
  },
};
