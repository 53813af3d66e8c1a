import { describe, expect, it } from 'vitest';
import { TmuxArgumentError } from '../../../src/tmux/errors.js';
import type { PaneInfo } from '../../../src/tmux/pane-format.js';
import { placeholderCommand, planTeam, type TeamLayout } from '../../../src/tmux/team-plan.js';

const team: TeamLayout = {
  name: 'web',
  windows: [
    { name: 'PM', layout: null, panes: [{ agentId: 'web/pm', title: 'pm' }] },
    { name: 'Work', layout: 'tiled', panes: [{ agentId: 'web/a', title: 'a' }, { agentId: 'web/b', title: 'b' }] },
  ],
};

function pane(paneId: string, agentId: string | null, windowId: string, windowIndex: number, sessionName = 'web'): PaneInfo {
  return {
    paneId, panePid: 1, dead: true, deadStatus: 0, deadSignal: null, agentId, attempt: null,
    sessionId: '$1', sessionName, windowId, windowIndex, windowName: 'w',
  };
}

/** The command names of a plan, for a compact comparison. */
const names = (cmds: string[][]): string[] => cmds.map((c) => (c.includes('-t') ? `${c[0]} ${c[c.indexOf('-t') + 1]}` : `${c[0]}`));

describe('planTeam', () => {
  it('creates a missing session with all its windows and panes', () => {
    const plan = planTeam(team, [pane('%0', null, '@0', 0, '_muster')]);
    expect(names(plan.commands)).toEqual([
      'new-session',
      'set-option =web:', 'select-pane =web:',
      'new-window =web:', 'set-option =web:', 'select-pane =web:',
      'split-window =web:', 'set-option =web:', 'select-pane =web:', 'select-layout =web:',
      'select-window =web:^',
    ]);
    expect(plan.created).toEqual([
      { agentId: 'web/pm', command: 0 },
      { agentId: 'web/a', command: 3 },
      { agentId: 'web/b', command: 6 },
    ]);
    expect(plan.existing.size).toBe(0);
    const first = plan.commands[0] as string[];
    expect(first.slice(first.indexOf('--') + 1)).toEqual(placeholderCommand('web/pm'));
    expect(first).toEqual(expect.arrayContaining(['-s', 'web', '-n', 'PM', '-P', '-F', '#{pane_id}']));
    expect(plan.commands[1]).toEqual(['set-option', '-p', '-t', '=web:', '@muster_agent', 'web/pm']);
  });

  it('creates nothing when every agent has its pane', () => {
    const plan = planTeam(team, [pane('%1', 'web/pm', '@1', 0), pane('%2', 'web/a', '@2', 1), pane('%3', 'web/b', '@2', 1)]);
    expect(plan.commands).toEqual([]);
    expect([...plan.existing]).toEqual([['web/pm', '%1'], ['web/a', '%2'], ['web/b', '%3']]);
  });

  it('adds a missing pane to its existing window and re-applies the layout', () => {
    const plan = planTeam(team, [pane('%1', 'web/pm', '@1', 0), pane('%3', 'web/b', '@2', 1)]);
    expect(names(plan.commands)).toEqual(['split-window @2', 'set-option @2', 'select-pane @2', 'select-layout @2']);
    expect(plan.created).toEqual([{ agentId: 'web/a', command: 0 }]);
    expect(plan.commands[3]).toEqual(['select-layout', '-t', '@2', 'tiled']);
  });

  it('adds a missing window to an existing session at a free index, without selecting it', () => {
    const plan = planTeam(team, [pane('%1', 'web/pm', '@1', 0), pane('%9', null, '@5', 4)]);
    expect(plan.commands[0]).toEqual(expect.arrayContaining(['new-window', '-d', '-t', '=web:5', '-n', 'Work']));
    expect(names(plan.commands).slice(1)).toEqual([
      'set-option =web:5', 'select-pane =web:5', 'split-window =web:5', 'set-option =web:5', 'select-pane =web:5', 'select-layout =web:5',
    ]);
  });

  it('ignores panes of the same agent id in other sessions', () => {
    const plan = planTeam(team, [pane('%1', 'web/pm', '@1', 0, 'other')]);
    expect(plan.created.map((c) => c.agentId)).toEqual(['web/pm', 'web/a', 'web/b']);
  });

  it('tiles a window of several panes that has no layout', () => {
    const t: TeamLayout = { name: 'x', windows: [{ name: 'w', layout: null, panes: [{ agentId: 'x/1', title: '1' }, { agentId: 'x/2', title: '2' }] }] };
    expect(planTeam(t, []).commands).toContainEqual(['select-layout', '-t', '=x:', 'tiled']);
  });

  it('escapes # in names that tmux expands as formats', () => {
    const t: TeamLayout = { name: 'x', windows: [{ name: 'w#1', layout: null, panes: [{ agentId: 'x/1', title: 'a #{b}' }] }] };
    const cmds = planTeam(t, []).commands;
    expect(cmds[0]).toContain('w##1');
    expect(cmds[2]).toEqual(['select-pane', '-t', '=x:', '-T', 'a ##{b}']);
  });

  it.each([
    ['_muster', 'x/a'],
    ['a:b', 'x/a'],
    ['a.b', 'x/a'],
    ['ok', 'bad\tid'],
    ['ok', ''],
  ])('refuses team %j with agent %j', (name, agentId) => {
    const t: TeamLayout = { name, windows: [{ name: 'w', layout: null, panes: [{ agentId, title: 't' }] }] };
    expect(() => planTeam(t, [])).toThrow(TmuxArgumentError);
  });

  it('refuses an agent placed twice', () => {
    const t: TeamLayout = { name: 'x', windows: [{ name: 'w', layout: null, panes: [{ agentId: 'x/a', title: 'a' }, { agentId: 'x/a', title: 'a' }] }] };
    expect(() => planTeam(t, [])).toThrow(/placed twice/);
  });
});
