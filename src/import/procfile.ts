/**
 * Procfiles, as overmind, foreman and honcho read them: one `name: command` per line,
 * `#` comments and blank lines ignored. Each process becomes an agent in a window of its
 * own (as overmind gives each its own tmux window).
 */
import type { FileProblem } from '../errors.js';
import type { Imported } from './imported.js';

const LINE = /^([A-Za-z0-9_.-]+):\s*(.*)$/;

/** Reads a Procfile's text; `file` names it in problems. */
export function readProcfile(file: string, text: string): { imported: Imported | null; fatal: FileProblem[] } {
  const fatal: FileProblem[] = [];
  const windows: Imported['windows'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = { file, line: i + 1, col: raw.length - raw.trimStart().length + 1 };
    const m = LINE.exec(line);
    if (!m) {
      fatal.push({ ...at, message: `not a process line: write "name: command", e.g. "web: npm start"` });
      return;
    }
    const [, name = '', command = ''] = m;
    if (command.trim() === '') {
      fatal.push({ ...at, message: `process "${name}" has no command: write "${name}: <command>"` });
      return;
    }
    // foreman, honcho and overmind give the nth process PORT 5000 + 100 × n; a command that reads it gets the same
    const env = /\$\{?PORT\b/.test(command) ? { PORT: String(5000 + 100 * windows.length) } : undefined;
    windows.push({ name, layout: null, panes: [{ name, run: command.trim(), ...(env ? { env } : {}) }] });
  });
  if (fatal.length === 0 && windows.length === 0) {
    fatal.push({ file, line: 1, col: 1, message: 'the Procfile has no processes: write one "name: command" line per process, e.g. "web: npm start"' });
  }
  return { imported: fatal.length > 0 ? null : { format: 'procfile', name: null, cwd: null, env: {}, windows, hasLayout: false, unmapped: [] }, fatal };
}
