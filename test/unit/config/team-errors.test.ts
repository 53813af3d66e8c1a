/**
 * Bad team files: each case asserts the exact FILE:LINE:COL of every problem
 * and a fragment of its message.
 */
import { describe, expect, test } from 'vitest';
import { problemsOf, yaml } from './memory-io.js';

/** Problems of a project with one team file `teams/web.yaml`. */
const problemsOfTeam = (text: string) => problemsOf({ 'teams/web.yaml': text });

/** Asserts the problems are exactly these locations, each with its message fragment. */
function expectProblems(actual: string[], expected: [string, string][]) {
  expect(actual.map((p) => p.slice(0, p.indexOf(': ')))).toEqual(expected.map(([at]) => at));
  expected.forEach(([, fragment], i) => expect(actual[i]).toContain(fragment));
}

describe('keys', () => {
  test('an unknown key points at the key and suggests the near one', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', '    limts: { cpu: 50% }'));
    expect(p).toEqual(['teams/web.yaml:5:5: unknown key "limts" (did you mean "limits"?)']);
  });

  test('an unknown key with no near one lists the allowed keys', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', '    limits: { cpu: 50%, banana: 1 }'));
    expectProblems(p, [['teams/web.yaml:5:25', 'unknown key "banana": use cpu, memory, pids, on_memory or on_cpu']]);
  });

  test('unknown keys at the top, in defaults and in nested maps', async () => {
    const p = await problemsOfTeam(
      yaml(
        'name: web',
        'agnets: {}',
        'defaults:',
        '  chekin: { every: 5m }',
        '  restart: { polcy: always }',
        'agents:',
        '  pm:',
        '    run: claude',
        '    checkin: { every: 5m, nuge: hi }',
      ),
    );
    expectProblems(p, [
      ['teams/web.yaml:2:1', 'unknown key "agnets" (did you mean "agents"?)'],
      ['teams/web.yaml:4:3', 'unknown key "chekin" (did you mean "checkin"?)'],
      ['teams/web.yaml:5:14', 'unknown key "polcy" (did you mean "policy"?)'],
      ['teams/web.yaml:9:27', 'unknown key "nuge" (did you mean "nudge"?)'],
    ]);
  });

  test('a duplicate key is a syntax problem at the second one', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: a', '    run: b'));
    expectProblems(p, [['teams/web.yaml:5:5', 'duplicate key "run"']]);
  });

  test('after and for_each are not allowed in defaults', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'defaults:', '  after: [pm]', 'agents:', '  pm: { run: x }'));
    expectProblems(p, [['teams/web.yaml:3:3', 'unknown key "after"']]);
  });
});

describe('units', () => {
  test('bad memory points at the value', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', '    limits: { memory: 512MB }'));
    expect(p).toEqual(['teams/web.yaml:5:23: bad memory "512MB": use bytes or KiB, MiB, GiB']);
  });

  test.each([
    ['    limits: { cpu: lots }', 5, 20, 'bad cpu "lots": use a percentage of one core'],
    ['    timeout: 30', 5, 14, 'bad duration 30: add a unit: ms, s, m or h'],
    ['    expect: 5 minutes', 5, 13, 'bad duration "5 minutes"'],
    ['    checkin: { every: 0s }', 5, 23, 'bad duration "0s": must be more than 0'],
    ['    restart: { backoff: 1w }', 5, 25, 'bad duration "1w"'],
    ['    limits: { pids: 3 }', 5, 21, 'bad pids 3: use a whole number of processes (at least 8), or none'],
    ['    limits: { pids: lots }', 5, 21, 'bad pids "lots": use a whole number of processes (at least 8), or none'],
    ['    logs: { max: 1KiB }', 5, 18, 'bad logs max "1KiB": use at least 4KiB'],
    ['    logs: { max: 5MB }', 5, 18, 'bad memory "5MB"'],
    ['    logs: { keep: -1 }', 5, 19, 'bad keep -1: use a whole number of at least 0'],
    ['    logs: { keep: 1000 }', 5, 19, 'bad keep 1000: keep at most 100 rotated files'],
    ['    logs: { size: 1MiB }', 5, 13, 'unknown key "size"'],
  ])('%s', async (line, row, col, message) => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', line));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`teams/web.yaml:${row}:${col}: ${message}`);
  });

  test('limits of none turn a default limit off', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', '    limits: { cpu: none, memory: none, pids: none }'));
    expect(p).toEqual([]);
  });
});

describe('enums', () => {
  test.each([
    ['    priority: urgent', 15, 'bad priority "urgent": use high, normal or low'],
    ['    limits: { on_memory: kill }', 26, 'bad on_memory "kill": use restart, stop or none'],
    ['    limits: { on_cpu: stop }', 23, 'bad on_cpu "stop": use throttle or none'],
    ['    checkin: { every: 5m, on_miss: panic }', 36, 'bad on_miss "panic": use nudge, restart, stop or none'],
    ['    restart: { policy: sometimes }', 24, 'bad policy "sometimes": use always, on-failure or never'],
    ['    preset: cursor', 13, 'unknown preset "cursor": use aider, claude, codex, default, gemini, opencode, qwen or shell, or add presets/cursor.yaml'],
    ['    optional: maybe', 15, 'bad optional "maybe": use true or false'],
    ['    checkin: sometimes', 14, 'bad checkin "sometimes": use off or a map with every, grace, on_miss, nudge'],
    ['    commit: never', 13, 'bad commit "never": use off or a map with every, nudge'],
    ['    retries: -1', 14, 'bad retries -1: use a whole number of at least 0'],
    ['    retries: 1.5', 14, 'bad retries 1.5: use a whole number of at least 0'],
    ['    after: pm', 12, 'bad after "pm": use a list, e.g. [a, b]'],
    ['    uses: [port:3000, 7]', 23, 'bad uses item 7: use a string'],
  ])('%s', async (line, col, message) => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: claude', line));
    expect(p).toEqual([`teams/web.yaml:5:${col}: ${message}`]);
  });

  test.each([
    ['    run: [a, b]', 'teams/web.yaml:4:10: bad run (a list): use a string'],
    ['    run: ""', 'teams/web.yaml:4:10: bad run "": must not be empty'],
    ['    run: 42', 'teams/web.yaml:4:10: bad run 42: use a string'],
  ])('%s', async (line, problem) => {
    expect(await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', line))).toEqual([problem]);
  });

  test('team max_parallel must be a whole number of at least 1', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'max_parallel: 0', 'agents:', '  pm: { run: x }'));
    expect(p).toEqual(['teams/web.yaml:2:15: bad max_parallel 0: use a whole number of at least 1']);
  });

  test('a bad tmux layout name in a layout file', async () => {
    const p = await problemsOf({
      'teams/web.yaml': yaml('name: web', 'layout: mine', 'agents:', '  pm: { run: x }'),
      'layouts/mine.yaml': yaml('windows:', '  - name: Main', '    layout: grid', '    panes: [pm]'),
    });
    expect(p).toEqual([
      'layouts/mine.yaml:3:13: bad layout "grid": use even-horizontal, even-vertical, main-horizontal, main-vertical or tiled',
    ]);
  });
});

describe('checkin and commit off', () => {
  test('off (a string in YAML 1.2) and false both turn them off', async () => {
    const p = await problemsOfTeam(
      yaml('name: web', 'defaults:', '  checkin: { every: 5m }', 'agents:', '  a: { run: x, checkin: off, commit: off }', '  b: { run: x, checkin: false }'),
    );
    expect(p).toEqual([]);
  });

  test('checkin without every (after merging) is a problem at the checkin', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: x', '    checkin: { grace: 1m }'));
    expect(p).toEqual(['teams/web.yaml:5:14: checkin needs "every" (e.g. every: 15m), or use checkin: off']);
  });

  test('a defaults checkin without every is reported at the defaults', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'defaults:', '  commit: { nudge: commit! }', 'agents:', '  pm: { run: x }'));
    expect(p).toEqual(['teams/web.yaml:3:11: commit needs "every" (e.g. every: 30m), or use commit: off']);
  });
});

describe('names', () => {
  test('a bad team name points at the value', async () => {
    const p = await problemsOfTeam(yaml('name: Web', 'agents:', '  pm: { run: x }'));
    expect(p).toEqual(['teams/web.yaml:1:7: bad team name "Web": use a-z, 0-9, _ and -, starting with a letter, at most 32 characters']);
  });

  test('a team name of 33 characters is too long', async () => {
    const p = await problemsOfTeam(yaml(`name: ${'a'.repeat(33)}`, 'agents:', '  pm: { run: x }'));
    expectProblems(p, [['teams/web.yaml:1:7', 'at most 32 characters']]);
  });

  test('a team name of 32 characters is fine', async () => {
    expect(await problemsOfTeam(yaml(`name: ${'a'.repeat(32)}`, 'agents:', '  pm: { run: x }'))).toEqual([]);
  });

  test('a bad agent name points at the key', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm: { run: x }', '  Dev: { run: x }', '  2nd: { run: x }'));
    expectProblems(p, [
      ['teams/web.yaml:4:3', 'bad agent name "Dev"'],
      ['teams/web.yaml:5:3', 'bad agent name "2nd"'],
    ]);
  });

  test('without name, the file name is the team name; a bad file name asks for name:', async () => {
    expect(await problemsOf({ 'teams/web.yaml': yaml('agents:', '  pm: { run: x }') })).toEqual([]);
    const p = await problemsOf({ 'teams/My Team.yaml': yaml('agents:', '  pm: { run: x }') });
    expectProblems(p, [['teams/My Team.yaml:1:1', 'the file name gives the team name "My Team", which is not valid: add name:']]);
  });

  test('a team with no agents', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents: {}'));
    expect(p).toEqual(['teams/web.yaml:2:9: a team needs at least one agent']);
  });

  test('an empty agent', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:'));
    expect(p).toEqual(['teams/web.yaml:3:6: bad agent "pm" (empty): use a map with at least "run"']);
  });

  test('a bad env name points at the key', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'env: { GOOD: 1, 9BAD: x }', 'agents:', '  pm: { run: x, env: { A: null } }'));
    expectProblems(p, [
      ['teams/web.yaml:2:17', 'bad env name "9BAD": use letters, digits and _, not starting with a digit'],
      ['teams/web.yaml:4:27', 'bad env A (empty): use a string, a number or true/false'],
    ]);
  });
});

describe('run', () => {
  test('a missing run points at the agent name', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    prompt: hello'));
    expect(p).toEqual(['teams/web.yaml:3:3: agent "pm" has no "run": add the command to run']);
  });

  test('run may come from the defaults', async () => {
    expect(await problemsOfTeam(yaml('name: web', 'defaults: { run: claude }', 'agents:', '  pm: { prompt: hi }'))).toEqual([]);
  });
});

describe('for_each', () => {
  test('an item of the wrong type is reported first (the agent is then left out)', async () => {
    const p = await problemsOfTeam(
      yaml('name: web', 'agents:', '  tr:', '    for_each: [intro, Faq, "a/b", intro, true]', '    run: x {item}'),
    );
    expectProblems(p, [
      ['teams/web.yaml:4:42', 'bad for_each item true: use a word, e.g. intro'],
    ]);
  });

  test('items checked once the list is well-typed: case, slashes, repeats, length', async () => {
    const p = await problemsOfTeam(
      yaml('name: web', 'agents:', '  tr:', '    for_each: [intro, Faq, "a/b", intro, ' + 'x'.repeat(30) + ']', '    run: x {item}'),
    );
    expectProblems(p, [
      ['teams/web.yaml:4:23', 'for_each item "Faq" gives the agent name "tr-Faq"'],
      ['teams/web.yaml:4:28', 'for_each item "a/b" gives the agent name "tr-a/b"'],
      ['teams/web.yaml:4:35', 'for_each item "intro" is listed twice'],
      ['teams/web.yaml:4:42', 'at most 32 characters'],
    ]);
  });

  test('an item giving the name of another agent', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  tr-faq: { run: x }', '  tr:', '    for_each: [intro, faq]', '    run: x'));
    expectProblems(p, [['teams/web.yaml:5:23', 'for_each item "faq" gives the agent name "tr-faq", which another agent has']]);
  });

  test('an empty for_each', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  tr:', '    for_each: []', '    run: x'));
    expect(p).toEqual(['teams/web.yaml:4:15: bad for_each (a list): use at least one item']);
  });
});

describe('after', () => {
  test('an unknown agent in the same team, with a suggestion', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm: { run: x }', '  dev:', '    run: x', '    after: [pmm]'));
    expect(p).toEqual(['teams/web.yaml:6:13: unknown agent "pmm" in after (did you mean "pm"?)']);
  });

  test('an unknown agent with no near name lists the agents', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm: { run: x }', '  dev:', '    run: x', '    after: [pm, designer]'));
    expect(p).toEqual(['teams/web.yaml:6:17: unknown agent "designer" in after (agents: pm or dev)']);
  });

  test('unknown team and unknown agent of another team', async () => {
    const p = await problemsOf({
      'teams/api.yaml': yaml('name: api', 'agents:', '  server: { run: x }'),
      'teams/web.yaml': yaml('name: web', 'agents:', '  dev:', '    run: x', '    after: [apj/server, api/sever]'),
    });
    expect(p).toEqual([
      'teams/web.yaml:5:13: unknown team "apj" in after "apj/server" (did you mean "api"?)',
      'teams/web.yaml:5:25: unknown agent "sever" in team "api" in after (did you mean "server"?)',
    ]);
  });

  test('a cycle is reported at the after entry that closes it', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  a:', '    run: x', '    after: [b]', '  b:', '    run: x', '    after: [a]'));
    expect(p).toEqual(['teams/web.yaml:8:13: dependency cycle: a -> b -> a']);
  });

  test('a longer cycle, and an agent waiting for itself', async () => {
    const p = await problemsOfTeam(
      yaml('name: web', 'agents:', '  a: { run: x, after: [c] }', '  b: { run: x, after: [a] }', '  c: { run: x, after: [b] }', '  d: { run: x, after: [d] }'),
    );
    expect(p).toEqual(['teams/web.yaml:4:24: dependency cycle: a -> c -> b -> a', 'teams/web.yaml:6:24: dependency cycle: d -> d']);
  });

  test('a cycle across teams names agents by id', async () => {
    const p = await problemsOf({
      'teams/api.yaml': yaml('name: api', 'agents:', '  server: { run: x, after: [web/dev] }'),
      'teams/web.yaml': yaml('name: web', 'agents:', '  dev: { run: x, after: [api/server] }'),
    });
    expect(p).toEqual(['teams/web.yaml:3:26: dependency cycle: api/server -> web/dev -> api/server']);
  });

  test('a for_each agent waiting on its own base name is a cycle, reported once', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  tr:', '    for_each: [a, b]', '    run: x', '    after: [tr]'));
    expect(p).toEqual(['teams/web.yaml:6:13: dependency cycle: tr-a -> tr-a']);
  });

  test('references to an agent that has its own problems are not reported again', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm: { run: x, priority: top }', '  dev: { run: x, after: [pm] }'));
    expect(p).toEqual(['teams/web.yaml:3:27: bad priority "top": use high, normal or low']);
  });
});

describe('yaml syntax', () => {
  test('a syntax error is located like any other problem', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm: { run: x', '  dev: { run: y }'));
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^teams\/web\.yaml:\d+:\d+: yaml syntax error: /);
  });

  test('an unterminated quote', async () => {
    const p = await problemsOfTeam(yaml('name: web', 'agents:', '  pm:', '    run: "claude'));
    expectProblems(p, [['teams/web.yaml:5:1', 'yaml syntax error: missing closing "quote']]);
  });

  test('a tab used as indentation', async () => {
    const p = await problemsOfTeam('name: web\nagents:\n\tpm: { run: x }\n');
    expectProblems(p, [['teams/web.yaml:3:1', 'yaml syntax error']]);
  });

  test('an empty file and a file that is a list', async () => {
    expect(await problemsOf({ 'teams/web.yaml': '' })).toEqual(['teams/web.yaml:1:1: the file is empty: write a map with name and agents']);
    expect(await problemsOf({ 'teams/web.yaml': '- a\n' })).toEqual(['teams/web.yaml:1:1: the file is not a map: write a map with name and agents']);
  });
});

describe('many problems at once', () => {
  test('every problem of every file is reported together, in file order', async () => {
    const p = await problemsOf({
      'teams/a.yaml': yaml(
        'name: a',
        'layout: nowhere',
        'agents:',
        '  pm:',
        '    run: claude',
        '    limits: { memory: 1GB, cpu: 50% }',
        '    priority: urgent',
        '  dev:',
        '    run: claude',
        '    after: [qa]',
        '    retires: 2',
        '  docs:',
        '    prompt: write',
      ),
      'teams/b.yaml': yaml('name: b', 'agents:', '  x: { run: y, timeout: 10 }'),
    });
    expectProblems(p, [
      ['teams/a.yaml:2:9', 'unknown layout "nowhere": use one-per-agent, pm-dev-server or tiled, or add layouts/nowhere.yaml'],
      ['teams/a.yaml:6:23', 'bad memory "1GB"'],
      ['teams/a.yaml:7:15', 'bad priority "urgent"'],
      ['teams/a.yaml:10:13', 'unknown agent "qa" in after'],
      ['teams/a.yaml:11:5', 'unknown key "retires" (did you mean "retries"?)'],
      ['teams/a.yaml:12:3', 'agent "docs" has no "run"'],
      ['teams/b.yaml:3:25', 'bad duration 10: add a unit'],
    ]);
  });
});
