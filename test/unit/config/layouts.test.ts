/** Layout files: where they are found, how windows are resolved, and their problems. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUILTIN_LAYOUTS_DIR } from '../../../src/config/layout-file.js';
import { problemsOf, projectOf, yaml } from './memory-io.js';

/** A team `web` with these agents (each `run: x`) and layout. */
function web(agents: string[], layout?: string, extra: string[] = []) {
  return yaml('name: web', ...(layout ? [`layout: ${layout}`] : []), 'agents:', ...agents.map((a) => `  ${a}: { run: x }`), ...extra);
}

async function windowsOf(files: Record<string, string>) {
  const p = await projectOf(files);
  return p.teams[0]?.windows.map((w) => `${w.name}${w.layout ? `(${w.layout})` : ''}: ${w.panes.join(' ')}`);
}

describe('built-in layouts', () => {
  test('the package folder holds them, next to src/ and dist/', () => {
    expect(BUILTIN_LAYOUTS_DIR.endsWith(`${join('/', 'layouts')}/`)).toBe(true);
    for (const name of ['one-per-agent', 'pm-dev-server', 'tiled']) {
      expect(readFileSync(join(BUILTIN_LAYOUTS_DIR, `${name}.yaml`), 'utf8')).toContain('windows:');
    }
  });

  test('no layout: one window per agent, layout name "default"', async () => {
    const p = await projectOf({ 'teams/web.yaml': web(['pm', 'dev']) });
    expect(p.teams[0]?.layoutName).toBe('default');
    expect(p.teams[0]?.windows).toEqual([
      { name: 'pm', layout: null, panes: ['pm'] },
      { name: 'dev', layout: null, panes: ['dev'] },
    ]);
  });

  test('one-per-agent is the same as no layout', async () => {
    const p = await projectOf({ 'teams/web.yaml': web(['pm', 'dev'], 'one-per-agent') });
    expect(p.teams[0]?.layoutName).toBe('one-per-agent');
    expect(p.teams[0]?.windows.map((w) => w.panes)).toEqual([['pm'], ['dev']]);
  });

  test('pm-dev-server places pm, dev and server; other agents get their own windows after', async () => {
    expect(await windowsOf({ 'teams/web.yaml': web(['qa', 'server', 'dev', 'pm']) })).toEqual([
      'qa: qa',
      'server: server',
      'dev: dev',
      'pm: pm',
    ]);
    expect(await windowsOf({ 'teams/web.yaml': web(['qa', 'server', 'dev', 'pm'], 'pm-dev-server') })).toEqual([
      'PM: pm',
      'Dev: dev',
      'Server: server',
      'qa: qa',
    ]);
  });

  test('pm-dev-server skips the agents a team lacks (built-in layouts are generic)', async () => {
    expect(await windowsOf({ 'teams/web.yaml': web(['dev', 'docs'], 'pm-dev-server') })).toEqual(['Dev: dev', 'docs: docs']);
  });

  test('tiled puts every agent in one tiled window', async () => {
    expect(await windowsOf({ 'teams/web.yaml': web(['a', 'b', 'c'], 'tiled') })).toEqual(['agents(tiled): a b c']);
  });
});

describe('project layouts', () => {
  test('are searched before the built-in ones', async () => {
    const files = {
      'teams/web.yaml': web(['pm', 'dev', 'server', 'qa'], 'pm-dev-server'),
      'layouts/pm-dev-server.yaml': yaml('windows:', '  - name: Work', '    layout: main-vertical', '    panes: [dev, server]'),
    };
    expect(await windowsOf(files)).toEqual(['Work(main-vertical): dev server', 'pm: pm', 'qa: qa']);
  });

  test('"*" places every agent no other window places, where it stands', async () => {
    const files = {
      'teams/web.yaml': web(['pm', 'a', 'b', 'dev'], 'mine'),
      'layouts/mine.yaml': yaml('windows:', '  - { name: Lead, panes: [pm] }', '  - { name: Rest, layout: tiled, panes: [dev, "*"] }'),
    };
    expect(await windowsOf(files)).toEqual(['Lead: pm', 'Rest(tiled): dev a b']);
  });

  test('a for_each base name places all its expansions', async () => {
    const files = {
      'teams/web.yaml': web(['pm'], 'mine', ['  tr:', '    for_each: [en, fr]', '    run: x {item}']),
      'layouts/mine.yaml': yaml('windows:', '  - { name: Translators, layout: even-vertical, panes: [tr] }'),
    };
    expect(await windowsOf(files)).toEqual(['Translators(even-vertical): tr-en tr-fr', 'pm: pm']);
  });

  test('an agent the team lacks is a problem at the pane', async () => {
    const p = await problemsOf({
      'teams/web.yaml': web(['pm'], 'mine'),
      'layouts/mine.yaml': yaml('windows:', '  - name: Main', '    panes: [pm, designer]'),
    });
    expect(p).toEqual(['layouts/mine.yaml:3:17: agent "designer" is not in team "web", which uses this layout']);
  });

  test('an agent placed twice, a repeated window name, "*" twice', async () => {
    const p = await problemsOf({
      'teams/web.yaml': web(['pm', 'dev'], 'mine'),
      'layouts/mine.yaml': yaml(
        'windows:',
        '  - { name: A, panes: [pm, "*"] }',
        '  - { name: B, panes: [dev, pm] }',
        '  - { name: A, panes: ["*"] }',
      ),
    });
    expect(p).toEqual([
      'layouts/mine.yaml:3:29: agent "pm" is placed twice (also in window "A")',
      'layouts/mine.yaml:4:13: window name "A" is used twice',
      'layouts/mine.yaml:4:24: "*" may appear once in a layout (already in window "A")',
    ]);
  });

  test('bad layout files', async () => {
    const p = await problemsOf({
      'teams/web.yaml': web(['pm'], 'mine'),
      'layouts/mine.yaml': yaml('windows:', '  - name: "a:b"', '    panes: []', '    size: 3', '  - panes: [Pm]'),
    });
    expect(p).toEqual([
      'layouts/mine.yaml:2:11: bad name "a:b": use a name without ":" or "."',
      'layouts/mine.yaml:3:12: bad panes (a list): use at least 1 item',
      'layouts/mine.yaml:4:5: unknown key "size": use name, layout or panes',
      'layouts/mine.yaml:5:5: missing "name"',
      'layouts/mine.yaml:5:13: bad panes item "Pm": use an agent name or "*"',
    ]);
  });

  test('unknown and badly named layouts are reported at the team file', async () => {
    const p = await problemsOf({
      'teams/web.yaml': web(['pm'], 'nope'),
      'teams/api.yaml': yaml('name: api', 'layout: ../secret', 'agents:', '  pm: { run: x }'),
      'layouts/mine.yaml': 'windows: []\n',
    });
    expect(p).toEqual([
      'teams/api.yaml:2:9: bad layout name "../secret": use a-z, 0-9, _ and -',
      'teams/web.yaml:2:9: unknown layout "nope": use mine, one-per-agent, pm-dev-server or tiled, or add layouts/nope.yaml',
    ]);
  });

  test('a layout used by two teams is reported once', async () => {
    const p = await problemsOf({
      'teams/a.yaml': yaml('name: a', 'layout: mine', 'agents:', '  pm: { run: x }'),
      'teams/b.yaml': yaml('name: b', 'layout: mine', 'agents:', '  pm: { run: x }'),
      'layouts/mine.yaml': yaml('windows:', '  - { name: A, panes: [pm], layuot: tiled }'),
    });
    expect(p).toEqual(['layouts/mine.yaml:2:29: unknown key "layuot" (did you mean "layout"?)']);
  });
});
