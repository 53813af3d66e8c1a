/**
 * Pure planning of `ensureTeam`: given the panes that exist, the tmux commands
 * that create only what is missing of a team's session, windows and panes.
 * All of them go on one control-mode line; the commands that create a pane
 * print its id (`-P -F`); `created` says which.
 */
import { escapeFormat } from './control-protocol.js';
import { TmuxArgumentError } from './errors.js';
import type { PaneInfo } from './pane-format.js';

/** The panes of a team, window by window, as `ensureTeam` takes them. */
export interface TeamLayout {
  name: string;
  windows: { name: string; layout: string | null; panes: { agentId: string; title: string }[] }[];
}

/** What `ensureTeam` sends, and how to read its output. */
export interface TeamPlan {
  /** commands for one line; empty when nothing is missing */
  commands: string[][];
  /** the panes the commands create: which agent, and the index of the command that prints its id */
  created: { agentId: string; command: number }[];
  /** agent id → pane id of the panes that already exist */
  existing: Map<string, string>;
}

/** Size given to a new session's windows (detached windows stay 80×24 unless sized). */
export const DEFAULT_SIZE = { cols: 200, rows: 50 };

/** Layout used for a window of several panes when none is given. */
export const DEFAULT_LAYOUT = 'tiled';

/**
 * The placeholder command of a pane whose agent has not started. The leading
 * newline keeps the message on screen: tmux scrolls a dead pane by one line
 * to write "Pane is dead" at the bottom.
 */
export function placeholderCommand(agentId: string): string[] {
  return ['/bin/sh', '-c', `printf '\\nmuster: %s is waiting to start\\n' "$0"`, agentId];
}

/** Plans the commands that bring `team` up next to the `panes` that exist on the server. */
export function planTeam(team: TeamLayout, panes: readonly PaneInfo[]): TeamPlan {
  validateTeam(team);
  const session = `=${team.name}:`;
  const mine = panes.filter((p) => p.sessionName === team.name);
  const existing = new Map<string, string>();
  const paneOf = new Map<string, PaneInfo>();
  for (const p of mine) if (p.agentId !== null && !paneOf.has(p.agentId)) paneOf.set(p.agentId, p);

  const commands: string[][] = [];
  const created: { agentId: string; command: number }[] = [];
  const sessionExisted = mine.length > 0;
  let sessionCreated = false;
  let nextIndex = mine.reduce((max, p) => Math.max(max, p.windowIndex), -1) + 1;

  for (const win of team.windows) {
    if (win.panes.length === 0) continue;
    const layout = win.layout ?? (win.panes.length > 1 ? DEFAULT_LAYOUT : null);
    const found = win.panes.map((p) => paneOf.get(p.agentId)).find((p) => p !== undefined);
    let target: string;
    let missing = win.panes.filter((p) => {
      const have = paneOf.get(p.agentId);
      if (have) existing.set(p.agentId, have.paneId);
      return !have;
    });
    if (found) {
      target = found.windowId;
    } else {
      const first = missing[0] as { agentId: string; title: string };
      missing = missing.slice(1);
      const name = escapeFormat(win.name);
      if (!sessionExisted && !sessionCreated) {
        // The new session's only window is its current one: `=team:` names it.
        target = session;
        commands.push([
          'new-session', '-d', '-s', team.name, '-n', name,
          '-x', String(DEFAULT_SIZE.cols), '-y', String(DEFAULT_SIZE.rows),
          '-P', '-F', '#{pane_id}', '--', ...placeholderCommand(first.agentId),
        ]);
        sessionCreated = true;
      } else if (sessionCreated) {
        // Nobody looks at a session being created: its new windows may become current.
        target = session;
        commands.push(['new-window', '-t', session, '-n', name, '-P', '-F', '#{pane_id}', '--', ...placeholderCommand(first.agentId)]);
      } else {
        target = `${session}${nextIndex}`;
        nextIndex += 1;
        commands.push(['new-window', '-d', '-t', target, '-n', name, '-P', '-F', '#{pane_id}', '--', ...placeholderCommand(first.agentId)]);
      }
      created.push({ agentId: first.agentId, command: commands.length - 1 });
      commands.push(...markPane(target, first));
    }
    for (const pane of missing) {
      // split-window without -d makes the new pane the window's active one, so the window target names it.
      commands.push(['split-window', '-t', target, '-P', '-F', '#{pane_id}', '--', ...placeholderCommand(pane.agentId)]);
      created.push({ agentId: pane.agentId, command: commands.length - 1 });
      commands.push(...markPane(target, pane));
      if (layout) commands.push(['select-layout', '-t', target, layout]);
    }
    if (layout && !found && missing.length === 0) commands.push(['select-layout', '-t', target, layout]);
  }
  if (sessionCreated) commands.push(['select-window', '-t', `${session}^`]);
  return { commands, created, existing };
}

function markPane(target: string, pane: { agentId: string; title: string }): string[][] {
  return [
    ['set-option', '-p', '-t', target, '@muster_agent', pane.agentId],
    ['select-pane', '-t', target, '-T', escapeFormat(pane.title)],
  ];
}

function validateTeam(team: TeamLayout): void {
  if (!/^[^_:.\s=][^:.\s]*$/.test(team.name)) {
    throw new TmuxArgumentError(`invalid team session name ${JSON.stringify(team.name)}: it must not start with _ or contain : . or spaces`);
  }
  const seen = new Set<string>();
  for (const win of team.windows) {
    for (const p of win.panes) {
      assertPlainValue('agent id', p.agentId);
      if (seen.has(p.agentId)) throw new TmuxArgumentError(`agent ${p.agentId} is placed twice in team ${team.name}`);
      seen.add(p.agentId);
    }
  }
}

/** Values muster keeps in pane options must be one line of printable text (they are read back tab-separated). */
export function assertPlainValue(what: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new TmuxArgumentError(`invalid ${what} ${JSON.stringify(value)}: it must be non-empty, without control characters`);
  }
}
