/**
 * Checks the shipped team files (teams/demo.yaml, teams/examples/*.yaml) against
 * the team file format (README, "A team file") with the yaml package alone: they parse, use only
 * known keys and well-formed values, refer to agents that exist, and have run lines
 * that /bin/sh accepts. The demo's scripts must exist beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = readdirSync(join(root, 'teams/examples'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => `teams/examples/${file}`);
const files = ['teams/demo.yaml', ...examples];

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;
const MEMORY = /^\d+(\.\d+)?(KiB|MiB|GiB|K|M|G)?$/;
const CPU = /^\d+(\.\d+)?%$/;
const TEAM_KEYS = ['name', 'layout', 'cwd', 'env', 'max_parallel', 'defaults', 'agents'];
const AGENT_KEYS = [
  'run', 'cwd', 'env', 'prompt', 'after', 'priority', 'limits', 'checkin', 'commit', 'restart',
  'optional', 'uses', 'for_each', 'timeout', 'expect', 'retries', 'preset', 'worktree', 'base', 'include', 'setup',
];

type YamlMap = Record<string, unknown>;

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function load(file: string): { text: string; team: YamlMap } {
  const text = readFileSync(join(root, file), 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true });
  expect(doc.errors.map((error) => error.message)).toEqual([]);
  const team: unknown = doc.toJS();
  if (!isMap(team)) throw new Error(`${file}: not a map`);
  return { text, team };
}

/** Every problem with one agent's (or the defaults') keys and values. */
function agentProblems(where: string, agent: YamlMap): string[] {
  const problems: string[] = [];
  const bad = (key: string, why: string): void => void problems.push(`${where}.${key}: ${why}`);
  const keysIn = (key: string, value: unknown, allowed: string[]): void => {
    if (!isMap(value)) return bad(key, 'not a map');
    for (const sub of Object.keys(value)) if (!allowed.includes(sub)) bad(`${key}.${sub}`, 'unknown key');
  };
  const matches = (key: string, value: unknown, pattern: RegExp): void => {
    if (value !== undefined && !(typeof value === 'string' && pattern.test(value))) bad(key, `bad value ${String(value)}`);
  };
  const oneOf = (key: string, value: unknown, allowed: unknown[]): void => {
    if (value !== undefined && !allowed.includes(value)) bad(key, `bad value ${String(value)}`);
  };
  for (const key of Object.keys(agent)) if (!AGENT_KEYS.includes(key)) bad(key, 'unknown key');
  if (agent.run !== undefined && (typeof agent.run !== 'string' || agent.run.trim() === '')) bad('run', 'empty');
  if (agent.env !== undefined) {
    if (!isMap(agent.env)) bad('env', 'not a map');
    else for (const [k, v] of Object.entries(agent.env)) if (typeof v !== 'string') bad(`env.${k}`, 'not a string');
  }
  oneOf('priority', agent.priority, ['high', 'normal', 'low']);
  oneOf('preset', agent.preset, ['claude', 'codex', 'aider', 'gemini', 'shell']);
  oneOf('optional', agent.optional, [true, false]);
  matches('timeout', agent.timeout, DURATION);
  matches('expect', agent.expect, DURATION);
  if (agent.retries !== undefined && !Number.isInteger(agent.retries)) bad('retries', 'not an integer');
  if (agent.limits !== undefined) {
    keysIn('limits', agent.limits, ['cpu', 'memory', 'on_memory', 'on_cpu']);
    const limits = agent.limits as YamlMap;
    matches('limits.cpu', limits.cpu, CPU);
    matches('limits.memory', limits.memory, MEMORY);
    oneOf('limits.on_memory', limits.on_memory, ['restart', 'stop', 'none']);
    oneOf('limits.on_cpu', limits.on_cpu, ['throttle', 'none']);
  }
  if (agent.checkin !== undefined && agent.checkin !== 'off') {
    keysIn('checkin', agent.checkin, ['every', 'grace', 'on_miss', 'nudge']);
    const checkin = agent.checkin as YamlMap;
    matches('checkin.every', checkin.every, DURATION);
    matches('checkin.grace', checkin.grace, DURATION);
    oneOf('checkin.on_miss', checkin.on_miss, ['nudge', 'restart', 'stop', 'none']);
  }
  if (agent.commit !== undefined && agent.commit !== 'off') {
    keysIn('commit', agent.commit, ['every', 'nudge']);
    matches('commit.every', (agent.commit as YamlMap).every, DURATION);
  }
  if (agent.restart !== undefined) {
    keysIn('restart', agent.restart, ['policy', 'max', 'within', 'backoff', 'max_backoff']);
    const restart = agent.restart as YamlMap;
    oneOf('restart.policy', restart.policy, ['always', 'on-failure', 'never']);
    matches('restart.within', restart.within, DURATION);
    matches('restart.backoff', restart.backoff, DURATION);
    matches('restart.max_backoff', restart.max_backoff, DURATION);
  }
  for (const key of ['after', 'uses', 'for_each'] as const) {
    const list = agent[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((item) => typeof item === 'string'))) {
      bad(key, 'not a list of strings');
    }
  }
  return problems;
}

describe.each(files)('%s', (file) => {
  const { text, team } = load(file);
  const agents = isMap(team.agents) ? team.agents : {};

  it('starts with a comment block that says how to run it', () => {
    expect(text.startsWith('#')).toBe(true);
    const header = text.slice(0, text.search(/^\w/m));
    expect(header).toContain(`muster up ${file}`);
  });

  it('uses only team-file keys, with well-formed values', () => {
    expect(Object.keys(team).filter((key) => !TEAM_KEYS.includes(key))).toEqual([]);
    expect(team.name).toMatch(NAME);
    if (team.max_parallel !== undefined) expect(Number.isInteger(team.max_parallel)).toBe(true);
    const problems = isMap(team.defaults) ? agentProblems('defaults', team.defaults) : [];
    expect(Object.keys(agents).length).toBeGreaterThan(0);
    for (const [name, agent] of Object.entries(agents)) {
      expect(name).toMatch(NAME);
      if (!isMap(agent)) throw new Error(`${file}: agent ${name} is not a map`);
      expect(typeof agent.run, `${name}.run`).toBe('string');
      problems.push(...agentProblems(name, agent));
    }
    expect(problems).toEqual([]);
  });

  it('refers only to agents that exist, and fans out to valid names', () => {
    const names = Object.keys(agents);
    for (const [name, agent] of Object.entries(agents) as [string, YamlMap][]) {
      for (const dependency of (agent.after as string[] | undefined) ?? []) {
        expect(names, `${name}.after`).toContain(dependency);
        expect(dependency).not.toBe(name);
      }
      const items = agent.for_each as string[] | undefined;
      if (items) {
        expect(agent.run).toContain('{item}');
        for (const item of items) expect(`${name}-${item}`).toMatch(NAME);
      }
    }
  });

  it('has run lines that /bin/sh can parse', () => {
    for (const agent of Object.values(agents) as YamlMap[]) {
      const items = (agent.for_each as string[] | undefined) ?? [''];
      const line = String(agent.run).replaceAll('{item}', items[0]!);
      expect(() => execFileSync('/bin/sh', ['-n', '-c', line], { stdio: 'pipe' }), line).not.toThrow();
    }
  });
});

describe('the demo team', () => {
  const { team } = load('teams/demo.yaml');
  const agents = team.agents as Record<string, YamlMap>;

  it('is named demo and has the six demo agents, each a script beside it', () => {
    expect(team.name).toBe('demo');
    expect(Object.keys(agents).sort()).toEqual(['builder', 'burner', 'leaky', 'planner', 'web', 'worker']);
    for (const [name, agent] of Object.entries(agents)) {
      expect(agent.run).toBe(`node teams/demo/${name}.mjs`);
      expect(existsSync(join(root, 'teams/demo', `${name}.mjs`))).toBe(true);
    }
  });

  it('sets what each agent is there to show', () => {
    expect(agents.worker!.checkin).toMatchObject({ every: '1m', grace: '30s' });
    expect(agents.builder!.after).toEqual(['planner']);
    expect(agents.web).toMatchObject({ checkin: 'off', uses: ['port:4173'], optional: true, priority: 'high' });
    expect(agents.leaky).toMatchObject({ checkin: 'off', limits: { memory: '96MiB', on_memory: 'restart' } });
    expect(agents.leaky!.restart).toMatchObject({ backoff: '2s', max: 5, within: '10m' });
    expect(agents.burner).toMatchObject({ checkin: 'off', priority: 'low', limits: { cpu: '30%' } });
  });
});
