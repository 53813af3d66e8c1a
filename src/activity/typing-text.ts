/** Text as muster types it into an agent (docs/presets.md, "Typing"). Pure. */

/** Text ready to paste: LF line ends only (a CR submits early in Codex), no trailing newline. */
export function prepareText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}
