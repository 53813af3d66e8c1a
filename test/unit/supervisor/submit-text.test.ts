/**
 * Typing confirmed from the screen (docs/presets.md, "Typing"), against a small simulated
 * pane drawn the way Claude Code draws its input box: Enter only once the typed text
 * shows, never into a prompt, bounded retries then the clear keys, and a resumed typing
 * that submits, skips or retypes — exactly once. End to end with a real CLI stand-in:
 * test/e2e/delivery.test.ts and test/e2e/typing-crash.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { submitText, type TypingPort } from '../../../src/supervisor/submit-text.js';
import { builtinPreset } from '../../helpers/presets.js';

let claude: PresetSpec;
beforeAll(async () => {
  claude = { ...(await builtinPreset('claude')), clearKeys: ['C-u'] };
});

const RULE = '─'.repeat(60);

/** A pane: a transcript, an input line, and what the keys do to it. */
class Pane implements TypingPort {
  transcript: string[] = ['⏺ Done.'];
  input = '';
  prompt = false;
  /** captures before typed text is drawn (an Enter before then is a newline, as Gemini CLI takes it) */
  drawAfter = 0;
  private undrawn = 0;
  swallowEnters = 0;
  /** a submitted text makes the CLI ask (its model called a tool), the text echoed right above the prompt */
  askOnSubmit = false;
  submitted: string[] = [];
  keys: string[] = [];
  pastes = 0;

  async pasteText(_pane: string, text: string): Promise<void> {
    if (this.prompt) return;
    this.pastes++;
    this.input += text;
    this.undrawn = this.drawAfter;
  }

  async sendKeys(_pane: string, keys: string[]): Promise<void> {
    for (const k of keys) {
      this.keys.push(k);
      if (k === 'C-u') this.input = '';
      if (k !== 'Enter' || this.prompt) continue;
      if (this.undrawn > 0) this.input += '\n';
      else if (this.swallowEnters > 0) this.swallowEnters--;
      else if (this.input !== '') {
        this.submitted.push(this.input);
        this.transcript.push(`> ${this.input}`);
        this.input = '';
        if (this.askOnSubmit) this.prompt = true;
      }
    }
  }

  async capture(): Promise<string> {
    if (this.undrawn > 0) this.undrawn--;
    // drawn the way Gemini CLI draws it: the text echoed right above the box, no input line
    if (this.prompt && this.askOnSubmit) return [...this.transcript.slice(0, -1), RULE, this.transcript.at(-1) ?? '', ' Bash command: touch x', ' Do you want to proceed?', ' ● 1. Yes', '   2. No'].join('\n');
    if (this.prompt) return [...this.transcript, RULE, ' Bash command: touch x', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No', ' Esc to cancel'].join('\n');
    const shown = this.undrawn > 0 ? '' : this.input;
    return [...this.transcript, RULE, `❯ ${shown}`, RULE, '  ? for shortcuts'].join('\n');
  }
}

const instant = async () => undefined;
const type = (pane: Pane, text: string, o: { force?: boolean; resume?: boolean; retry?: boolean } = {}) => submitText(pane, '%1', text, { preset: claude, sleep: instant, ...o });

describe('submitText', () => {
  it('presses Enter only once the typed text shows, and confirms it left the input', async () => {
    const pane = new Pane();
    pane.drawAfter = 5;
    expect(await type(pane, 'fix the parser')).toEqual({ result: 'submitted', enters: 1 });
    expect(pane.submitted).toEqual(['fix the parser']);
  });

  it('never types into a permission prompt, forced or not', async () => {
    const pane = new Pane();
    pane.prompt = true;
    const r = await type(pane, 'hello', { force: true });
    expect(r).toMatchObject({ result: 'refused', seen: { activity: 'waiting', reason: 'permission' } });
    expect([pane.pastes, pane.keys]).toEqual([0, []]);
  });

  it('leaves a draft alone unless forced', async () => {
    const pane = new Pane();
    pane.input = 'half a thought';
    expect(await type(pane, 'hello')).toMatchObject({ result: 'refused', seen: { reason: 'draft' } });
    expect(pane.pastes).toBe(0);
  });

  it('presses Enter again while the text still sits there, at most three times, then clears it', async () => {
    const once = new Pane();
    once.swallowEnters = 1;
    expect(await type(once, 'two Enters')).toEqual({ result: 'submitted', enters: 2 });
    expect(once.submitted).toEqual(['two Enters']);

    const deaf = new Pane();
    deaf.swallowEnters = 1000;
    const r = await type(deaf, 'never taken');
    expect(r).toMatchObject({ result: 'unconfirmed', left: false, enters: 3 });
    expect(r.result === 'unconfirmed' && r.why).toMatch(/its input shows "never taken"/);
    expect(deaf.keys).toEqual(['Enter', 'Enter', 'Enter', 'C-u']);
    expect(deaf.input).toBe('');
  });

  it('a permission prompt after its Enter is the CLI taking the text, even with the text still on screen beside it', async () => {
    const pane = new Pane();
    pane.askOnSubmit = true;
    expect(await type(pane, 'run the second command')).toEqual({ result: 'submitted', enters: 1 });
    expect(pane.submitted).toEqual(['run the second command']);
    // forced into a busy CLI, a prompt may be the running turn's: not counted as taken
    const busy = new Pane();
    busy.askOnSubmit = true;
    expect(await type(busy, 'run the second command', { force: true })).toMatchObject({ result: 'unconfirmed', enters: 1 });
  });

  describe('a retry after a try that was not confirmed', () => {
    it('counts the text above an empty input as taken late by a slow CLI: not typed twice', async () => {
      const pane = new Pane();
      pane.transcript.push('> taken after the confirmation gave up');
      expect(await type(pane, 'taken after the confirmation gave up', { retry: true })).toEqual({ result: 'submitted', enters: 0 });
      expect([pane.pastes, pane.keys]).toEqual([0, []]);
    });

    it('types it again when it is nowhere on screen', async () => {
      const pane = new Pane();
      expect(await type(pane, 'lost on the way', { retry: true })).toEqual({ result: 'submitted', enters: 1 });
      expect(pane.submitted).toEqual(['lost on the way']);
    });

    it('presses Enter on the text the try before left in the input, without typing it again', async () => {
      const pane = new Pane();
      pane.input = 'left there by a CLI that was not taking Enter yet';
      expect(await type(pane, 'left there by a CLI that was not taking Enter yet', { retry: true })).toEqual({ result: 'submitted', enters: 1 });
      expect([pane.pastes, pane.submitted]).toEqual([0, ['left there by a CLI that was not taking Enter yet']]);
    });

    it("leaves the input alone when it holds something else: someone's draft", async () => {
      const pane = new Pane();
      pane.input = 'the user rewrote it';
      expect(await type(pane, 'left there by a CLI that was not taking Enter yet', { retry: true })).toMatchObject({ result: 'refused', seen: { reason: 'draft' } });
      expect([pane.pastes, pane.keys]).toEqual([0, []]);
    });

    it('a first try types the text even when the same text is above (a message sent twice on purpose)', async () => {
      const pane = new Pane();
      pane.transcript.push('> say it again');
      expect(await type(pane, 'say it again')).toEqual({ result: 'submitted', enters: 1 });
      expect(pane.submitted).toEqual(['say it again']);
    });
  });

  describe('resumed after a crash', () => {
    it('submits the text still in the input without pasting it again', async () => {
      const pane = new Pane();
      pane.input = 'resume me';
      expect(await type(pane, 'resume me', { resume: true })).toEqual({ result: 'submitted', enters: 1 });
      expect([pane.pastes, pane.submitted]).toEqual([0, ['resume me']]);
    });

    it('counts text above the input as submitted already', async () => {
      const pane = new Pane();
      pane.transcript.push('> already went in');
      expect(await type(pane, 'already went in', { resume: true })).toEqual({ result: 'submitted', enters: 0 });
      expect([pane.pastes, pane.keys]).toEqual([0, []]);
    });

    it('clears a cut-off line and types the text again', async () => {
      const pane = new Pane();
      pane.input = 'typed again in fu';
      expect(await type(pane, 'typed again in full', { resume: true })).toEqual({ result: 'submitted', enters: 1 });
      expect(pane.keys).toEqual(['C-u', 'Enter']);
      expect(pane.submitted).toEqual(['typed again in full']);
    });

    it('types it when nothing of it is on screen', async () => {
      const pane = new Pane();
      expect(await type(pane, 'never pasted', { resume: true })).toEqual({ result: 'submitted', enters: 1 });
      expect(pane.submitted).toEqual(['never pasted']);
    });
  });
});
