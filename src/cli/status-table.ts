/** `muster status` as a table: the same document as `--json`, for people. Pure. */
import type { StatusView } from '../supervisor/control/contract.js';
import { formatBytes, formatPercent, formatRelative } from '../text/format.js';
import { renderTable } from './format.js';

export function renderStatus(view: StatusView, now: number): string {
  const cost =
    view.supervisor.cpu != null && view.supervisor.memory != null
      ? `, using cpu ${formatPercent(view.supervisor.cpu)}, memory ${formatBytes(view.supervisor.memory)}`
      : '';
  const sup = view.supervisor.running ? `running (pid ${view.supervisor.pid}${cost})` : 'not running';
  const sys = view.system
    ? `machine: cpu ${formatPercent(view.system.cpu)}, memory ${formatBytes(view.system.memory.used)} of ${formatBytes(view.system.memory.total)}`
    : 'machine: -';
  const header = ['AGENT', 'STATE', 'PID', 'CPU', 'MEMORY', 'RESTARTS', 'CHECK-IN', 'NEXT DUE'];
  const rows = view.agents.map((a) => [
    a.id,
    a.reason ? `${a.state} (${a.reason})` : a.state,
    a.pid === null ? '-' : String(a.pid),
    a.limits.cpu === null ? formatPercent(a.cpu) : `${formatPercent(a.cpu)}/${a.limits.cpu}%`,
    a.limits.memory === null ? formatBytes(a.memory) : `${formatBytes(a.memory)}/${formatBytes(a.limits.memory)}`,
    a.exitCode === null ? String(a.restarts) : `${a.restarts} (exit ${a.exitCode})`,
    a.checkin.last === null && a.checkin.off ? 'off' : formatRelative(a.checkin.last, now),
    a.checkin.off ? '-' : a.checkin.overdue ? 'OVERDUE' : formatRelative(a.checkin.due, now),
  ]);
  const lines = [`project: ${view.project}`, `tmux socket: ${view.socket}`, `supervisor: ${sup}`, sys];
  if (view.enforcement) lines.push(`limits: ${view.enforcement}`);
  if (view.disk?.full) {
    lines.push(
      `disk: FULL since ${view.disk.since ?? '?'} (cannot write ${view.disk.file ?? 'the state folder'}); the agents keep running, the state is saved once there is space`,
    );
  }
  lines.push('', renderTable(header, rows));
  const pending = view.handoffs.filter((h) => h.state === 'pending');
  if (view.handoffs.length > 0) {
    lines.push('', renderTable(['HANDOFF', 'FROM', 'TO', 'STATE', 'MESSAGE'], view.handoffs.map((h) => [h.id, h.from, h.to, h.state, h.message.slice(0, 60)])));
    if (pending.length > 0) lines.push(`${pending.length} handoff(s) pending`);
  }
  return lines.join('\n');
}
