/**
 * The agent grid as lines: which columns fit the width, and each agent's cells with
 * their colours. Pure.
 */
import type { AgentStatusView, WorktreeView } from '../supervisor/control/contract.js';
import { fit, formatBytes, formatDuration, formatRelative, sparkline } from '../text/format.js';
import { clipLine, padLine, seg, type Colour, type Line, type Segment } from './segments.js';

/** The colour of each state. */
export const STATE_COLOURS: Record<string, Colour> = {
  pending: 'gray',
  starting: 'cyan',
  running: 'green',
  throttled: 'yellow',
  paused: 'blue',
  backoff: 'yellow',
  stopping: 'yellow',
  stopped: 'gray',
  done: 'green',
  failed: 'red',
};

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
  /** lower is kept first when the width is short; 0 = always */
  priority: number;
  cell(a: AgentStatusView, now: number): Segment;
}

const SPARK = 8;

function loadColour(value: number | null, limit: number | null): Colour | undefined {
  if (value === null || limit === null || limit <= 0) return undefined;
  if (value > limit) return 'red';
  if (value >= limit * 0.8) return 'yellow';
  return undefined;
}

function cpuText(a: AgentStatusView): string {
  const v = a.cpu === null ? '-' : a.cpu.toFixed(a.cpu >= 100 ? 0 : 1);
  return a.limits.cpu === null ? (a.cpu === null ? '-' : `${v}%`) : `${v}/${a.limits.cpu}%`;
}

function memText(a: AgentStatusView): string {
  return a.limits.memory === null ? formatBytes(a.memory) : `${formatBytes(a.memory)}/${formatBytes(a.limits.memory)}`;
}

/** `5.2M`: every kind of token the agent's transcripts recorded (cache reads included). */
export function tokensCell(a: AgentStatusView): string {
  if (!a.usage) return '-';
  const t = a.usage.tokens;
  const n = t.input + t.output + t.cache_write + t.cache_read;
  if (n >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** `$1.23`; `?` when a model has no price (cost unknown). */
export function costCell(a: AgentStatusView): string {
  if (!a.usage) return '-';
  const c = a.usage.cost;
  if (c === null) return '?';
  return c >= 100 ? `$${c.toFixed(0)}` : `$${c.toFixed(2)}`;
}

function whyText(a: AgentStatusView, now: number): string {
  const parts: string[] = [];
  if (a.reason === 'budget' && a.usage?.budget?.reached) parts.push(`budget: ${a.usage.budget.reached}`);
  else if (a.reason) parts.push(a.reason);
  else if (a.usage?.budget?.reached) parts.push(`budget reached: ${a.usage.budget.reached}`);
  if (a.exitCode !== null && a.state !== 'running') parts.push(`exit ${a.exitCode}`);
  if (a.stalled) parts.push(a.startedAt ? `stalled ${formatDuration(now - Date.parse(a.startedAt))}` : 'stalled');
  if (a.commit?.overdue) parts.push('commit due');
  return parts.join(' · ');
}

/** `busy`, `idle`, `waiting (permission)`, `idle (draft)`: the reason where it asks for a person. */
export function activityText(a: Pick<AgentStatusView, 'activity' | 'activityReason'>): string {
  if (!a.activity) return '-';
  const showReason = a.activity === 'waiting' || (a.activity === 'idle' && a.activityReason === 'draft');
  return showReason && a.activityReason ? `${a.activity} (${a.activityReason})` : a.activity;
}

function nextDue(a: AgentStatusView, now: number): Segment {
  if (a.checkin.off) return seg('-', { dim: true });
  if (a.checkin.overdue && a.checkin.due) return seg(`late ${formatDuration(now - Date.parse(a.checkin.due))}`, { color: 'red', bold: true });
  return seg(formatRelative(a.checkin.due, now));
}

/**
 * The BRANCH cell (docs/worktrees.md): `+3 ↑2` (files changed, commits ahead of the branch
 * it lands into), `merged`, or what is wrong with the worktree; `-` without one.
 */
export function branchCell(w: WorktreeView | null | undefined): Segment {
  if (w === undefined) return seg('-', { dim: true });
  if (w === null) return seg('…', { dim: true });
  switch (w.state) {
    case 'not created':
    case 'creating':
      return seg('new', { dim: true });
    case 'folder missing':
      return seg('no folder', { color: 'red' });
    case 'branch missing':
      return seg('no branch', { color: 'red' });
  }
  if (w.merged) return seg('merged', { color: 'green' });
  return seg(`+${w.files} ↑${w.ahead}`, w.uncommitted > 0 ? { color: 'yellow' } : {});
}

function columns(agents: readonly AgentStatusView[]): Column[] {
  const teamWidth = Math.min(14, Math.max(4, ...agents.map((a) => a.team.length)));
  const nameWidth = Math.min(24, Math.max(5, ...agents.map((a) => a.name.length)));
  // tokens and cost only when some agent's transcripts are read (docs/needs-you.md)
  const usage = agents.some((a) => a.usage !== undefined);
  return [
    { title: 'TEAM', width: teamWidth, align: 'left', priority: 3, cell: (a) => seg(a.team, { dim: true }) },
    { title: 'AGENT', width: nameWidth, align: 'left', priority: 0, cell: (a) => seg(a.name, { bold: true }) },
    { title: 'STATE', width: 9, align: 'left', priority: 0, cell: (a) => seg(a.state, { color: STATE_COLOURS[a.state] ?? 'white' }) },
    {
      title: 'ACTIVITY',
      width: Math.max(8, ...agents.map((a) => activityText(a).length)),
      align: 'left',
      priority: 5,
      cell: (a) => seg(activityText(a), a.activity === 'waiting' ? { color: 'magenta' } : a.activity === 'busy' ? { color: 'cyan' } : a.activityReason === 'draft' ? { color: 'yellow' } : { dim: true }),
    },
    { title: 'CPU', width: 9, align: 'right', priority: 1, cell: (a) => seg(cpuText(a), { color: loadColour(a.cpu, a.limits.cpu) }) },
    {
      title: 'cpu',
      width: SPARK,
      align: 'right',
      priority: 6,
      cell: (a) => seg(sparkline(a.history.cpu, SPARK, a.limits.cpu ?? 100), { color: 'cyan' }),
    },
    { title: 'MEMORY', width: 11, align: 'right', priority: 2, cell: (a) => seg(memText(a), { color: loadColour(a.memory, a.limits.memory) }) },
    {
      title: 'memory',
      width: SPARK,
      align: 'right',
      priority: 7,
      cell: (a) => seg(sparkline(a.history.memory, SPARK, a.limits.memory), { color: 'magenta' }),
    },
    {
      title: 'CHECK-IN',
      width: 8,
      align: 'right',
      priority: 4,
      cell: (a, now) => (a.checkin.last ? seg(formatRelative(a.checkin.last, now)) : a.checkin.off ? seg('off', { dim: true }) : seg('never')),
    },
    { title: 'NEXT', width: 8, align: 'right', priority: 4, cell: nextDue },
    ...(usage ? usageColumns() : []),
    { title: 'RST', width: 3, align: 'right', priority: 3, cell: (a) => seg(String(a.restarts), a.restarts > 0 ? { color: 'yellow' } : { dim: true }) },
    // only when some agent has a worktree
    ...(agents.some((a) => a.worktree !== undefined)
      ? [{ title: 'BRANCH', width: 9, align: 'left' as const, priority: 2, cell: (a: AgentStatusView) => branchCell(a.worktree) }]
      : []),
  ];
}

function usageColumns(): Column[] {
  return [
    {
      title: 'TOKENS',
      width: 6,
      align: 'right',
      priority: 4,
      cell: (a) => seg(tokensCell(a), a.usage?.budget?.reached ? { color: 'red' } : a.usage ? {} : { dim: true }),
    },
    {
      title: 'COST',
      width: 6,
      align: 'right',
      priority: 5,
      cell: (a) => seg(costCell(a), a.usage && a.usage.cost !== null ? {} : { dim: true }),
    },
  ];
}

/** The columns that fit `width`, in display order, and the width left for the last (WHY) column. */
export function fitColumns(agents: readonly AgentStatusView[], width: number): { columns: Column[]; why: number } {
  const all = columns(agents);
  const marker = 2;
  let used = marker + all.filter((c) => c.priority === 0).reduce((n, c) => n + c.width + 1, 0);
  const keep = new Set(all.filter((c) => c.priority === 0));
  for (const c of [...all].filter((c) => c.priority > 0).sort((x, y) => x.priority - y.priority)) {
    if (used + c.width + 1 <= width) {
      keep.add(c);
      used += c.width + 1;
    }
  }
  const why = width - used;
  return { columns: all.filter((c) => keep.has(c)), why: why >= 6 ? why : 0 };
}

function cellText(c: Column, text: string): string {
  return fit(text, c.width, c.align);
}

/** What the grid shows: the listed agents, the window of rows in view, the selection. */
export interface GridInput {
  agents: readonly AgentStatusView[];
  top: number;
  height: number;
  selectedId: string | null;
  focused: boolean;
  width: number;
  now: number;
}

/** The grid as lines: its column header and the rows in view (the selected row marked with `>`, an agent that needs you with `!`). */
export function gridLines(input: GridInput): { header: Line; rows: Line[] } {
  const { columns: cols, why } = fitColumns(input.agents, input.width);
  const header: Line = [seg('  ')];
  for (const c of cols) header.push(seg(`${cellText(c, c.title)} `, { bold: true, dim: true }));
  if (why > 0) header.push(seg('WHY', { bold: true, dim: true }));
  const rows = input.agents.slice(input.top, input.top + input.height).map((a) => {
    const selected = a.id === input.selectedId;
    const mark = `${selected ? '>' : ' '}${a.needsYou ? '!' : ' '}`;
    const line: Line = [seg(mark, a.needsYou ? { bold: true, color: 'magenta' } : { bold: true })];
    for (const c of cols) {
      const s = c.cell(a, input.now);
      line.push({ ...s, text: cellText(c, s.text) }, seg(' '));
    }
    if (why > 0) line.push(seg(fit(whyText(a, input.now), why), a.state === 'failed' || a.stalled ? { color: 'red' } : { dim: true }));
    const clipped = clipLine(line, input.width);
    if (!selected) return clipped;
    const highlight = input.focused ? { inverse: true } : { bold: true };
    return padLine(clipped.map((s) => ({ ...s, ...highlight })), input.width, highlight);
  });
  return { header: clipLine(header, input.width), rows };
}
