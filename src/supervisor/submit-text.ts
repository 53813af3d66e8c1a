/**
 * Typing into an agent, confirmed from its screen (docs/presets.md, "Typing"): look before
 * typing (never into a permission prompt or a dialog, never over a draft unless forced),
 * paste the text, wait until the typed text is visible in the input (Gemini CLI turns an
 * Enter that comes too soon into a newline), look again that no prompt appeared, press
 * Enter on its own, and confirm that the text left the input — pressing Enter again a
 * bounded number of times while it still sits there. What could not be confirmed is
 * cleared with the preset's clear keys where it has some. One sender per pane at a time.
 *
 * `resume`: a supervisor stopped during this typing (the item was saved as being typed
 * before the paste). The pane decides: the text still in the input is submitted; the text
 * above the input was submitted already; anything else on the line is cleared and the text
 * typed again — so the message is submitted exactly once either way.
 */
import { classify, seenOf, type Verdict } from '../activity/classify.js';
import { inTranscript, leftInput, readBack, type ReadBack } from '../activity/read-back.js';
import type { PresetSpec } from '../config/preset-types.js';
import type { TypedOutcome } from '../core/crew-events.js';

export interface TypingPort {
  pasteText(paneId: string, text: string): Promise<void>;
  sendKeys(paneId: string, keys: string[]): Promise<void>;
  /** the visible screen, with `lines` of history above it */
  capture(paneId: string, options?: { lines?: number }): Promise<string>;
  /** the line under the pane's cursor: where a program without an input line of its own reads (docs/presets.md, "Typing") */
  cursorLine?(paneId: string): Promise<string>;
}

export interface SubmitOptions {
  preset: PresetSpec;
  sleep: (ms: number) => Promise<void>;
  /** type whatever the screen shows, busy or over a draft (never into a prompt or a dialog) */
  force?: boolean;
  resume?: boolean;
  /**
   * the try before was not confirmed: a CLI slower than the confirmation may have taken it
   * after all, so text already above an empty input on the screen counts as submitted (not
   * typed twice), and the text still in the input is submitted as it is
   */
  retry?: boolean;
  /** how long the typed text may take to show in the input */
  showMs?: number;
  /** how long the agent may take to take the text after an Enter */
  takeMs?: number;
  /** Enter presses after the first while the text still sits in the input */
  retries?: number;
  /** how often the screen is read while waiting */
  pollMs?: number;
  /** called between the paste and Enter (a test hook that can hold the typing there) */
  beforeEnter?: () => Promise<void>;
}

/** What typing came to, and the Enter presses it took. */
export type SubmitResult = TypedOutcome & { enters: number };

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` once every earlier sender to the same pane has finished. */
export function withPaneLock<T>(paneId: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(paneId) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.catch(() => undefined);
  locks.set(paneId, settled);
  void settled.then(() => {
    if (locks.get(paneId) === settled) locks.delete(paneId);
  });
  return run;
}

/** The screen judged on its rules alone (quiet long enough that output does not decide). */
function judge(preset: PresetSpec, screen: string): Verdict {
  return classify({ preset, screen, quietMs: Number.MAX_SAFE_INTEGER });
}

/** What the input line showed, for a report. */
function showed(back: ReadBack): string {
  return back.inputText === null ? 'no input line on screen' : `its input shows ${JSON.stringify(back.inputText.slice(0, 80))}`;
}

export function submitText(port: TypingPort, paneId: string, text: string, options: SubmitOptions): Promise<SubmitResult> {
  return withPaneLock(paneId, () => deliver(port, paneId, text, options));
}

async function deliver(port: TypingPort, pane: string, text: string, o: SubmitOptions): Promise<SubmitResult> {
  const { preset, sleep } = o;
  const pollMs = o.pollMs ?? 100;
  const look = async () => {
    const screen = await port.capture(pane);
    // a preset without an input line (a shell, a program reading lines): the text sits on the cursor's line
    const cursor = preset.input.line === null && port.cursorLine ? await port.cursorLine(pane) : undefined;
    return { screen, verdict: judge(preset, screen), back: readBack(screen, preset, text, cursor) };
  };
  /** Polls until `ok` holds or `ms` passed; the last look. */
  const until = async (ms: number, ok: (l: Awaited<ReturnType<typeof look>>) => boolean) => {
    let l = await look();
    for (let waited = 0; !ok(l) && waited < ms; waited += pollMs) {
      await sleep(pollMs);
      l = await look();
    }
    return l;
  };
  const clear = async (): Promise<boolean> => {
    if (preset.clearKeys.length === 0) return false;
    await port.sendKeys(pane, preset.clearKeys);
    return true;
  };

  let before = await look();
  if (before.verdict.activity === 'waiting') {
    return { result: 'refused', why: `it shows a ${before.verdict.reason} prompt`, seen: seenOf(before.verdict), enters: 0 };
  }
  let typeIt = true;
  // a retry whose try before left the text in the input: it is submitted, not typed again
  const ownText = Boolean(o.retry) && before.back.shown && !before.back.inputEmpty;
  if (o.resume) {
    if (before.back.shown && !before.back.inputEmpty) typeIt = false; // pasted, Enter not pressed: submit what is there
    else if (before.back.inputEmpty || before.back.inputText === null) {
      // it went in before the stop (read with some history: more output may have followed)
      if (inTranscript(await port.capture(pane, { lines: 300 }), preset, text)) return { result: 'submitted', enters: 0 };
    } else if (!(await clear())) {
      return { result: 'unconfirmed', why: `a typing was cut off and ${showed(before.back)}; no key is known to clear it`, left: true, enters: 0 };
    } else {
      before = await until(o.showMs ?? 3000, (l) => l.back.inputEmpty);
    }
  } else if (o.retry && (before.back.inputEmpty || before.back.inputText === null) && inTranscript(before.screen, preset, text)) {
    // the visible screen only: a CLI that clears its screen to redraw leaves its earlier
    // frames in the history, the text still in their input line
    return { result: 'submitted', enters: 0 };
  } else if (before.verdict.activity === 'busy' && before.verdict.rule && preset.submit.enterWhileBusy === 'steer') {
    // Enter into a running turn steers it (Codex, Qwen Code): not even forced
    return { result: 'refused', why: `it is busy (${before.verdict.reason}) and an Enter would steer its running turn`, seen: seenOf(before.verdict), enters: 0 };
  } else if (!o.force) {
    if (before.verdict.activity === 'busy' && before.verdict.rule) {
      return { result: 'refused', why: `it is busy (${before.verdict.reason})`, seen: seenOf(before.verdict), enters: 0 };
    }
    if (before.back.inputText !== null && !before.back.inputEmpty && !ownText) {
      return { result: 'refused', why: `someone's draft is in its input`, seen: { activity: 'idle', reason: 'draft', line: null, ready: true, known: true }, enters: 0 };
    }
  }
  if (ownText) typeIt = false;

  if (typeIt) await port.pasteText(pane, text);
  await sleep(Math.max(150, preset.submit.pauseMs));
  const shown = await until(o.showMs ?? 5000, (l) => l.back.shown || l.verdict.activity === 'waiting');
  if (!shown.back.shown || shown.verdict.activity === 'waiting') {
    const why = shown.verdict.activity === 'waiting' ? `a ${shown.verdict.reason} prompt appeared before Enter` : `the typed text never showed in its input (${showed(shown.back)})`;
    const cleared = shown.verdict.activity !== 'waiting' && (await clear());
    return { result: 'unconfirmed', why, left: !cleared, enters: 0 };
  }
  await o.beforeEnter?.();
  let enters = 0;
  for (;;) {
    // Never an Enter into a prompt: look right before pressing it.
    const now = await look();
    if (enters > 0 && leftInput(now.back)) return { result: 'submitted', enters };
    if (now.verdict.activity === 'waiting') {
      // Typed into an idle CLI, a permission prompt or a question after our Enter is its answer
      // to the text: taken, though the screen may still show the text near it (Gemini CLI echoes
      // it right above its prompt box)
      if (enters > 0 && !o.force && now.verdict.reason !== 'dialog') return { result: 'submitted', enters };
      return { result: 'unconfirmed', why: `a ${now.verdict.reason} prompt appeared before Enter`, left: !leftInput(now.back), enters };
    }
    if (enters > (o.retries ?? 2)) {
      const cleared = await clear();
      return { result: 'unconfirmed', why: `after ${enters} Enter presses the text still sits in its input (${showed(now.back)})`, left: !cleared, enters };
    }
    await port.sendKeys(pane, ['Enter']);
    enters++;
    const after = await until(o.takeMs ?? 2000, (l) => leftInput(l.back) || l.verdict.activity === 'waiting');
    if (!leftInput(after.back)) continue;
    // A capture can fall between a full-screen CLI's clear and its redraw: confirm on a second look.
    await sleep(pollMs);
    if (leftInput((await look()).back)) return { result: 'submitted', enters };
  }
}
