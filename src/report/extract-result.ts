/**
 * An agent's result: the text between the last `<result>` and `</result>` in its output
 * (the pane log), terminal escapes removed. Pure.
 */
import { stripAnsi } from '../text/strip-ansi.js';

const OPEN = '<result>';
const CLOSE = '</result>';

/**
 * The last complete `<result>…</result>` of the output, trimmed; null when there is none.
 * A `<result>` that is never closed (still being written, or the tag quoted in a prompt
 * echoed after the answer) does not hide an earlier complete one.
 */
export function extractResult(logText: string): string | null {
  const text = stripAnsi(logText);
  const close = text.lastIndexOf(CLOSE);
  if (close < 0) return null;
  const open = text.lastIndexOf(OPEN, close);
  if (open < 0) return null;
  return text.slice(open + OPEN.length, close).trim();
}
