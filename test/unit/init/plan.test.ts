/**
 * What `muster init` writes, from its choices: flags parsed, names made valid, and every
 * combination of shape, CLIs, server, worktrees and memory producing files that
 * `muster validate` accepts (checked with the real loader on real files).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateProject } from '../../../src/config/load-project.js';
import { UsageError } from '../../../src/errors.js';
import {
  agentNames,
  formatMemory,
  initFiles,
  parseAgentsFlag,
  portOf,
  suggestedMemory,
  teamNameFrom,
  type InitChoices,
} from '../../../src/init/plan.js';

const GIB = 2 ** 30;
const MIB = 2 ** 20;

describe('--agents', () => {
  it.each([
    ['claude:2,codex:1', [{ kind: 'claude', count: 2 }, { kind: 'codex', count: 1 }]],
    ['claude', [{ kind: 'claude', count: 1 }]],
    [' shell:2 , claude:1,claude:1 ', [{ kind: 'shell', count: 2 }, { kind: 'claude', count: 2 }]],
  ])('%s', (flag, want) => {
    expect(parseAgentsFlag(flag)).toEqual(want);
  });

  it.each([
    ['cursor:1', /unknown agent CLI "cursor"/],
    ['claude:0', /bad count "0"/],
    ['claude:two', /bad count "two"/],
    ['claude:99', /bad count "99"/],
    [',', /names no agent/],
  ])('%s is bad usage', (flag, message) => {
    let err: unknown;
    try {
      parseAgentsFlag(flag);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
  });
});

describe('names and sizes', () => {
  it.each([
    ['my-app', 'my-app'],
    ['My App', 'my-app'],
    ['2048-game', 'game'],
    ['___', 'crew'],
    ['web.site', 'web-site'],
    ['a'.repeat(40), 'a'.repeat(32)],
  ])('folder %s → team %s', (folder, name) => {
    expect(teamNameFrom(folder)).toBe(name);
  });

  it('memory: an eighth of the machine in 256 MiB steps, 512 MiB to 4 GiB', () => {
    expect(suggestedMemory(16 * GIB)).toBe(2 * GIB);
    expect(suggestedMemory(2 * GIB)).toBe(512 * MIB);
    expect(suggestedMemory(256 * GIB)).toBe(4 * GIB);
    expect(suggestedMemory(23.5 * GIB)).toBe(2816 * MIB);
    expect(formatMemory(2 * GIB)).toBe('2GiB');
    expect(formatMemory(2816 * MIB)).toBe('2816MiB');
  });

  it.each([
    ['npm run dev', null],
    ['npm run dev -- --port 3000', 3000],
    ['PORT=8080 node server.js', 8080],
    ['python3 -m http.server -p 9000', 9000],
    ['vite --host 0.0.0.0:5173', 5173],
  ])('the port of %s', (command, port) => {
    expect(portOf(command)).toBe(port);
  });

  it('agent names per shape', () => {
    expect(agentNames({ shape: 'crew', agents: [{ kind: 'claude', count: 2 }, { kind: 'codex', count: 1 }] }).map((a) => a.name)).toEqual(['claude-1', 'claude-2', 'codex']);
    expect(agentNames({ shape: 'pm-dev', agents: [{ kind: 'claude', count: 3 }] }).map((a) => a.name)).toEqual(['pm', 'dev-1', 'dev-2']);
    expect(agentNames({ shape: 'pm-dev', agents: [{ kind: 'claude', count: 1 }, { kind: 'codex', count: 1 }] })).toEqual([
      { name: 'pm', kind: 'claude' },
      { name: 'dev', kind: 'codex' },
    ]);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base: InitChoices = {
  name: 'web',
  shape: 'crew',
  agents: [{ kind: 'claude', count: 1 }],
  server: null,
  worktrees: false,
  memoryBytes: 2 * GIB,
  schema: { team: '../schema/team.schema.json', project: 'schema/project.schema.json' },
};

const cases: Array<[string, Partial<InitChoices>]> = [
  ['one claude', {}],
  ['claude:2,codex:1 with a server on a port', { agents: [{ kind: 'claude', count: 2 }, { kind: 'codex', count: 1 }], server: 'npm run dev -- --port 3000' }],
  ['every CLI and shells', { agents: ['claude', 'codex', 'gemini', 'qwen', 'opencode', 'aider', 'shell'].map((kind) => ({ kind: kind as 'claude', count: 2 })) }],
  ['pm-dev', { shape: 'pm-dev', agents: [{ kind: 'claude', count: 3 }], server: 'python3 -m http.server 8000' }],
  ['worktrees, no memory limit', { worktrees: true, memoryBytes: null, server: 'make serve' }],
  ['no schema line', { schema: null }],
  ['a server command with quotes', { server: `node -e "console.log('hi: there')"` }],
];

describe('the files init writes pass muster validate', () => {
  it.each(cases)('%s', async (_what, change) => {
    const choices = { ...base, ...change };
    const dir = mkdtempSync(join(tmpdir(), 'muster-initplan-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'teams'));
    const files = initFiles(choices);
    for (const f of files) writeFileSync(join(dir, f.path), f.text);
    const { project, problems } = await validateProject(dir);
    expect(problems).toEqual([]);
    const team = project!.teams[0]!;
    const expected = agentNames(choices).map((a) => a.name);
    if (choices.server) expected.push('server');
    expect(team.agents.map((a) => a.name)).toEqual(expected);
    expect(team.agents.every((a) => a.limits.memory === choices.memoryBytes)).toBe(true);
    if (choices.shape === 'pm-dev') expect(team.agents.filter((a) => a.name !== 'pm' && a.name !== 'server').every((a) => a.after.includes('web/pm'))).toBe(true);
    if (choices.server) expect(team.agents.find((a) => a.name === 'server')!.run).toBe(choices.server);
    const firstLines = files.map((f) => f.text.split('\n')[0]);
    if (choices.schema) expect(firstLines).toEqual([`# yaml-language-server: $schema=${choices.schema.project}`, `# yaml-language-server: $schema=${choices.schema.team}`]);
    const projectFile = parse(files[0]!.text) as { requires?: { commands: string[] } };
    expect(projectFile.requires?.commands ?? []).toEqual([...new Set(choices.agents.map((a) => a.kind).filter((k) => k !== 'shell'))]);
  });
});
