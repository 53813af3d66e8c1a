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

/** A needs-you line of the event stream as the TUI shows it (docs/needs-you.md). */
export interface NeedsYouLine {
  agent: string | null;
  message: string;
  needs?: { suppressed: boolean };
}

/**
 * What the TUI writes to its terminal for an event line: the bell (unless quiet) and the
 * desktop notification sequences for a needs-you line; nothing for other lines, for one
 * the supervisor suppressed, or for the agent the user is attached to now.
 */
export function needsYouSignal(line: NeedsYouLine, opts: { attachedTo: string | null; quiet: boolean; insideTmux: boolean }): string {
  if (!line.needs || line.needs.suppressed) return '';
  if (line.agent !== null && line.agent === opts.attachedTo) return '';
  const title = line.agent ? `muster: ${line.agent}` : 'muster';
  return terminalNotification(title, line.message, { insideTmux: opts.insideTmux, bell: !opts.quiet });
}
