import { describe, expect, it } from 'vitest';
import { osc777, osc9, terminalNotification, tmuxPassthrough } from '../../../src/ui/osc.js';

describe('terminal notifications', () => {
  it('OSC 9 and OSC 777, with control characters and OSC 777 separators made harmless', () => {
    expect(osc9('web/dev waits')).toBe('\x1b]9;web/dev waits\x07');
    expect(osc777('muster', 'a;b\x07c')).toBe('\x1b]777;notify;muster;a,b c\x07');
  });

  it('wrapped for tmux passthrough with every ESC doubled', () => {
    expect(tmuxPassthrough('\x1b]9;x\x07')).toBe('\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\');
    const s = terminalNotification('muster', 'web/dev waits', { insideTmux: true, bell: true });
    expect(s.startsWith('\x07\x1bPtmux;')).toBe(true);
    expect(terminalNotification('m', 'b', { insideTmux: false, bell: false })).toBe('\x1b]9;m: b\x07\x1b]777;notify;m;b\x07');
  });
});
