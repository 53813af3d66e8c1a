/**
 * Reading typed text back from the real CLIs' screens (test/fixtures/screens/): the draft
 * fixtures hold exactly DRAFT pasted and not submitted — in a box (Gemini), with U+200B
 * added (Qwen), collapsed into `[Pasted ~3 lines]` (opencode) — so typing knows when Enter
 * may follow, when the text left the input, and when a submitted message shows above it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact, inTranscript, leftInput, readBack, tailMark } from '../../../src/activity/read-back.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { builtinPresets } from '../../helpers/presets.js';

const SCREENS = fileURLToPath(new URL('../../fixtures/screens/', import.meta.url));
const screen = (cli: string, state: string) => fs.readFileSync(path.join(SCREENS, cli, `${state}.txt`), 'utf8');
const DRAFT = 'Draft line one of a prompt\nDraft line two\nDraft line three, still not sent';
const CLIS = ['claude', 'codex', 'gemini', 'qwen', 'opencode'];
let P: Record<string, PresetSpec> = {};
beforeAll(async () => {
  P = await builtinPresets();
});

describe('read-back over the real screens', () => {
  it.each(CLIS)('%s: the pasted text shows in the input before Enter', (cli) => {
    const back = readBack(screen(cli, 'draft'), P[cli] as PresetSpec, DRAFT);
    expect(back.shown).toBe(true);
    expect(back.inputEmpty).toBe(false);
    expect(leftInput(back)).toBe(false);
  });

  it.each(CLIS)('%s: an idle input does not show it', (cli) => {
    for (const state of ['idle-fresh', 'idle-after-turn']) {
      const back = readBack(screen(cli, state), P[cli] as PresetSpec, DRAFT);
      expect(back.shown, state).toBe(false);
      expect(leftInput(back), state).toBe(true);
    }
  });

  it.each(CLIS)('%s: once submitted the text left the input', (cli) => {
    const back = readBack(screen(cli, 'busy-before-first-token'), P[cli] as PresetSpec, DRAFT);
    expect(leftInput(back)).toBe(true);
  });

  it.each(['claude', 'codex', 'gemini', 'qwen'])('%s: a submitted message shows above the input (a resumed typing does not type it twice)', (cli) => {
    expect(inTranscript(screen(cli, 'busy-before-first-token'), P[cli] as PresetSpec, DRAFT)).toBe(true);
    expect(inTranscript(screen(cli, 'draft'), P[cli] as PresetSpec, DRAFT)).toBe(false);
    expect(inTranscript(screen(cli, 'idle-fresh'), P[cli] as PresetSpec, DRAFT)).toBe(false);
  });

  it('Qwen: U+200B added to the input is ignored; opencode: the collapsed paste stands for the text', () => {
    expect(screen('qwen', 'draft')).toContain('\u200b');
    expect(readBack(screen('opencode', 'draft'), P.opencode as PresetSpec, 'anything at all, hidden behind the mark').shown).toBe(true);
  });

  it('a cut-off paste does not show the text (its tail is missing)', () => {
    const cut = screen('claude', 'draft').replace('still not sent', 'still no');
    const back = readBack(cut, P.claude as PresetSpec, DRAFT);
    expect(back.shown).toBe(false);
    expect(back.inputEmpty).toBe(false);
  });

  it('compares without blanks, box edges and added characters', () => {
    expect(compact('│ a b\u200b │\n c', ['\u200b'])).toBe('abc');
    expect(tailMark('x'.repeat(30) + ' the end')).toHaveLength(20);
  });
});

describe('a program without an input line (a shell, a line reader)', () => {
  it('reads the line under the cursor: an echo of the text above it is not the input', async () => {
    const { builtinPreset } = await import('../../helpers/presets.js');
    const shell = await builtinPreset('shell');
    const text = 'Handoff from ho/pm: build it';
    const typed = `${text}`;
    const echoed = `${text}\ngot:${text}\n`;
    expect(readBack(typed, shell, text, typed).shown).toBe(true);
    const after = readBack(echoed, shell, text, '');
    expect(after.shown).toBe(false);
    expect(leftInput(after)).toBe(true);
    expect(after.inputText).toBeNull(); // no draft can be read there
  });
});
