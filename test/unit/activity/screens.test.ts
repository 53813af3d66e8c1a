/**
 * The shipped presets over screens captured from the real CLIs at their pinned versions
 * (test/fixtures/screens/, recaptured by `npm run agents:capture`): every state of every
 * CLI, including the planted false positive (a finished turn whose reply quotes the CLI's
 * own permission prompt) and a draft left in the input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { classify, seenOf } from '../../../src/activity/classify.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { builtinPresets } from '../../helpers/presets.js';

const SCREENS = fileURLToPath(new URL('../../fixtures/screens/', import.meta.url));
let P: Record<string, PresetSpec> = {};
beforeAll(async () => {
  P = await builtinPresets();
});

const screen = (cli: string, state: string) => fs.readFileSync(path.join(SCREENS, cli, `${state}.txt`), 'utf8');
const QUIET = 60_000; // long quiet: the screen alone decides
const MOVING = 200; // output changed a moment ago

/** [cli, state, quiet time, activity, reason] */
type Row = [string, string, number, string, string];
const rows: Row[] = [];
for (const cli of ['claude', 'codex', 'gemini', 'qwen', 'opencode']) {
  rows.push(
    [cli, 'idle-fresh', QUIET, 'idle', 'prompt'],
    [cli, 'idle-after-turn', QUIET, 'idle', 'prompt'],
    // output that just changed is busy — not for opencode (quiet: 0s), whose busy rule shows for as long as it works
    cli === 'opencode' ? [cli, 'idle-after-turn', MOVING, 'idle', 'prompt'] : [cli, 'idle-after-turn', MOVING, 'busy', 'output'],
    [cli, 'busy-before-first-token', QUIET, 'busy', 'working'],
    [cli, 'permission', QUIET, 'waiting', 'permission'],
    [cli, 'permission', MOVING, 'waiting', 'permission'], // Codex blinks its title while it asks: output never quiet
    [cli, 'after-approval', QUIET, 'busy', 'working'],
  );
  if (fs.existsSync(path.join(SCREENS, cli, 'idle-quoting-prompt.txt'))) rows.push([cli, 'idle-quoting-prompt', QUIET, 'idle', 'prompt']);
  if (fs.existsSync(path.join(SCREENS, cli, 'first-run-dialog.txt')) && cli !== 'codex') rows.push([cli, 'first-run-dialog', QUIET, 'waiting', 'dialog']);
}
// streaming: a busy mark where the CLI shows one; Codex shows none, so only its moving output tells
rows.push(
  ['claude', 'busy-streaming', QUIET, 'busy', 'working'],
  ['gemini', 'busy-streaming', QUIET, 'busy', 'working'],
  ['qwen', 'busy-streaming', QUIET, 'busy', 'working'],
  ['opencode', 'busy-streaming', QUIET, 'busy', 'working'],
  ['codex', 'busy-streaming', MOVING, 'busy', 'output'],
);
// opencode resumed into a session whose shell call a kill cut off: the call spins on in the
// transcript (output never quiet), and the CLI takes input
rows.push(['opencode', 'resumed-cut-off', MOVING, 'idle', 'prompt']);
// a draft: text nobody submitted sits in the input (opencode collapses a paste to "[Pasted ~3 lines]")
for (const cli of ['claude', 'codex', 'gemini', 'qwen', 'opencode']) rows.push([cli, 'draft', QUIET, 'idle', 'draft']);

describe('captured screens', () => {
  it.each(rows)('%s %s, quiet %i ms → %s (%s)', (cli, state, quietMs, activity, reason) => {
    const v = classify({ preset: P[cli] as PresetSpec, screen: screen(cli, state), quietMs });
    expect({ activity: v.activity, reason: v.reason }).toEqual({ activity, reason });
  });

  // the line a waiting agent shows is what a notification will quote
  it.each([
    ['claude', 'permission', /Do you want to proceed\?|1\. Yes/],
    ['codex', 'permission', /Would you like to run|Press enter to confirm|No, and tell Codex/],
    ['gemini', 'permission', /Allow/],
    ['qwen', 'permission', /Waiting for user confirmation|Allow execution/],
    ['opencode', 'permission', /Permission required|Allow once/],
    ['claude', 'first-run-dialog', /trust/],
    ['gemini', 'first-run-dialog', /trust/],
    ['qwen', 'first-run-dialog', /trust/],
  ])('%s %s: the prompt\'s line is kept', (cli, state, line) => {
    const seen = seenOf(classify({ preset: P[cli] as PresetSpec, screen: screen(cli, state), quietMs: QUIET }));
    expect(seen.activity).toBe('waiting');
    expect(seen.line).toMatch(line);
  });

  // `known` is what proves a resumed CLI came up (core/sessions.ts): a rule or a draft recognised the screen
  it.each(['claude', 'codex', 'gemini', 'qwen', 'opencode'])('%s: its idle, waiting and draft screens are known; a screen no rule knows is not', (cli) => {
    const known = (text: string) => seenOf(classify({ preset: P[cli] as PresetSpec, screen: text, quietMs: QUIET })).known;
    for (const state of ['idle-fresh', 'idle-after-turn', 'permission', 'draft']) expect(known(screen(cli, state)), state).toBe(true);
    expect(known('Error: Session not found\n\n$ ')).toBe(false);
  });

  it('busy and idle agents show no prompt line', () => {
    expect(seenOf(classify({ preset: P.claude as PresetSpec, screen: screen('claude', 'idle-quoting-prompt'), quietMs: QUIET })).line).toBeNull();
    expect(seenOf(classify({ preset: P.claude as PresetSpec, screen: screen('claude', 'busy-streaming'), quietMs: QUIET })).line).toBeNull();
  });
});
