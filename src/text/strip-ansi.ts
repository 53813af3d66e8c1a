/**
 * Pane output as people read it: terminal escape sequences removed, carriage-return
 * overwrites resolved to the last write. Pure.
 */
// CSI, OSC (ended by BEL or ST), other two-byte escapes, and lone control bytes but \n and \t.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

export function stripAnsi(text: string): string {
  return text
    .replace(ESCAPES, '')
    .split('\n')
    .map((line) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      const parts = trimmed.split('\r');
      return parts[parts.length - 1] ?? '';
    })
    .join('\n');
}
