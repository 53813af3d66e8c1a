/**
 * Desktop notifications through the terminal (docs/needs-you.md): OSC 9 (iTerm2, WezTerm,
 * Windows Terminal, kitty, foot, ghostty) and OSC 777 (urxvt, VTE terminals, WezTerm,
 * kitty), and the bell. Inside tmux an escape sequence reaches the outer terminal only
 * wrapped for passthrough (`DCS tmux; … ST`, every ESC doubled) and only when tmux has
 * `allow-passthrough on`. Pure.
 */

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;

/** Control characters, `;` in OSC 777 fields and the string terminators removed. */
function clean(text: string, semicolons = false): string {
  const t = text.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
  return (semicolons ? t.replace(/;/g, ',') : t).slice(0, 240);
}

export function osc9(message: string): string {
  return `${ESC}]9;${clean(message)}${BEL}`;
}

export function osc777(title: string, body: string): string {
  return `${ESC}]777;notify;${clean(title, true)};${clean(body, true)}${BEL}`;
}

/** A sequence wrapped so tmux passes it to the outer terminal. */
export function tmuxPassthrough(sequence: string): string {
  return `${ESC}Ptmux;${sequence.replaceAll(ESC, ESC + ESC)}${ST}`;
}

/** Bell, OSC 9 and OSC 777 for one notification; wrapped when the TUI runs inside tmux. */
export function terminalNotification(title: string, body: string, opts: { insideTmux: boolean; bell: boolean }): string {
  const seqs = [osc9(`${title}: ${body}`), osc777(title, body)];
  const wrapped = opts.insideTmux ? seqs.map(tmuxPassthrough) : seqs;
  return (opts.bell ? BEL : '') + wrapped.join('');
}
