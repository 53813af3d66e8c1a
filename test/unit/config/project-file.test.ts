/** muster.yaml, the choice of team files, and problems that span files. */
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadProject } from '../../../src/config/load-project.js';
import { memoryIo, problemsOf, projectOf, ROOT, yaml } from './memory-io.js';

const team = (name: string) => yaml(`name: ${name}`, 'agents:', '  pm: { run: claude }');

describe('the project file', () => {
  test('without muster.yaml: defaults, and every teams/*.yaml in name order', async () => {
    const p = await projectOf({ 'teams/b.yaml': team('b'), 'teams/a.yaml': team('a'), 'teams/notes.txt': 'x', 'other/c.yaml': team('c') });
    expect(p.file).toBeNull();
    expect(p.dir).toBe(ROOT);
    expect(p.teams.map((t) => t.name)).toEqual(['a', 'b']);
    expect(p.teams[0]?.file).toBe(`${ROOT}/teams/a.yaml`);
    expect(p.pulseMs).toBe(2000);
    expect(p.ceiling).toEqual({ cpu: null, memory: null });
    expect(p.requires).toEqual({ commands: [], env: [], ports: [], disk: null });
  });

  test('every key of muster.yaml', async () => {
    const p = await projectOf({
      'muster.yaml': yaml(
        'teams: [other/c.yaml, teams/a.yaml]',
        'pulse: 500ms',
        'ceiling: { cpu: 60%, memory: 80 }',
        'logs: { max: 10MiB, keep: 1 }',
        'requires:',
        '  commands: [git, claude]',
        '  env: [ANTHROPIC_API_KEY]',
        '  ports: [3000]',
        '  disk: 2GiB',
      ),
      'teams/a.yaml': team('a'),
      'teams/b.yaml': team('b'),
      'other/c.yaml': team('c'),
    });
    expect(p.file).toBe(`${ROOT}/muster.yaml`);
    expect(p.teams.map((t) => t.name)).toEqual(['c', 'a']);
    expect(p.pulseMs).toBe(500);
    expect(p.ceiling).toEqual({ cpu: 60, memory: 80 });
    expect(p.logs).toEqual({ maxBytes: 10 * 1024 ** 2, keep: 1 });
    expect(p.requires).toEqual({ commands: ['git', 'claude'], env: ['ANTHROPIC_API_KEY'], ports: [3000], disk: 2 * 1024 ** 3 });
  });

  test('an empty muster.yaml is all defaults', async () => {
    const p = await projectOf({ 'muster.yaml': '# nothing yet\n', 'teams/a.yaml': team('a') });
    expect(p.pulseMs).toBe(2000);
    expect(p.logs).toEqual({ maxBytes: 50 * 1024 ** 2, keep: 3 });
    expect(p.teams).toHaveLength(1);
  });

  test('files on the command line replace muster.yaml teams', async () => {
    const p = await projectOf({ 'muster.yaml': yaml('teams: [teams/a.yaml]'), 'teams/a.yaml': team('a'), 'x/b.yaml': team('b') }, ['x/b.yaml']);
    expect(p.teams.map((t) => t.name)).toEqual(['b']);
  });

  test('the same file named twice is read once', async () => {
    const p = await projectOf({ 'teams/a.yaml': team('a') }, ['teams/a.yaml', './teams/a.yaml']);
    expect(p.teams).toHaveLength(1);
  });

  test('problems in muster.yaml are located', async () => {
    const p = await problemsOf({
      'muster.yaml': yaml('teams: [teams/a.yaml]', 'pulse: 2', 'ceiling: { cpu: 120%, mem: 50% }', 'requires:', '  ports: [http]', '  disk: 2GB'),
      'teams/a.yaml': team('a'),
    });
    expect(p).toEqual([
      'muster.yaml:2:8: bad duration 2: add a unit: ms, s, m or h (e.g. 2s)',
      'muster.yaml:3:17: bad percentage "120%": use 0% to 100%',
      'muster.yaml:3:23: unknown key "mem" (did you mean "memory"?)',
      'muster.yaml:5:11: bad ports item "http": use a port number, 1 to 65535',
      'muster.yaml:6:9: bad memory "2GB": use bytes or KiB, MiB, GiB',
    ]);
  });

  test('a pulse below 100ms is refused', async () => {
    expect(await problemsOf({ 'muster.yaml': 'pulse: 10ms\n', 'teams/a.yaml': team('a') })).toEqual(['muster.yaml:1:8: bad pulse "10ms": use at least 100ms']);
  });

  test('a syntax error in muster.yaml hides the team files, which are then not read', async () => {
    const p = await problemsOf({ 'muster.yaml': 'teams: [a.yaml\n', 'teams/a.yaml': 'bad: [' });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^muster\.yaml:\d+:\d+: yaml syntax error/);
  });
});

describe('team files that are missing', () => {
  test('a file named on the command line', async () => {
    expect(await problemsOf({ 'teams/a.yaml': team('a') }, ['teams/a.yaml', 'teams/nope.yaml'])).toEqual(['teams/nope.yaml:1:1: file not found']);
  });

  test('a file named in muster.yaml is reported at its entry', async () => {
    const p = await problemsOf({ 'muster.yaml': yaml('teams:', '  - teams/a.yaml', '  - teams/nope.yaml'), 'teams/a.yaml': team('a') });
    expect(p).toEqual(['muster.yaml:3:5: team file "teams/nope.yaml": file not found']);
  });

  test('no team file at all', async () => {
    const p = await problemsOf({});
    expect(p).toEqual([
      'muster.yaml:1:1: no team files: add teams/<team>.yaml, list files under "teams" in muster.yaml, or name them on the command line',
    ]);
  });

  test('an empty teams list', async () => {
    expect(await problemsOf({ 'muster.yaml': 'teams: []\n' })).toEqual(['muster.yaml:1:8: no team files listed: name at least one, e.g. [teams/web.yaml]']);
  });

  test('a path outside the project is shown absolute', async () => {
    const p = await problemsOf({ 'teams/a.yaml': team('a') }, ['/virtual/elsewhere/b.yaml']);
    expect(p).toEqual(['/virtual/elsewhere/b.yaml:1:1: file not found']);
  });
});

describe('across team files', () => {
  test('duplicate team names: the later file is reported at its name', async () => {
    const p = await problemsOf({ 'teams/a.yaml': team('web'), 'teams/b.yaml': yaml('# the web team again', 'name: web', 'agents:', '  x: { run: y }') });
    expect(p).toEqual(['teams/b.yaml:2:7: team "web" is already defined in teams/a.yaml']);
  });

  test('a team whose name comes from its file name clashes at 1:1', async () => {
    const p = await problemsOf({ 'teams/a.yaml': team('web'), 'teams/web.yaml': yaml('agents:', '  x: { run: y }') });
    expect(p).toEqual(['teams/web.yaml:1:1: team "web" is already defined in teams/a.yaml']);
  });

  test('after across teams resolves to the other team ids', async () => {
    const p = await projectOf({
      'teams/api.yaml': yaml('name: api', 'agents:', '  server: { run: x }'),
      'teams/web.yaml': yaml('name: web', 'agents:', '  dev: { run: x, after: [api/server] }'),
    });
    expect(p.teams[1]?.agents[0]?.after).toEqual(['api/server']);
  });

  test('a reference into a team file that failed to parse is not reported', async () => {
    const p = await problemsOf({
      'teams/api.yaml': 'name: api\nagents: [\n',
      'teams/web.yaml': yaml('name: web', 'agents:', '  dev: { run: x, after: [api/server] }'),
    });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^teams\/api\.yaml:\d+:\d+: yaml syntax error/);
  });
});

describe('loadProject', () => {
  test('throws a ConfigError holding every problem', async () => {
    const io = memoryIo({ 'teams/a.yaml': yaml('name: a', 'agents:', '  pm: { run: x, priority: top, memory: 1G }') });
    const err = await loadProject(ROOT, undefined, { io }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.map((p) => `${p.line}:${p.col}`)).toEqual(['3:27', '3:32']);
    expect(problems[1]?.message).toBe('unknown key "memory": use run, cwd, env, prompt, priority, limits, checkin, commit, restart, logs, budget, optional, uses, timeout, expect, resume, retries, mcp, preset, worktree, base, include, setup, after or for_each');
    expect((err as ConfigError).exitCode).toBe(2);
  });

  test('returns the project when it is valid', async () => {
    const p = await loadProject(ROOT, ['teams/a.yaml'], { io: memoryIo({ 'teams/a.yaml': team('a') }) });
    expect(p.teams[0]?.agents[0]?.id).toBe('a/pm');
  });
});
