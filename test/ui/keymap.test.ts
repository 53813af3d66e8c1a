import { describe, expect, it } from 'vitest';
import { dispatchKey, KEY_HELP, keyToAction, type TuiAction } from '../../src/ui/keymap.js';
import type { ModeKind } from '../../src/ui/tui-state.js';

describe('keymap', () => {
  it('maps every key of the normal mode', () => {
    const n = (input: string, key = {}) => keyToAction('normal', input, key);
    expect(n('', { upArrow: true })).toEqual({ type: 'move', delta: -1 });
    expect(n('k')).toEqual({ type: 'move', delta: -1 });
    expect(n('', { downArrow: true })).toEqual({ type: 'move', delta: 1 });
    expect(n('j')).toEqual({ type: 'move', delta: 1 });
    expect(n('\t', { tab: true })).toEqual({ type: 'nextPanel' });
    expect(n('\r', { return: true })).toEqual({ type: 'attach' });
    expect(n('a')).toEqual({ type: 'attach' });
    expect(n('s')).toEqual({ type: 'stop' });
    expect(n('r')).toEqual({ type: 'reset' });
    expect(n('p')).toEqual({ type: 'pauseResume' });
    expect(n('m')).toEqual({ type: 'message' });
    expect(n('n')).toEqual({ type: 'nudge' });
    expect(n('h')).toEqual({ type: 'deliver' });
    expect(n('d')).toEqual({ type: 'diff' });
    expect(n('L')).toEqual({ type: 'land' });
    expect(n('S')).toEqual({ type: 'stopAll' });
    expect(n('X')).toEqual({ type: 'cleanup' });
    expect(n('/')).toEqual({ type: 'filter' });
    expect(n('?')).toEqual({ type: 'help' });
    expect(n('q')).toEqual({ type: 'quit' });
    expect(n('c', { ctrl: true })).toEqual({ type: 'quit' });
    expect(n('z')).toBeNull();
    expect(n('s', { ctrl: true })).toBeNull();
  });

  it('asks for y in a confirmation; any other key cancels', () => {
    expect(keyToAction('confirm', 'y', {})).toEqual({ type: 'confirm' });
    expect(keyToAction('confirm', 'Y', {})).toEqual({ type: 'confirm' });
    expect(keyToAction('confirm', 'n', {})).toEqual({ type: 'cancel' });
    expect(keyToAction('confirm', 's', {})).toEqual({ type: 'confirmSquash' });
    expect(keyToAction('confirm', 'S', {})).toEqual({ type: 'cancel' });
    expect(keyToAction('confirm', '\r', { return: true })).toEqual({ type: 'cancel' });
    expect(keyToAction('confirm', 'X', {})).toEqual({ type: 'cancel' });
  });

  it('edits one line in the message and filter inputs', () => {
    for (const mode of ['message', 'filter'] as ModeKind[]) {
      expect(keyToAction(mode, 'q', {})).toEqual({ type: 'inputText', text: 'q' });
      expect(keyToAction(mode, 'hello there', {})).toEqual({ type: 'inputText', text: 'hello there' });
      expect(keyToAction(mode, '\r', { return: true })).toEqual({ type: 'inputSubmit' });
      expect(keyToAction(mode, '', { escape: true })).toEqual({ type: 'cancel' });
      expect(keyToAction(mode, '', { backspace: true })).toEqual({ type: 'inputBackspace' });
      expect(keyToAction(mode, '', { delete: true })).toEqual({ type: 'inputBackspace' });
    }
  });

  it('closes the help with ?, Esc or q', () => {
    expect(keyToAction('help', '?', {})).toEqual({ type: 'closeHelp' });
    expect(keyToAction('help', '', { escape: true })).toEqual({ type: 'closeHelp' });
    expect(keyToAction('help', 'q', {})).toEqual({ type: 'closeHelp' });
    expect(keyToAction('help', 's', {})).toBeNull();
  });

  it('splits a burst of typed characters, reading the mode before each', () => {
    let mode: ModeKind = 'normal';
    const seen: TuiAction[] = [];
    dispatchKey('jmhi', {}, () => mode, (a) => {
      seen.push(a);
      if (a.type === 'message') mode = 'message';
    });
    expect(seen).toEqual([{ type: 'move', delta: 1 }, { type: 'message' }, { type: 'inputText', text: 'h' }, { type: 'inputText', text: 'i' }]);
  });

  it('documents every key on the help screen', () => {
    const keys = KEY_HELP.map((k) => k.keys).join(' ');
    for (const k of ['↑ ↓', 'k j', 'Tab', 'Enter', 'a', 's', 'r', 'p', 'm', 'n', 'h', 'S', 'X', '/', '?', 'q']) expect(keys).toContain(k);
  });
});
