/** The worktree parts of the TUI: the BRANCH column and the pager of the diff hand-over. */
import { describe, expect, it } from 'vitest';
import type { WorktreeView } from '../../src/supervisor/control/contract.js';
import { lessWaiting } from '../../src/ui/attach.js';
import { branchCell, gridLines } from '../../src/ui/grid-view.js';
import { agent, NOW } from './fixtures.js';

const view = (over: Partial<WorktreeView> = {}): WorktreeView => ({
  owner: 'crew/dev',
  branch: 'muster/crew/dev',
  path: '/p',
  state: 'ready',
  head: 'a'.repeat(40),
  into: 'main',
  ahead: 2,
  behind: 1,
  files: 3,
  uncommitted: 0,
  merged: false,
  ...over,
});

describe('the BRANCH column', () => {
  it.each([
    ['no worktree', undefined, '-'],
    ['not read yet', null, '…'],
    ['files changed and commits ahead', view(), '+3 ↑2'],
    ['merged', view({ merged: true, ahead: 0 }), 'merged'],
    ['not made yet', view({ state: 'not created' }), 'new'],
    ['folder gone', view({ state: 'folder missing' }), 'no folder'],
    ['branch gone', view({ state: 'branch missing' }), 'no branch'],
  ])('%s: %s', (_what, w, text) => {
    expect(branchCell(w as WorktreeView | null | undefined).text).toBe(text);
  });

  it('is shown only when some agent has a worktree', () => {
    const header = (agents: ReturnType<typeof agent>[]) => gridLines({ agents, top: 0, height: 5, selectedId: null, focused: true, width: 160, now: NOW }).header.map((s) => s.text).join('');
    expect(header([agent('crew/pm')])).not.toContain('BRANCH');
    expect(header([agent('crew/pm'), agent('crew/dev', { worktree: view() })])).toContain('BRANCH');
  });
});

describe('the pager of the diff hand-over', () => {
  it.each([
    [undefined, 'R'],
    ['', 'R'],
    ['FRX', 'RX'],
    ['-FRX', '-RX'],
    ['-F', '-R'],
    ['-R --tabs=4', '-R --tabs=4'],
    ['-FR --follow-name', '-R --follow-name'],
  ])('LESS=%s becomes %s (no quitting before q)', (less, want) => {
    expect(lessWaiting(less)).toBe(want);
  });
});
