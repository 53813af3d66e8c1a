/** Good team files: defaults, merging, for_each, after and paths as resolved. */
import { describe, expect, test } from 'vitest';
import { DEFAULT_CHECKIN_NUDGE, DEFAULT_COMMIT_NUDGE } from '../../../src/config/defaults.js';
import type { AgentSpec } from '../../../src/config/types.js';
import { problemsOf, projectOf, ROOT, yaml } from './memory-io.js';

async function agentsOf(text: string, folders: string[] = []): Promise<Map<string, AgentSpec>> {
  const p = await projectOf({ 'teams/web.yaml': text, ...Object.fromEntries(folders.map((f) => [`${f}/`, ''])) });
  return new Map((p.teams[0]?.agents ?? []).map((a) => [a.name, a]));
}

describe('built-in defaults', () => {
  test('an agent with only run', async () => {
    const a = (await agentsOf(yaml('name: web', 'agents:', '  pm: { run: claude }'))).get('pm');
    expect(a).toEqual({
      id: 'web/pm',
      team: 'web',
      name: 'pm',
      run: 'claude',
      cwd: ROOT,
      env: {},
      prompt: null,
      after: [],
      priority: 'normal',
      limits: { cpu: null, memory: null, pids: 4096, onMemory: 'restart', onCpu: 'throttle' },
      checkin: null,
      commit: null,
      restart: { policy: 'on-failure', max: 5, withinMs: 600_000, backoffMs: 1000, maxBackoffMs: 60_000 },
      logs: { maxBytes: 50 * 1024 ** 2, keep: 3 },
      budget: null,
      optional: false,
      uses: [],
      timeoutMs: null,
      expectMs: null,
      retries: 0,
    resume: 'auto',
      preset: expect.objectContaining({ name: 'claude', files: [expect.stringMatching(/presets\/claude\.yaml$/)] }),
      mcp: true,
      item: null,
      worktree: null,
    });
  });

  test('checkin and commit with only every get the default grace, on_miss and nudges', async () => {
    const a = (await agentsOf(yaml('name: web', 'agents:', '  pm: { run: x, checkin: { every: 15m }, commit: { every: 30m } }'))).get('pm');
    expect(a?.checkin).toEqual({ everyMs: 900_000, graceMs: 300_000, onMiss: 'nudge', nudge: DEFAULT_CHECKIN_NUDGE });
    expect(a?.commit).toEqual({ everyMs: 1_800_000, nudge: DEFAULT_COMMIT_NUDGE });
    expect(DEFAULT_CHECKIN_NUDGE).toBe('Please check in: run `muster checkin "<one line on your progress>"`.');
  });

  test('the team max_parallel, with none given as null', async () => {
    const p = await projectOf({
      'teams/a.yaml': yaml('name: a', 'max_parallel: 2', 'agents:', '  pm: { run: x }'),
      'teams/b.yaml': yaml('name: b', 'agents:', '  pm: { run: x }'),
    });
    expect(p.teams.map((t) => t.maxParallel)).toEqual([2, null]);
  });
});

describe('team defaults', () => {
  const text = yaml(
    'name: web',
    'env: { NODE_ENV: development, PORT: 3000 }',
    'defaults:',
    '  limits: { cpu: 50%, memory: 512MiB, on_memory: stop }',
    '  checkin: { every: 15m, grace: 2m, on_miss: restart, nudge: report! }',
    '  commit: { every: 30m }',
    '  restart: { policy: always, max: 3 }',
    '  priority: low',
    '  env: { LOG: debug }',
    '  uses: [gpu]',
    'agents:',
    '  plain: { run: x }',
    '  mem:',
    '    run: x',
    '    limits: { memory: 768MiB }',
    '    checkin: { every: 5m }',
    '    restart: { max: 9 }',
    '    env: { LOG: info, DEBUG: true, N: 1.5 }',
    '    uses: [port:3000]',
    '  quiet:',
    '    run: x',
    '    checkin: off',
    '    commit: off',
    '    limits: { cpu: none }',
    '    priority: high',
  );

  test('an agent without overrides takes every default', async () => {
    const a = (await agentsOf(text)).get('plain');
    expect(a?.limits).toEqual({ cpu: 50, memory: 512 * 1024 ** 2, pids: 4096, onMemory: 'stop', onCpu: 'throttle' });
    expect(a?.checkin).toEqual({ everyMs: 900_000, graceMs: 120_000, onMiss: 'restart', nudge: 'report!' });
    expect(a?.commit?.everyMs).toBe(1_800_000);
    expect(a?.restart).toEqual({ policy: 'always', max: 3, withinMs: 600_000, backoffMs: 1000, maxBackoffMs: 60_000 });
    expect(a?.priority).toBe('low');
    expect(a?.env).toEqual({ NODE_ENV: 'development', PORT: '3000', LOG: 'debug' });
    expect(a?.uses).toEqual(['gpu']);
  });

  test('maps are merged key by key; env is team + defaults + agent, as strings; lists are replaced', async () => {
    const a = (await agentsOf(text)).get('mem');
    expect(a?.limits).toEqual({ cpu: 50, memory: 768 * 1024 ** 2, pids: 4096, onMemory: 'stop', onCpu: 'throttle' });
    expect(a?.checkin).toEqual({ everyMs: 300_000, graceMs: 120_000, onMiss: 'restart', nudge: 'report!' });
    expect(a?.restart.max).toBe(9);
    expect(a?.restart.policy).toBe('always');
    expect(a?.env).toEqual({ NODE_ENV: 'development', PORT: '3000', LOG: 'info', DEBUG: 'true', N: '1.5' });
    expect(a?.uses).toEqual(['port:3000']);
  });

  test('off turns a default checkin and commit off; none lifts a default limit', async () => {
    const a = (await agentsOf(text)).get('quiet');
    expect(a?.checkin).toBeNull();
    expect(a?.commit).toBeNull();
    expect(a?.limits.cpu).toBeNull();
    expect(a?.limits.memory).toBe(512 * 1024 ** 2);
    expect(a?.priority).toBe('high');
  });

  test('an agent map over a defaults off is taken as written', async () => {
    const a = (await agentsOf(yaml('name: web', 'defaults: { checkin: off }', 'agents:', '  pm: { run: x, checkin: { every: 1m } }'))).get('pm');
    expect(a?.checkin?.everyMs).toBe(60_000);
  });
});

describe('logs and pids', () => {
  test('the log cap: agent over team defaults over muster.yaml over 50MiB/3, key by key', async () => {
    const p = await projectOf({
      'muster.yaml': yaml('logs: { max: 8MiB }'),
      'teams/web.yaml': yaml(
        'name: web',
        'defaults: { logs: { keep: 5 } }',
        'agents:',
        '  plain: { run: x }',
        '  own: { run: x, logs: { max: 1MiB } }',
        '  none: { run: x, logs: { keep: 0 } }',
      ),
      'teams/api.yaml': yaml('name: api', 'agents:', '  a: { run: x }'),
    });
    const logs = Object.fromEntries(p.teams.flatMap((t) => t.agents).map((a) => [a.id, a.logs]));
    expect(logs).toEqual({
      'web/plain': { maxBytes: 8 * 1024 ** 2, keep: 5 },
      'web/own': { maxBytes: 1024 ** 2, keep: 5 },
      'web/none': { maxBytes: 8 * 1024 ** 2, keep: 0 },
      'api/a': { maxBytes: 8 * 1024 ** 2, keep: 3 },
    });
    expect(p.logs).toEqual({ maxBytes: 8 * 1024 ** 2, keep: 3 });
  });

  test('limits.pids: 4096 unless set; none lifts it; team defaults apply', async () => {
    const agents = await agentsOf(
      yaml('name: web', 'defaults: { limits: { pids: 512 } }', 'agents:', '  a: { run: x }', '  b: { run: x, limits: { pids: none } }', '  c: { run: x, limits: { pids: 64 } }'),
    );
    expect([...agents.values()].map((a) => a.limits.pids)).toEqual([512, null, 64]);
    expect((await agentsOf(yaml('name: web', 'agents:', '  a: { run: x }'))).get('a')?.limits.pids).toBe(4096);
  });
});

describe('paths', () => {
  test('team cwd is relative to the project, agent cwd to the team; absolute paths stay', async () => {
    const p = await projectOf({
      'teams/web.yaml': yaml('name: web', 'cwd: ./web', 'agents:', '  a: { run: x }', '  b: { run: x, cwd: ../api }', '  c: { run: x, cwd: /tmp }'),
      'web/': '',
      'api/': '',
    });
    const team = p.teams[0];
    expect(team?.cwd).toBe(`${ROOT}/web`);
    expect(team?.agents.map((a) => a.cwd)).toEqual([`${ROOT}/web`, `${ROOT}/api`, '/tmp']);
  });

  test('a working directory that does not exist is a problem at the cwd that names it', async () => {
    const problems = await problemsOf({
      'teams/web.yaml': yaml(
        'name: web',
        'cwd: ./web',
        'defaults: { cwd: ./nowhere }',
        'agents:',
        '  a: { run: x, cwd: ../api }',
        '  b: { run: x, cwd: /nonexistent/muster-test }',
        '  c: { run: x }',
        '  d: { run: x, cwd: "out/{item}", for_each: [one, two] }',
      ),
      'web/out/one/': '',
    });
    expect(problems).toEqual([
      'teams/web.yaml:3:18: working directory "web/nowhere" does not exist: create it (mkdir -p web/nowhere) or fix cwd',
      'teams/web.yaml:5:21: working directory "api" does not exist: create it (mkdir -p api) or fix cwd',
      'teams/web.yaml:6:21: working directory "/nonexistent/muster-test" does not exist: create it (mkdir -p /nonexistent/muster-test) or fix cwd',
      'teams/web.yaml:8:21: working directory "web/out/two" does not exist: create it (mkdir -p web/out/two) or fix cwd',
    ]);
  });
});

describe('for_each', () => {
  const text = yaml(
    'name: docs',
    'agents:',
    '  pm: { run: claude }',
    '  translate:',
    '    for_each: [intro, faq, 2]',
    '    run: claude -p "Translate docs/{item}.md"',
    '    prompt: "Translate {item}"',
    '    cwd: out/{item}',
    '    env: { PAGE: "{item}" }',
    '    after: [pm]',
    '    retries: 2',
    '  review:',
    '    run: claude',
    '    after: [translate]',
    '  check:',
    '    for_each: [intro, faq]',
    '    run: check {item}',
    '    after: ["translate-{item}"]',
  );
  const outFolders = ['out/intro', 'out/faq', 'out/2'];

  test('expands into one agent per item with {item} replaced', async () => {
    const agents = await agentsOf(text, outFolders);
    expect([...agents.keys()]).toEqual(['pm', 'translate-intro', 'translate-faq', 'translate-2', 'review', 'check-intro', 'check-faq']);
    const faq = agents.get('translate-faq');
    expect(faq).toMatchObject({
      id: 'docs/translate-faq',
      run: 'claude -p "Translate docs/faq.md"',
      prompt: 'Translate faq',
      cwd: `${ROOT}/out/faq`,
      env: { PAGE: 'faq' },
      after: ['docs/pm'],
      retries: 2,
      item: 'faq',
    });
    expect(agents.get('translate-2')?.item).toBe('2');
  });

  test('after on a for_each base name waits for every expansion (fan-in); {item} pairs them up', async () => {
    const agents = await agentsOf(text, outFolders);
    expect(agents.get('review')?.after).toEqual(['docs/translate-intro', 'docs/translate-faq', 'docs/translate-2']);
    expect(agents.get('check-faq')?.after).toEqual(['docs/translate-faq']);
  });

  test('after naming one expansion waits for that one only', async () => {
    const agents = await agentsOf(
      yaml('name: web', 'agents:', '  t: { for_each: [a, b], run: x }', '  u: { run: x, after: [t-b, t-b, pm] }', '  pm: { run: x }'),
    );
    expect(agents.get('u')?.after).toEqual(['web/t-b', 'web/pm']);
  });
});
