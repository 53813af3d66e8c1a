/** The smaller parts of the screen as lines: handoffs, preview, event line, key hints, help. Pure. */
import type { HandoffView } from '../supervisor/control/contract.js';
import { fit, formatClock, formatRelative, plainText } from '../text/format.js';
import { KEY_HELP } from './keymap.js';
import { clipLine, lineWidth, padLine, seg, type Line } from './segments.js';
import type { Mode, PreviewState, TuiEvent } from './tui-state.js';

/** A section title: `── Title ────`. */
export function titleLine(title: string, width: number, focused = false): Line {
  const head = `── ${title} `;
  return clipLine([seg(head, { bold: true, color: focused ? 'cyan' : undefined }), seg('─'.repeat(Math.max(0, width - head.length)), { dim: true })], width);
}

/** The pending handoffs in view; the selected one marked (and highlighted when the panel has focus). */
export function handoffLines(input: {
  handoffs: readonly HandoffView[];
  top: number;
  height: number;
  selected: string | null;
  focused: boolean;
  width: number;
  now: number;
}): Line[] {
  return input.handoffs.slice(input.top, input.top + input.height).map((h) => {
    const selected = h.id === input.selected;
    const line: Line = [
      seg(selected ? '> ' : '  ', { bold: true }),
      seg(`${h.from} → ${h.to}`, { color: 'yellow' }),
      seg(`  ${fit(formatRelative(h.created, input.now), 8)}  `, { dim: true }),
      seg(plainText(h.message).replace(/\s+/g, ' ')),
      ...(h.file ? [seg(`  (${h.file})`, { dim: true })] : []),
    ];
    const clipped = clipLine(line, input.width);
    if (!selected || !input.focused) return clipped;
    return padLine(clipped.map((s) => ({ ...s, inverse: true })), input.width, { inverse: true });
  });
}

/** The last `height` lines of the selected agent's output. */
export function previewLines(preview: PreviewState, agent: string | null, height: number, width: number): Line[] {
  if (agent === null) return [[seg('no agent selected', { dim: true })]];
  if (preview.agent !== agent) return [[seg('…', { dim: true })]];
  if (preview.error) return [clipLine([seg(`no preview: ${preview.error}`, { color: 'yellow' })], width)];
  const lines = plainText(preview.text).split('\n');
  while (lines.length > 0 && (lines[lines.length - 1] ?? '').trim() === '') lines.pop();
  if (lines.length === 0) return [[seg('(no output yet)', { dim: true })]];
  return lines.slice(-height).map((l) => clipLine([seg(l)], width));
}

/** The latest event: `12:00:01 team/agent  message`, coloured by level. */
export function eventLine(events: readonly TuiEvent[], width: number): Line {
  const e = events[events.length - 1];
  if (!e) return [seg('no events yet', { dim: true })];
  const colour = e.level === 'error' ? 'red' : e.level === 'warn' ? 'yellow' : undefined;
  return clipLine(
    [seg(`${formatClock(e.time)} `, { dim: true }), ...(e.agent ? [seg(`${e.agent}  `, { bold: true })] : []), seg(e.message, { color: colour })],
    width,
  );
}

/** The bottom line: key hints, or the prompt of the current mode. */
export function hintLine(mode: Mode, width: number): Line {
  switch (mode.kind) {
    case 'confirm':
      return clipLine([seg(mode.prompt, { color: mode.action === 'cleanup' ? 'red' : 'yellow', bold: true })], width);
    case 'message':
      return clipLine([seg(`message to ${mode.agent}: `, { bold: true }), seg(mode.text), seg('_', { inverse: true }), seg('  Enter sends, Esc cancels', { dim: true })], width);
    case 'filter':
      return clipLine([seg('filter: /', { bold: true }), seg(mode.text), seg('_', { inverse: true }), seg('  Enter keeps, Esc clears', { dim: true })], width);
    case 'help':
      return clipLine([seg('? or Esc closes the help', { dim: true })], width);
    case 'normal': {
      // Every hint that fits, and always the last ones (help, quit).
      const hints = KEY_HELP.flatMap((k) => (k.hint ? [k.hint] : []));
      const piece = (hint: string): Line => {
        const [key = '', ...rest] = hint.split(' ');
        return [seg(key, { bold: true }), seg(` ${rest.join(' ')}  `, { dim: true })];
      };
      const essential = hints.slice(-2).map(piece);
      let room = width - essential.reduce((n, l) => n + lineWidth(l), 0);
      const line: Line = [];
      for (const hint of hints.slice(0, -2)) {
        const p = piece(hint);
        if (lineWidth(p) > room) break;
        line.push(...p);
        room -= lineWidth(p);
      }
      return clipLine([...line, ...essential.flat()], width);
    }
  }
}

/** The help screen, within `height` lines. */
export function helpLines(width: number, height: number): Line[] {
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  const lines: Line[] = [
    [seg('muster — keys', { bold: true })],
    [],
    ...KEY_HELP.map((k): Line => [seg(fit(k.keys, keyWidth), { bold: true, color: 'cyan' }), seg(k.does)]),
    [],
    // the BRANCH column's words (grid-view.ts branchCell; docs/worktrees.md)
    [seg(fit('BRANCH', keyWidth), { bold: true, color: 'cyan' }), seg('column of agents in git worktrees: +3 ↑2 files changed, commits ahead')],
    [seg(fit('', keyWidth)), seg('(yellow: uncommitted changes); merged; new (not made yet);')],
    [seg(fit('', keyWidth)), seg('no folder / no branch (removed by hand); … not read yet; - no worktree')],
    [],
    [seg('The agents live in tmux: quitting or closing this terminal leaves them running;', { dim: true })],
    [seg('`muster up` opens the grid again, `muster down` stops the crew.', { dim: true })],
  ];
  return lines.slice(0, Math.max(1, height)).map((l) => clipLine(l, width));
}
