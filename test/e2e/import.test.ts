/**
 * `muster import` with the real binary on files of each format, written as their users
 * write them (test/fixtures/import/: tmuxinator's sample project and one with pane titles,
 * window roots and a custom layout; tmuxp's 4-pane split, a file with every session,
 * window and pane key, and a JSON session; a Rails Procfile, an overmind Procfile.dev, a
 * honcho Procfile): windows and panes become a layout, commands agents, what cannot be
 * carried over is listed at its line, and `muster validate` accepts the result. Bad input:
 * malformed YAML at FILE:LINE:COL, an empty Procfile, files without windows, clashes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { makeProject, type TestProject } from '../helpers/project.js';

// Each test runs the real binary several times in a row: on a loaded machine a run takes seconds.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const projects: TestProject[] = [];
afterAll(async () => {
  await Promise.all(projects.map((p) => p.destroy()));
});

interface Team {
  name: string;
  layout?: string;
  cwd?: string;
  env?: Record<string, string>;
  agents: Record<string, { run: string; cwd?: string; env?: Record<string, string>; preset?: string }>;
}
interface Layout {
  windows: Array<{ name: string; layout?: string; panes: string[] }>;
}

/** Copies a fixture into a fresh project, imports it, and returns what was written. */
async function importFixture(fixture: string, args: string[] = []) {
  const p = makeProject('import');
  projects.push(p);
  fs.copyFileSync(path.join(FIXTURES, fixture), path.join(p.dir, fixture));
  const r = await p.muster(['import', fixture, ...args]);
  const read = <T>(file: string): T | null => (fs.existsSync(path.join(p.dir, file)) ? (parse(fs.readFileSync(path.join(p.dir, file), 'utf8')) as T) : null);
  const teamFile = fs.existsSync(path.join(p.dir, 'teams')) ? fs.readdirSync(path.join(p.dir, 'teams'))[0] : undefined;
  const team = teamFile ? read<Team>(`teams/${teamFile}`) : null;
  const layout = team?.layout ? read<Layout>(`layouts/${team.layout}.yaml`) : null;
  /** the "not carried over" lines, as FILE:LINE:COL: what */
  const leftOut = r.stdout.split('\n').filter((l) => l.startsWith(`  ${fixture}:`)).map((l) => l.trim());
  return { p, r, team, layout, leftOut };
}

/** `muster validate` accepts the import, but for the folders named (that this machine lacks), which import listed too. */
async function validates(p: TestProject, missing: string[] = [], importOut = ''): Promise<void> {
  const v = await p.muster(['validate']);
  if (missing.length === 0) {
    expect(v.code, v.stderr).toBe(0);
    return;
  }
  expect(v.code).toBe(2);
  const problems = v.stderr.split('\n').filter((l) => /: working directory /.test(l));
  expect(problems.map((l) => /working directory "([^"]+)"/.exec(l)?.[1])).toEqual(missing);
  expect(v.stderr.split('\n').filter((l) => /^teams\/.*:\d+:\d+: /.test(l) && !/working directory/.test(l))).toEqual([]);
  for (const m of missing) expect(importOut).toContain(`working directory ${JSON.stringify(m)} does not exist`);
}

describe('tmuxinator', () => {
  it("the sample project: windows, panes and root carried over; hooks, pre_window and tmux settings listed at their lines", async () => {
    const { p, r, team, layout, leftOut } = await importFixture('rails.tmuxinator.yml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote teams\/sample\.yaml and layouts\/sample\.yaml: team sample, 6 agent\(s\)/);
    expect(team).toMatchObject({ name: 'sample', layout: 'sample', cwd: `${os.homedir()}/` });
    expect(team!.agents).toMatchObject({
      'editor-1': { run: 'vim' },
      'editor-2': { run: 'guard' },
      server: { run: 'bundle exec rails s' },
      logs: { run: 'tail -f log/development.log' },
      console: { run: 'bin/rails console' },
      shell: { preset: 'shell' },
    });
    expect(layout!.windows).toEqual([
      { name: 'editor', layout: 'main-vertical', panes: ['editor-1', 'editor-2'] },
      { name: 'server', panes: ['server'] },
      { name: 'logs', panes: ['logs'] },
      { name: 'console', panes: ['console'] },
      { name: 'shell', panes: ['shell'] },
    ]);
    expect(leftOut).toEqual([
      expect.stringMatching(/^rails\.tmuxinator\.yml:7:1: not carried over: socket_name \(foo\)/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:15:1: not carried over: on_project_start \(docker compose up -d db\): a hook/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:18:1: not carried over: on_project_first_start \(bin\/setup\)/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:21:1: not carried over: on_project_stop/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:24:1: not carried over: pre_window \(rbenv shell 2\.0\.0-p247\)/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:27:1: not carried over: tmux_options/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:30:1: not carried over: startup_window/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:33:1: not carried over: startup_pane/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:36:1: not carried over: attach \(false\)/),
      expect.stringMatching(/^rails\.tmuxinator\.yml:43:7: not carried over: synchronize \(after\)/),
    ]);
    await validates(p);
  });

  it('pane titles, multi-command panes, window roots, agent CLIs and a custom layout string', async () => {
    const { p, r, team, layout, leftOut } = await importFixture('panes.tmuxinator.yml');
    expect(r.code, r.stderr).toBe(0);
    expect(team!.name).toBe('my-web-app');
    expect(team!.cwd).toBe('/srv/webapp');
    expect(team!.agents).toMatchObject({
      watcher: { run: 'cd src; npm run watch', cwd: '/srv/webapp/frontend' },
      tests: { run: 'npm test -- --watch', cwd: '/srv/webapp/frontend' },
      'code-3': { preset: 'shell', cwd: '/srv/webapp/frontend' },
      'agents-1': { run: 'claude', preset: 'claude' },
      'agents-2': { run: 'codex', preset: 'codex' },
      'agents-3': { run: 'aider --model sonnet', preset: 'aider' },
      db: { run: 'psql webapp_dev; \\dt' },
    });
    expect(layout!.windows[0]).toEqual({ name: 'code', panes: ['watcher', 'tests', 'code-3'] });
    expect(layout!.windows[1]).toEqual({ name: 'agents', layout: 'tiled', panes: ['agents-1', 'agents-2', 'agents-3'] });
    expect(leftOut).toEqual([
      expect.stringMatching(/^panes\.tmuxinator\.yml:7:7: not carried over: layout \(5e5d,191x47.*a custom tmux layout string/),
      expect.stringMatching(/^panes\.tmuxinator\.yml:8:7: not carried over: pre \(nvm use 18\)/),
    ]);
    await validates(p, ['/srv/webapp', '/srv/webapp/frontend', '/srv/webapp/frontend', '/srv/webapp/frontend'], r.stdout);
  });

  it('a malformed file: exit 2 with FILE:LINE:COL, nothing written', async () => {
    const { p, r, team } = await importFixture('malformed.tmuxinator.yml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^malformed\.tmuxinator\.yml:7:\d+: yaml syntax error: /);
    expect(r.stderr).toMatch(/\nhint: Fix the file .*nothing was written/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(team).toBeNull();
    expect(fs.existsSync(path.join(p.dir, 'layouts'))).toBe(false);
  });

  it('a file without windows: exit 2 at its place', async () => {
    const { r, team } = await importFixture('no-windows.tmuxinator.yml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^no-windows\.tmuxinator\.yml:1:1: no windows: /);
    expect(team).toBeNull();
  });
});

describe('tmuxp', () => {
  it('the 4-pane split: multi-command panes, a tmux layout, shell_command_before listed', async () => {
    const { p, r, team, layout, leftOut } = await importFixture('4-pane-split.tmuxp.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(team!.name).toBe('pane-split');
    expect(Object.values(team!.agents).map((a) => a.run)).toEqual(['cd /var/log; ls -al | grep \\.log', 'echo second pane', 'echo third pane', 'echo fourth pane']);
    expect(layout!.windows).toEqual([{ name: 'dev window', layout: 'tiled', panes: ['dev-window-1', 'dev-window-2', 'dev-window-3', 'dev-window-4'] }]);
    expect(leftOut).toEqual([expect.stringMatching(/^4-pane-split\.tmuxp\.yaml:5:3: not carried over: shell_command_before/)]);
    await validates(p);
  });

  it('features muster lacks (before_script, options, focus, sleeps, enter: false, window_shell, window_index) are listed; directories and environments carried over', async () => {
    const { p, r, team, layout, leftOut } = await importFixture('full.tmuxp.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(team).toMatchObject({ name: 'full-stack', cwd: './', env: { EDITOR: 'vim', DEBUG: '1' } });
    expect(team!.agents).toMatchObject({
      'editor-1': { run: 'vim', cwd: 'src' },
      'editor-2': { run: 'pytest --looponfail', cwd: 'src', env: { PYTEST_ADDOPTS: '-q' } },
      'servers-1': { run: 'python -m http.server 8000', env: { PORT: '8000' } },
      'servers-2': { run: 'celery -A app worker' },
      'servers-3': { run: 'echo ready', cwd: '/tmp' },
      'notes-1': { preset: 'shell' },
      'notes-2': { preset: 'shell' },
      'notes-3': { preset: 'shell' },
    });
    expect(layout!.windows.map((w) => [w.name, w.layout ?? null, w.panes.length])).toEqual([
      ['editor', 'main-horizontal', 2],
      ['servers', 'even-horizontal', 3],
      ['notes', null, 3],
    ]);
    const keys = leftOut.map((l) => /^full\.tmuxp\.yaml:(\d+):\d+: not carried over: (\w+)/.exec(l)?.slice(1).join(' '));
    expect(keys).toEqual([
      '3 before_script',
      '4 shell_command_before',
      '9 global_options',
      '11 options',
      '17 focus',
      '19 shell_command_before',
      '21 options',
      '26 focus',
      '28 sleep_before',
      '33 window_shell',
      '42 enter',
      '45 window_index',
    ]);
    await validates(p, ['src', 'src'], r.stdout);
  });

  it('a JSON session file', async () => {
    const { p, r, team, layout } = await importFixture('session.tmuxp.json');
    expect(r.code, r.stderr).toBe(0);
    expect(team!.agents).toEqual({ 'main-1': { run: 'htop' }, 'main-2': { run: 'npm run dev' } });
    expect(layout!.windows).toEqual([{ name: 'main', layout: 'main-vertical', panes: ['main-1', 'main-2'] }]);
    await validates(p);
  });
});

describe('Procfiles', () => {
  it('a Rails Procfile (foreman): one agent per process, no layout', async () => {
    const { p, r, team, leftOut } = await importFixture('Procfile');
    expect(r.code, r.stderr).toBe(0);
    expect(team!.layout).toBeUndefined();
    expect(team!.agents).toEqual({
      web: { run: 'bundle exec puma -C config/puma.rb' },
      worker: { run: 'bundle exec sidekiq -C config/sidekiq.yml' },
      release: { run: 'bin/rails db:migrate' },
    });
    expect(leftOut).toEqual([]);
    expect(fs.existsSync(path.join(p.dir, 'layouts'))).toBe(false);
    await validates(p);
  });

  it("overmind's Procfile.dev and honcho's: comments skipped, $PORT given as foreman gives it", async () => {
    const dev = await importFixture('Procfile.dev', ['--name', 'dev']);
    expect(dev.r.code, dev.r.stderr).toBe(0);
    expect(Object.keys(dev.team!.agents)).toEqual(['web', 'js', 'css', 'stripe']);
    expect(dev.team!.agents.web).toEqual({ run: 'bin/rails server -p $PORT', env: { PORT: '5000' } });
    await validates(dev.p);
    const honcho = await importFixture('Procfile.honcho');
    expect(honcho.r.code, honcho.r.stderr).toBe(0);
    expect(Object.keys(honcho.team!.agents)).toEqual(['web', 'celery_worker', 'celery-beat']);
    expect(honcho.team!.agents.web!.env).toEqual({ PORT: '5000' });
    await validates(honcho.p);
  });

  it('an empty Procfile: exit 2, nothing written', async () => {
    const { r, team } = await importFixture('Procfile.empty');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Procfile\.empty:1:1: the Procfile has no processes/);
    expect(team).toBeNull();
  });

  it('lines that are not processes: each at its line', async () => {
    const { r, team } = await importFixture('Procfile.bad');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      'Procfile.bad:2:1: not a process line: write "name: command", e.g. "web: npm start"',
      'Procfile.bad:3:1: process "worker" has no command: write "worker: <command>"',
    ]);
    expect(team).toBeNull();
  });
});

describe('writing', () => {
  it('never overwrites without --force; --stdout writes nothing; --format overrides the guess', async () => {
    const { p, r } = await importFixture('Procfile');
    expect(r.code).toBe(0);
    const before = fs.readFileSync(path.join(p.dir, 'teams', fs.readdirSync(path.join(p.dir, 'teams'))[0]!), 'utf8');
    const again = await p.muster(['import', 'Procfile']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; nothing was written/);
    expect(fs.readFileSync(path.join(p.dir, 'teams', fs.readdirSync(path.join(p.dir, 'teams'))[0]!), 'utf8')).toBe(before);
    const forced = await p.muster(['import', 'Procfile', '--force']);
    expect(forced.code, forced.stderr).toBe(0);

    const printed = await p.muster(['import', 'Procfile', '--stdout', '--name', 'other']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# ---- teams\/other\.yaml\n# yaml-language-server: \$schema=/);
    expect(fs.existsSync(path.join(p.dir, 'teams/other.yaml'))).toBe(false);

    fs.copyFileSync(path.join(FIXTURES, 'Procfile'), path.join(p.dir, 'procs.txt'));
    const unknown = await p.muster(['import', 'procs.txt', '--format', 'tmuxp']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^procs\.txt:1:1: no windows/);
    const missing = await p.muster(['import', 'nope.yml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^muster: nope\.yml: no such file/);
  });
});
