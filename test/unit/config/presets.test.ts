/** Presets as data: the shipped files, a project's own, `extends`, inline maps, detection, and bad files. */
import { describe, expect, test } from 'vitest';
import { programOf } from '../../../src/config/preset-file.js';
import { builtinPresets } from '../../helpers/presets.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { problemsOf, projectOf, yaml } from './memory-io.js';

async function presetOf(files: Record<string, string>, agent = 'pm'): Promise<PresetSpec> {
  const p = await projectOf(files);
  const a = p.teams[0]?.agents.find((x) => x.name === agent);
  if (!a) throw new Error(`no agent ${agent}`);
  return a.preset;
}

const team = (...agentLines: string[]) => yaml('name: web', 'agents:', ...agentLines);

describe('the shipped presets', () => {
  test('each loads without a problem, and every CLI muster knows has one', async () => {
    const all = await builtinPresets();
    expect(Object.keys(all)).toEqual(['aider', 'claude', 'codex', 'default', 'gemini', 'opencode', 'qwen', 'shell']);
    for (const p of Object.values(all)) expect(p.submit.pauseMs).toBeGreaterThanOrEqual(150);
    expect(all.codex?.submit.enterWhileBusy).toBe('steer');
  });
});

describe('choosing a preset', () => {
  test.each([
    ['claude', 'claude'],
    ['claude --model opus', 'claude'],
    ['IS_SANDBOX=1 exec claude -p "hi"', 'claude'],
    ['/usr/local/bin/codex', 'codex'],
    ['gemini --yolo', 'gemini'],
    ['qwen', 'qwen'],
    ['opencode', 'opencode'],
    ['aider --model x', 'aider'],
    ['bash -l', 'default'],
    ['npm run dev', 'default'],
  ])('run: %s → %s', async (run, name) => {
    expect((await presetOf({ 'teams/web.yaml': team(`  pm: { run: ${JSON.stringify(run)} }`) })).name).toBe(name);
  });

  test('preset: names one whatever the program', async () => {
    expect((await presetOf({ 'teams/web.yaml': team('  pm: { run: my-wrapper.sh, preset: codex }') })).name).toBe('codex');
  });

  test('team defaults give it to every agent', async () => {
    const files = { 'teams/web.yaml': yaml('name: web', 'defaults: { preset: gemini }', 'agents:', '  pm: { run: x }') };
    expect((await presetOf(files)).name).toBe('gemini');
  });

  test('programOf reads the first word after assignments and wrappers', () => {
    expect(programOf('  FOO=1 BAR=2 env nice claude')).toBe('claude');
    expect(programOf("'./bin/codex' --x")).toBe('codex');
    expect(programOf('')).toBeNull();
  });
});

describe('extending', () => {
  test('an inline map extends the named preset; its rules come first, its keys replace', async () => {
    const p = await presetOf({
      'teams/web.yaml': team(
        '  pm:',
        '    run: claude',
        '    preset:',
        '      extends: claude',
        '      quiet: 9s',
        '      rules:',
        "        - { waiting: question, match: 'Pick a colour' }",
      ),
    });
    expect(p.name).toBe('claude+');
    expect(p.quietMs).toBe(9000);
    expect(p.rules[0]).toMatchObject({ activity: 'waiting', reason: 'question', at: { file: 'teams/web.yaml', line: 9 } });
    expect(p.rules.length).toBeGreaterThan(3);
    expect(p.submit.enterWhileBusy).toBe('queue');
  });

  test('an inline map without extends extends the preset its program picks', async () => {
    const p = await presetOf({ 'teams/web.yaml': team('  pm:', '    run: codex', '    preset: { quiet: 1s }') });
    expect(p).toMatchObject({ name: 'codex+', quietMs: 1000 });
    expect(p.submit.enterWhileBusy).toBe('steer');
  });

  test("a project's own presets/ is searched first; one named like a built-in extends the built-in", async () => {
    const p = await presetOf({
      'presets/claude.yaml': yaml('extends: claude', 'rules:', "  - { busy: compacting, match: 'Compacting conversation' }"),
      'teams/web.yaml': team('  pm: { run: claude }'),
    });
    expect(p.files).toEqual(['presets/claude.yaml', expect.stringMatching(/presets\/claude\.yaml$/)]);
    expect(p.rules[0]).toMatchObject({ reason: 'compacting', at: { file: 'presets/claude.yaml', line: 3 } });
    expect(p.rules.some((r) => r.reason === 'permission')).toBe(true);
  });

  test("a project's new preset, picked by its commands", async () => {
    const p = await presetOf({
      'presets/mycli.yaml': yaml('extends: shell', 'commands: [mycli]', 'quiet: 2s'),
      'teams/web.yaml': team('  pm: { run: mycli --fast }'),
    });
    expect(p).toMatchObject({ name: 'mycli', quietMs: 2000, commands: ['mycli'] });
  });
});

describe('bad presets', () => {
  test.each<[Record<string, string>, string[]]>([
    [
      { 'teams/web.yaml': team('  pm: { run: x, preset: cursor }') },
      ['teams/web.yaml:3:25: unknown preset "cursor": use aider, claude, codex, default, gemini, opencode, qwen or shell, or add presets/cursor.yaml'],
    ],
    [
      { 'presets/a.yaml': yaml("rules:", "  - { idle: prompt, match: '(unclosed' }"), 'teams/web.yaml': team('  pm: { run: x, preset: a }') },
      ['presets/a.yaml:2:28: bad pattern "(unclosed": /(unclosed/m: Unterminated group'],
    ],
    [
      { 'presets/a.yaml': yaml('rules:', "  - { match: 'x' }"), 'teams/web.yaml': team('  pm: { run: x, preset: a }') },
      ['presets/a.yaml:2:5: a rule needs one of waiting, busy or idle (e.g. waiting: permission)'],
    ],
    [
      { 'presets/a.yaml': yaml('rules:', "  - { waiting: asleep, match: 'x' }"), 'teams/web.yaml': team('  pm: { run: x, preset: a }') },
      ['presets/a.yaml:2:16: bad waiting "asleep": use permission, question, picker or dialog'],
    ],
    [
      { 'presets/a.yaml': yaml('extends: b'), 'presets/b.yaml': yaml('extends: a'), 'teams/web.yaml': team('  pm: { run: x, preset: a }') },
      ['presets/a.yaml:1:10: presets extend each other in a loop: a → b → a'],
    ],
    [
      { 'presets/a.yaml': yaml('quiet: 10', 'submit: { paste: typed }'), 'teams/web.yaml': team('  pm: { run: x, preset: a }') },
      ['presets/a.yaml:1:8: bad duration 10: add a unit: ms, s, m or h (e.g. 10s)', 'presets/a.yaml:2:18: bad paste "typed": use bracketed or plain'],
    ],
    [
      { 'teams/web.yaml': team('  pm:', '    run: x', '    preset: { extends: nope }') },
      ['teams/web.yaml:5:24: unknown preset "nope": use aider, claude, codex, default, gemini, opencode, qwen or shell, or add presets/nope.yaml'],
    ],
  ])('%#', async (files, want) => {
    expect(await problemsOf(files)).toEqual(want);
  });

  test('a broken preset no agent uses is not an error', async () => {
    expect(await problemsOf({ 'presets/a.yaml': 'rules: [', 'teams/web.yaml': team('  pm: { run: x }') })).toEqual([]);
  });
});
