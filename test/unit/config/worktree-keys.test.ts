/**
 * The worktree keys of a team file (docs/worktrees.md): resolved from defaults and per
 * agent, shares followed to their owner, and every mistake at its FILE:LINE:COL.
 */
import { describe, expect, test } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { problemsOf, projectOf, yaml } from './memory-io.js';

async function agentsOf(files: Record<string, string>): Promise<Map<string, AgentSpec>> {
  const p = await projectOf(files);
  return new Map(p.teams.flatMap((t) => t.agents).map((a) => [a.id, a]));
}

describe('worktree keys resolved', () => {
  test('off by default; own with base, include, setup; share follows to the owner', async () => {
    const a = await agentsOf({
      'teams/web.yaml': yaml(
        'name: web',
        'defaults:',
        '  worktree: own',
        '  include: [.env]',
        '  setup: npm ci',
        'agents:',
        '  dev: { run: claude, base: develop }',
        '  dev2: { run: claude, include: [.env, .env.local] }',
        '  review: { run: claude, worktree: { share: dev } }',
        '  test: { run: claude, worktree: { share: review } }',
        '  pm: { run: claude, worktree: off }',
      ),
    });
    expect(a.get('web/dev')?.worktree).toEqual({ mode: 'own', owner: 'web/dev', base: 'develop', include: ['.env'], setup: 'npm ci' });
    expect(a.get('web/dev2')?.worktree).toEqual({ mode: 'own', owner: 'web/dev2', base: null, include: ['.env', '.env.local'], setup: 'npm ci' });
    expect(a.get('web/review')?.worktree).toEqual({ mode: 'share', owner: 'web/dev', base: 'develop', include: ['.env'], setup: 'npm ci' });
    expect(a.get('web/test')?.worktree).toEqual({ mode: 'share', owner: 'web/dev', base: 'develop', include: ['.env'], setup: 'npm ci' });
    expect(a.get('web/pm')?.worktree).toBeNull();
  });

  test('a share across teams, and false as off', async () => {
    const a = await agentsOf({
      'teams/web.yaml': yaml('name: web', 'agents:', '  dev: { run: x, worktree: own }', '  off: { run: x, worktree: false }'),
      'teams/qa.yaml': yaml('name: qa', 'agents:', '  tester: { run: x, worktree: { share: web/dev } }'),
    });
    expect(a.get('qa/tester')?.worktree).toMatchObject({ mode: 'share', owner: 'web/dev' });
    expect(a.get('web/off')?.worktree).toBeNull();
  });

  test('for_each agents each get their own worktree', async () => {
    const a = await agentsOf({ 'teams/web.yaml': yaml('name: web', 'agents:', '  tr: { run: x, for_each: [en, fr], worktree: own, setup: "make {item}" }') });
    expect(a.get('web/tr-en')?.worktree).toMatchObject({ owner: 'web/tr-en', setup: 'make en' });
    expect(a.get('web/tr-fr')?.worktree).toMatchObject({ owner: 'web/tr-fr', setup: 'make fr' });
  });
});

describe('worktree mistakes, each at its place', () => {
  const team = (...lines: string[]) => problemsOf({ 'teams/web.yaml': yaml('name: web', 'agents:', ...lines) });

  test('two agents told to share each other: a cycle', async () => {
    expect(await team('  a: { run: x, worktree: { share: b } }', '  b: { run: x, worktree: { share: a } }')).toEqual([
      'teams/web.yaml:3:35: worktree share cycle: web/a -> web/b -> web/a; one of them needs worktree: own',
    ]);
  });

  test('sharing oneself, an unknown agent, an agent without a worktree, a for_each', async () => {
    const p = await team(
      '  a: { run: x, worktree: { share: a } }',
      '  b: { run: x, worktree: { share: dve } }',
      '  dev: { run: x, worktree: own }',
      '  c: { run: x, worktree: { share: pm } }',
      '  pm: { run: x }',
      '  d: { run: x, worktree: { share: tr } }',
      '  tr: { run: x, for_each: [en, fr], worktree: own }',
      '  e: { run: x, worktree: { share: ops/dev } }',
    );
    expect(p).toEqual([
      'teams/web.yaml:3:35: an agent cannot share its own worktree: use worktree: own',
      'teams/web.yaml:4:35: unknown agent "dve" in worktree share (did you mean "dev"?)',
      'teams/web.yaml:6:35: worktree share "pm": web/pm has no worktree of its own: give it worktree: own',
      'teams/web.yaml:8:35: worktree share "tr" names 2 agents (a for_each): share one of tr-en or tr-fr',
      'teams/web.yaml:10:35: unknown team "ops" in worktree share "ops/dev"',
    ]);
  });

  test('include outside the repository is refused', async () => {
    const p = await team('  a:', '    run: x', '    worktree: own', '    include: [.env, ../secrets.env, /etc/passwd, a/../../b]');
    expect(p).toEqual([
      'teams/web.yaml:6:21: include "../secrets.env" is outside the repository: name files inside it, relative to its top',
      'teams/web.yaml:6:37: include "/etc/passwd" is outside the repository: name files inside it, relative to its top',
      'teams/web.yaml:6:50: include "a/../../b" is outside the repository: name files inside it, relative to its top',
    ]);
  });

  test('include outside the repository in defaults is reported there', async () => {
    const p = await problemsOf({ 'teams/web.yaml': yaml('name: web', 'defaults:', '  worktree: own', '  include: [../x]', 'agents:', '  a: { run: x }') });
    expect(p).toEqual(['teams/web.yaml:4:13: include "../x" is outside the repository: name files inside it, relative to its top']);
  });

  test('base, include and setup on an agent without a worktree of its own', async () => {
    const p = await team('  a:', '    run: x', '    base: main', '  dev: { run: x, worktree: own }', '  b:', '    run: x', '    worktree: { share: dev }', '    setup: npm ci');
    expect(p).toEqual([
      'teams/web.yaml:5:5: base applies to worktree: own only (it has no worktree)',
      'teams/web.yaml:10:5: setup applies to worktree: own only (the worktree it shares is set up by its owner)',
    ]);
  });

  test('a bad worktree value', async () => {
    expect(await team('  a: { run: x, worktree: mine }')).toEqual(['teams/web.yaml:3:26: bad worktree "mine": use off, own or { share: AGENT }']);
    expect(await team('  a: { run: x, worktree: { shared: b } }')).toEqual([
      'teams/web.yaml:3:16: missing "share"',
      'teams/web.yaml:3:28: unknown key "shared" (did you mean "share"?)',
    ]);
  });
});
