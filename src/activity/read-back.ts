/**
 * Reading typed text back from an agent's screen (docs/presets.md, "Typing"): is the text
 * muster typed visible in the input yet (so Enter may follow), did it leave the input
 * (submitted), and does it show above the input (a supervisor that stopped mid-typing had
 * it submitted already). CLIs redraw text their own way — wrapped in a box, with U+200B
 * added (Qwen), collapsed into `[Pasted ~3 lines]` (opencode) — so the comparison is made
 * without blanks, box edges or the characters the preset says the CLI adds. Pure.
 */
import type { PresetSpec } from '../config/preset-types.js';
import { liveRegion, readInput } from './screen.js';

/** How many characters of the text's tail (blanks removed) must show. */
const MARK = 20;

/** A line of text without blanks, box edges and the characters the CLI adds. */
export function compact(text: string, ignore: readonly string[] = []): string {
  let out = text;
  for (const ch of ignore) out = out.split(ch).join('');
  return out.replace(/[\s│┃║|]+/g, '');
}

/** The tail of the text that shows on screen while it sits in the input (blanks removed). */
export function tailMark(text: string): string {
  return compact(text).slice(-MARK);
}

export interface ReadBack {
  /** the typed text (or the CLI's mark for a collapsed paste) is in the live region */
  shown: boolean;
  /** the input line holds nothing (or only its placeholder) */
  inputEmpty: boolean;
  /** the input line as read, for what a report says the screen showed */
  inputText: string | null;
}

/**
 * What the live region shows of `text`. `cursorLine`: for a preset without an input line,
 * the line under the cursor — the text is in the input while it shows there (a program that
 * echoes what it read shows it again above, which is not the input).
 */
export function readBack(screen: string, preset: PresetSpec, text: string, cursorLine?: string): ReadBack {
  if (cursorLine !== undefined && preset.input.line === null) {
    const mark = tailMark(text);
    const line = compact(cursorLine, preset.input.ignore);
    // no input line to read a draft or an emptiness from: only whether the text sits there
    return { shown: mark.length > 0 && line.includes(mark), inputEmpty: false, inputText: null };
  }
  const live = liveRegion(screen, preset.live);
  const input = readInput(live, preset.input);
  // from the input line down (a multi-line input continues below it), not the transcript above
  const re = preset.input.line;
  const at = re ? live.map((l) => re.test(l)).lastIndexOf(true) : -1;
  const from = Math.max(0, at);
  const region = compact(live.slice(from).join('\n'), preset.input.ignore);
  const mark = tailMark(text);
  const shown = Boolean(input?.pending) || (mark.length > 0 && region.includes(mark));
  return { shown, inputEmpty: input !== null && input.empty, inputText: input ? input.text : null };
}

/**
 * Did the text leave the input? The input line is empty again, or the text no longer
 * shows in the live region.
 */
export function leftInput(back: ReadBack): boolean {
  return back.inputEmpty || !back.shown;
}

/**
 * Does the screen show the text above the input, as a submitted message (a transcript line
 * holding its whole first line, wrapped or not)? Used when a new supervisor resumes an interrupted typing.
 */
export function inTranscript(screen: string, preset: PresetSpec, text: string): boolean {
  const lines = screen.replace(/\r/g, '').split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const live = liveRegion(screen, preset.live);
  // everything above the input line (or, with none on screen, above the live region)
  const re = preset.input.line;
  const at = re ? live.map((l) => re.test(l)).lastIndexOf(true) : -1;
  const above = lines.slice(0, Math.max(0, lines.length - live.length + (at >= 0 ? at : 0)));
  const first = compact(text.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 200);
  return first.length > 0 && compact(above.join('\n'), preset.input.ignore).includes(first);
}
