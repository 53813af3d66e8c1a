/** The header as two lines: the crew, and the machine against the ceiling with the supervisor's own cost. Pure. */
import * as path from 'node:path';
import type { StatusView } from '../supervisor/control/contract.js';
import { formatBytes, formatDuration, formatPercent } from '../text/format.js';
import { STATE_COLOURS } from './grid-view.js';
import { clipLine, seg, type Colour, type Line } from './segments.js';

const STATE_ORDER = ['running', 'throttled', 'starting', 'paused', 'backoff', 'pending', 'stopping', 'stopped', 'done', 'failed'];

function againstCeiling(value: number, ceiling: number | null | undefined): Colour | undefined {
  if (ceiling === null || ceiling === undefined) return undefined;
  if (value > ceiling) return 'red';
  if (value >= ceiling * 0.9) return 'yellow';
  return undefined;
}

/** `crew line`: project, teams, agents by state. */
function crewLine(view: StatusView | null, filter: string, listed: number): Line {
  const line: Line = [seg('muster', { bold: true, color: 'cyan' })];
  if (!view) return [...line, seg('  waiting for the supervisor…', { dim: true })];
  const teams = [...new Set(view.agents.map((a) => a.team))];
  line.push(seg(`  ${path.basename(view.project)}`, { bold: true }), seg(`  teams: ${teams.join(', ') || '-'}`), seg(`  ${view.agents.length} agents:`));
  const counts = new Map<string, number>();
  for (const a of view.agents) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  const states = [...counts.keys()].sort((x, y) => (STATE_ORDER.indexOf(x) + 1 || 99) - (STATE_ORDER.indexOf(y) + 1 || 99));
  for (const s of states) line.push(seg(` ${counts.get(s)} ${s}`, { color: STATE_COLOURS[s] ?? 'white' }));
  const needing = view.agents.filter((a) => a.needsYou).length;
  if (needing > 0) line.push(seg(`  ${needing} need${needing === 1 ? 's' : ''} you (w)`, { color: 'magenta', bold: true }));
  const pending = view.handoffs.filter((h) => h.state === 'pending').length;
  if (pending > 0) line.push(seg(`  ${pending} handoff(s) pending`, { color: 'yellow' }));
  if (view.disk?.full) line.push(seg('  DISK FULL: state not saved', { color: 'red', bold: true }));
  if (filter !== '') line.push(seg(`  filter "${filter}": ${listed} shown`, { color: 'magenta' }));
  return line;
}

/** `machine line`: CPU and memory (percent of the machine) against the ceiling, the supervisor's pid and cost, enforcement, pulse. */
function machineLine(view: StatusView | null, connected: boolean): Line {
  if (!view) return [seg('connecting to the supervisor…', { dim: true })];
  if (!connected) return [seg('supervisor: not connected; retrying (q quits, the crew keeps running)', { color: 'red', bold: true })];
  const line: Line = [];
  const ceiling = view.ceiling;
  if (view.system) {
    // figure/ceiling, as the grid shows figure/limit
    const cpu = view.system.cpu;
    const { used, total } = view.system.memory;
    const memPct = total > 0 ? (used / total) * 100 : 0;
    const against = (v: number, c: number | null | undefined) => (c == null ? `${v.toFixed(1)}%` : `${v.toFixed(1)}/${c}%`);
    line.push(seg('machine cpu '), seg(against(cpu, ceiling?.cpu), { bold: true, color: againstCeiling(cpu, ceiling?.cpu) }));
    line.push(seg(' mem '), seg(against(memPct, ceiling?.memory), { bold: true, color: againstCeiling(memPct, ceiling?.memory) }));
    line.push(seg(` (${formatBytes(used)} of ${formatBytes(total)})`, { dim: true }));
  } else {
    line.push(seg('machine: -', { dim: true }));
  }
  const sup = view.supervisor;
  line.push(seg(`  supervisor pid ${sup.pid ?? '-'}`));
  if (sup.cpu != null || sup.memory != null) line.push(seg(` ${formatPercent(sup.cpu ?? null)} ${formatBytes(sup.memory ?? null)}`, { dim: true }));
  if (view.enforcement) line.push(seg(`  ${view.enforcement}`, { dim: true }));
  if (view.pulseMs) line.push(seg(`  pulse ${view.pulseMs < 1000 ? `${view.pulseMs}ms` : formatDuration(view.pulseMs)}`, { dim: true }));
  return line;
}

/** The header's lines, cut to `width`. */
export function headerLines(input: { snapshot: StatusView | null; connected: boolean; filter: string; listed: number; width: number }): Line[] {
  return [crewLine(input.snapshot, input.filter, input.listed), machineLine(input.snapshot, input.connected)].map((l) => clipLine(l, input.width));
}
