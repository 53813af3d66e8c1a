/**
 * The TUI on a crew in git worktrees, the real `muster up` in a pty read back through a
 * terminal emulator: the BRANCH column shows files changed and commits ahead, `d` shows
 * the selected agent's diff full screen in the pager (q returns to the grid), and `L`
 * lands it after a confirmation (`s`: one squashed commit whose message names the agent
 * and its branch and carries its check-ins), after which the column says `merged`.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { cleanEnv } from '../helpers/tmux.js';
import { PtyScreen } from '../ui/pty-screen.js';

let p: TestProject;
const screens: PtyScreen[] = [];

function openTui(): PtyScreen {
  const env = cleanEnv();
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  delete env.LESS;
  // the pager git uses, whatever the machine's defaults are
  env.PAGER = 'less';
  delete env.GIT_PAGER;
  const screen = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'up'], { cols: 140, rows: 32, env, cwd: p.dir });
  screens.push(screen);
  return screen;
}

const rowOf = (lines: string[], name: string) => lines.find((l) => new RegExp(`^[> ] web\\s+${name}\\s`).test(l));

beforeAll(async () => {
  p = makeProject('tui-wt');
  p.write(
    'teams/web.yaml',
    `name: web
defaults:
  worktree: own
agents:
  dev:
    run: 'printf "one\\ntwo\\n" > feature.txt; git add feature.txt; git commit -qm "add the feature"; echo extra > notes.txt; exec sleep 600'
  plain:
    run: exec sleep 600
    worktree: off
`,
  );
  makeRepo(p.dir);
  p.headless();
  await waitFor('dev to commit', () => {
    try {
      return git(p.dir, 'rev-list', '--count', 'main..muster/web/dev') === '1';
    } catch {
      return false;
    }
  }, 90_000);
}, 120_000);

afterAll(async () => {
  for (const s of screens) await s.kill();
  await p.destroy();
});

describe('worktrees in the TUI', () => {
  let tui: PtyScreen;

  it('shows the BRANCH column: files changed and commits ahead', async () => {
    tui = openTui();
    const lines = await tui.waitFor('the branch column', (_t, l) => (rowOf(l, 'dev')?.includes('+2 ↑1') ? l : null), 60_000);
    expect(lines.find((l) => l.includes('BRANCH'))).toBeDefined();
    expect(rowOf(lines, 'plain')).toMatch(/\s-\s*$|\s-\s/);
  });

  it('d shows the selected agent’s diff full screen; q returns to the grid', async () => {
    await tui.waitFor('dev selected', (_t, l) => {
      if (rowOf(l, 'dev')?.startsWith('> ')) return true;
      tui.write('k');
      return false;
    });
    tui.write('d');
    const diff = await tui.waitFor('the diff in the pager', (t) => (t.includes('diff --git a/feature.txt b/feature.txt') && !t.includes('q quit') ? t : null), 30_000);
    expect(diff).toContain('+one');
    expect(diff).toContain('+two');
    tui.write('q');
    await tui.waitFor('the grid again', (t, l) => t.includes('back from the diff of web/dev') && Boolean(rowOf(l, 'dev')), 30_000);
  });

  it('L asks, then lands the branch as one squashed commit; the column says merged', async () => {
    const ask = 'Land muster/web/dev into main? y merge, s squash into one commit, N cancel';
    // an agent with uncommitted work is refused, with the reason on the event line
    tui.write('L');
    await tui.waitFor('the confirmation', (t) => t.includes(ask));
    tui.write('y');
    await tui.waitFor('the refusal', (t) => t.includes('land refused: web/dev has uncommitted changes (1 file: notes.txt)'), 30_000);
    expect(git(p.dir, 'rev-parse', 'main')).not.toBe(git(p.dir, 'rev-parse', 'muster/web/dev'));
    git(`${p.dir}/.muster/worktrees/web/dev`, 'add', 'notes.txt');
    git(`${p.dir}/.muster/worktrees/web/dev`, 'commit', '-qm', 'notes');
    const checkin = await p.muster(['checkin', 'feature and notes ready'], { env: { MUSTER_AGENT: 'web/dev', MUSTER_DIR: `${p.dir}/.muster` } });
    expect(checkin.code, checkin.stderr).toBe(0);
    await waitFor('the check-in in the event log', () => fs.readFileSync(`${p.dir}/.muster/events.jsonl`, 'utf8').includes('checked in: feature and notes ready'), 30_000);
    const base = git(p.dir, 'rev-parse', 'main');
    tui.write('L');
    await tui.waitFor('the confirmation again', (t) => t.includes(ask));
    tui.write('s');
    await tui.waitFor('landed', (t) => /web\/dev landed: muster\/web\/dev squashed into main as "web\/dev: feature and notes ready"/.test(t), 30_000);
    // one new commit on main, with main's old head as its only parent and the branch's tree
    expect(git(p.dir, 'rev-list', '--parents', '-n', '1', 'main').split(' ').slice(1)).toEqual([base]);
    expect(git(p.dir, 'rev-parse', 'main^{tree}')).toBe(git(p.dir, 'rev-parse', 'muster/web/dev^{tree}'));
    const message = git(p.dir, 'log', '-1', '--format=%B', 'main');
    expect(message.split('\n')[0]).toBe('web/dev: feature and notes ready');
    expect(message).toContain('Squashed from muster/web/dev (2 commits)');
    expect(message).toContain('- add the feature');
    expect(message).toContain('- feature and notes ready');
    await tui.waitFor('merged in the column', (_t, l) => rowOf(l, 'dev')?.includes('merged'), 60_000);
  });
});
