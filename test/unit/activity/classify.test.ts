/**
 * The shipped presets over screens put together from the CLIs' sources and issue trackers
 * (older and newer versions than the pinned ones, whose captured screens have a table test
 * of their own): the presets should keep reading these too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { classify, type Activity } from '../../../src/activity/classify.js';
import { readInput } from '../../../src/activity/screen.js';
import { prepareText } from '../../../src/activity/typing-text.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { builtinPresets } from '../../helpers/presets.js';

let P: Record<string, PresetSpec> = {};
beforeAll(async () => {
  P = await builtinPresets();
});

const rule = '─'.repeat(60);
const S = {
  claudeIdle: [
    '⏺ I updated the tests; all 42 pass.',
    '',
    '✻ Cooked for 1m 12s',
    '',
    rule,
    '❯ ',
    rule,
    '  ⏸ manual mode on · ? for shortcuts · ← for agents',
    '',
    '',
  ].join('\n'),
  claudeIdleOld: ['> fix the bug', '', '⏺ Fixed.', '', '╭' + rule + '╮', '│ >                                                          │', '╰' + rule + '╯', '  ? for shortcuts'].join('\n'),
  claudeBusy: [
    '⏺ Update(src/app.ts)',
    '  ⎿  Updated src/app.ts with 3 additions',
    '',
    '✳ Simplifying recompute_tangents… (2m 18s · ↓ 4.8k tokens · esc to interrupt)',
    '',
    rule,
    '❯ ',
    rule,
    '  ? for shortcuts',
  ].join('\n'),
  claudeBusyNoHint: ['⏺ Reading files', '', '* Schlepping… (2s · thinking)', '', rule, '❯ ', rule, '  ? for shortcuts'].join('\n'),
  claudeProceed: [
    '⏺ Bash(npm test)',
    '',
    ' Bash command',
    '',
    '   npm test',
    '   Run the test suite',
    '',
    ' Do you want to proceed?',
    ' ❯ 1. Yes',
    "   2. Yes, and don't ask again for npm test commands in /work/app",
    '   3. No, and tell Claude what to do differently (esc)',
  ].join('\n'),
  claudeEditBoxed: [
    '╭' + rule + '╮',
    '│ Edit file                                                  │',
    '│ Do you want to make this edit to test.txt?                 │',
    '│ ❯ 1. Yes                                                   │',
    '│   2. Yes, allow all edits during this session (shift+tab)  │',
    '│   3. No, and tell Claude what to do differently (esc)      │',
    '╰' + rule + '╯',
  ].join('\n'),
  claudeTrust: [' Do you trust the files in this folder?', '', ' /work/app', '', ' ❯ 1. Yes, proceed', '   2. No, exit', '', ' Enter to confirm · Esc to exit'].join('\n'),
  codexIdle: ['› Ask Codex to do anything', '', '', '  ? for shortcuts · Code mode (shift+tab to cycle)                   100% context left'].join('\n'),
  codexBusy: ['• Working (0s • esc to interru', '', '', '› Ask Codex to do anything', '', '           100% context left'].join('\n'),
  codexApproval: [
    '  Would you like to run the following command?',
    '',
    '  Reason: Check if DB accepts connections',
    '',
    "  $ psql -c 'select 1'",
    '',
    '› 1. Yes, proceed (y)',
    "  2. Yes, and don't ask again for commands that start with `psql` (p)",
    '  3. No, and tell Codex what to do differently (esc)',
    '',
    '  Press enter to confirm or esc to cancel',
  ].join('\n'),
  codexNetwork: [
    '  Do you want to approve network access to "example.com"?',
    '',
    '  Reason: network request blocked',
    '',
    '› 1. Yes, just this once (y)',
    '  2. Yes, and allow this host for this conversation (a)',
    '  4. No, and tell Codex what to do differently (esc)',
  ].join('\n'),
  geminiIdle: ['╭' + rule + '╮', '│ >   Type your message or @path/to/file                     │', '╰' + rule + '╯', '~/app (main*)        no sandbox        gemini-2.5-pro (99% context left)'].join('\n'),
  geminiBusy: ['⠹ Polishing the code (esc to cancel, 12s)', '', '╭' + rule + '╮', '│ >   Type your message or @path/to/file                     │', '╰' + rule + '╯'].join('\n'),
  geminiExec: [
    '╭' + rule + '╮',
    '│ ?  Shell npm test                                          │',
    '│   npm test                                                 │',
    "│ Allow execution of: 'npm'?                                 │",
    '│ ● 1. Yes, allow once                                       │',
    '│   2. Yes, allow always ...                                 │',
    '│   3. No, suggest changes (esc)                             │',
    '╰' + rule + '╯',
  ].join('\n'),
  geminiEdit: ['│ Apply this change?                                         │', '│ ● 1. Yes, allow once                                       │', '│   2. Modify with external editor                           │'].join('\n'),
  aiderAsk: ['Let me add the tests.', '', 'src/app.py', "Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: "].join('\n'),
  aiderAskGroup: ['src/a.py', "Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]:"].join('\n'),
  aiderAnsweredIdle: ['src/app.py', "Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y", 'Tokens: 4.8k sent, 559 received.', rule, 'architect> '].join('\n'),
  aiderStreaming: ['Here is the change:', '', 'src/app.py', '```python', 'def add(a, b):'].join('\n'),
  shellIdle: ['$ npm test', '42 passing', 'dev@box:~/app$ '].join('\n'),
  shellRunning: ['dev@box:~/app$ npm test', '> app@1.0.0 test', '> vitest run'].join('\n'),
  // Claude Code 2.1.332 started in a new git worktree (measured): the folder-trust dialog, "No, exit" preselected
  claudeTrustWorktree: [
    '─'.repeat(120),
    ' Accessing workspace:',
    ' /home/me/app/.muster/worktrees/web/dev',
    ' Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source',
    " project, or work from your team). If not, take a moment to review what's in this folder first.",
    " Claude Code'll be able to read, edit, and execute files here.",
    ' Security guide',
    ' ❯ No, exit',
    '   Yes, I trust this folder',
    ' Enter to confirm · Esc to cancel',
  ].join('\n'),
  shellConfirm: ['dev@box:~/app$ rm -ri build', 'Remove all files? [y/N] '].join('\n'),
  shellSudo: ['dev@box:~/app$ sudo apt-get update', '[sudo] password for dev: '].join('\n'),
  shellSsh: ["The authenticity of host 'x' can't be established.", 'Are you sure you want to continue connecting (yes/no/[fingerprint])? '].join('\n'),
};

type Row = [string, keyof typeof S | null, number, Activity];
const act = (preset: string, screen: string | null, quietMs: number) => classify({ preset: P[preset] as PresetSpec, screen, quietMs }).activity;

describe('classify', () => {
  const rows: Row[] = [
    // Claude Code
    ['claude', 'claudeIdle', 5000, 'idle'],
    ['claude', 'claudeIdle', 1000, 'busy'], // output changed a moment ago
    ['claude', 'claudeIdleOld', 5000, 'idle'],
    ['claude', 'claudeBusy', 60_000, 'busy'], // a spinner at the bottom beats quiet time
    ['claude', 'claudeBusyNoHint', 60_000, 'busy'],
    ['claude', 'claudeProceed', 0, 'waiting'],
    ['claude', 'claudeProceed', 60_000, 'waiting'],
    ['claude', 'claudeEditBoxed', 10_000, 'waiting'],
    ['claude', 'claudeTrust', 10_000, 'waiting'],
    ['claude', 'claudeTrustWorktree', 60_000, 'waiting'],
    ['claude', 'shellRunning', 5000, 'busy'], // quiet, but no Claude prompt on screen: not yet
    ['claude', 'shellRunning', 12_000, 'idle'], // …until 4× the quiet time
    // Codex
    ['codex', 'codexIdle', 5000, 'idle'],
    ['codex', 'codexBusy', 60_000, 'busy'],
    ['codex', 'codexApproval', 0, 'waiting'],
    ['codex', 'codexNetwork', 10_000, 'waiting'],
    // gemini
    ['gemini', 'geminiIdle', 5000, 'idle'],
    ['gemini', 'geminiBusy', 60_000, 'busy'],
    ['gemini', 'geminiExec', 10_000, 'waiting'],
    ['gemini', 'geminiEdit', 10_000, 'waiting'],
    // aider
    ['aider', 'aiderAsk', 10_000, 'waiting'],
    ['aider', 'aiderAskGroup', 10_000, 'waiting'],
    ['aider', 'aiderAnsweredIdle', 10_000, 'idle'], // an answered question in the history is not waiting
    ['aider', 'aiderStreaming', 1000, 'busy'],
    ['aider', 'aiderStreaming', 10_000, 'busy'], // quiet but no prompt (waiting on the model)
    // shell
    ['shell', 'shellIdle', 2000, 'idle'],
    ['shell', 'shellIdle', 500, 'busy'],
    ['shell', 'shellRunning', 2000, 'busy'],
    ['shell', 'shellConfirm', 2000, 'waiting'],
    ['shell', 'shellSudo', 2000, 'waiting'],
    ['shell', 'shellSsh', 2000, 'waiting'],
    // no preset: quiet time, and a plain yes/no question
    ['default', 'aiderStreaming', 6000, 'idle'],
    ['default', 'aiderStreaming', 4000, 'busy'],
    ['default', 'shellConfirm', 0, 'waiting'],
    // no screen captured: quiet time alone
    ['claude', null, 2000, 'busy'],
    ['claude', null, 3000, 'idle'],
  ];
  it.each(rows)('%s on %s, quiet %i ms → %s', (preset, screen, quietMs, want) => {
    expect(act(preset, screen === null ? null : S[screen], quietMs)).toBe(want);
  });

  it("a preset knows its own CLI's dialogs, not the others'", () => {
    expect(act('codex', S.claudeProceed, 60_000)).not.toBe('waiting');
    expect(act('aider', S.codexApproval, 60_000)).not.toBe('waiting');
    expect(act('shell', S.aiderAnsweredIdle, 60_000)).toBe('idle');
  });

  it("a preset's quiet time decides when quiet output is idle", () => {
    expect(act('shell', S.shellIdle, 1000)).toBe('busy');
    expect(classify({ preset: { ...(P.shell as PresetSpec), quietMs: 100 }, screen: S.shellIdle, quietMs: 200 }).activity).toBe('idle');
  });

  it('only looks at the live bottom of the screen', () => {
    const old = [S.codexApproval, ...Array.from({ length: 20 }, (_, i) => `line ${i}`), S.codexIdle].join('\n');
    expect(act('codex', old, 5000)).toBe('idle');
  });

  it('says which rule decided, where it is written, and why', () => {
    const v = classify({ preset: P.claude as PresetSpec, screen: S.claudeProceed, quietMs: 0 });
    expect(v).toMatchObject({ activity: 'waiting', reason: 'permission' });
    expect(v.rule?.at.file).toBe('presets/claude.yaml');
    expect(v.rule?.at.line).toBeGreaterThan(1);
    expect(classify({ preset: P.claude as PresetSpec, screen: S.claudeIdle, quietMs: 500 }).reason).toBe('output');
  });
});

describe('ready for text: the screen shows the input line (docs/presets.md, "Start-up")', () => {
  const banner = ['>_ OpenAI Codex (v0.171.0)', '', '  model: test-model', '  Starting MCP servers (0/1): muster'].join('\n');
  const rows: Array<[string, string, number, Activity, boolean]> = [
    // preset, screen, quiet ms, activity, ready
    ['codex', S.codexIdle, 5000, 'idle', true],
    ['codex', banner, 60_000, 'idle', false], // quiet long enough for idle, no composer: not ready
    ['codex', banner, 100, 'busy', false],
    ['claude', S.claudeIdle, 5000, 'idle', true],
    ['claude', S.claudeBusy, 5000, 'busy', false],
    ['claude', S.claudeProceed, 5000, 'waiting', false],
    ['gemini', S.geminiIdle, 5000, 'idle', true],
    ['shell', 'waiting for a line', 60_000, 'idle', true], // ready.when: idle (a line reader shows no prompt)
    ['default', 'Loading…', 60_000, 'idle', true], // no idle rule: idle is ready
  ];
  it.each(rows)('%s on %j, quiet %i ms → %s, ready %s', (preset, screen, quietMs, activity, ready) => {
    const v = classify({ preset: P[preset]!, screen, quietMs });
    expect([v.activity, v.ready]).toEqual([activity, ready]);
  });

  it('ready.match, when given, decides instead of the idle rules', () => {
    const codex = P.codex!;
    const strict: PresetSpec = { ...codex, ready: { ...codex.ready, match: [/\? for shortcuts/] } };
    expect(classify({ preset: strict, screen: S.codexIdle, quietMs: 5000 }).ready).toBe(true);
    expect(classify({ preset: strict, screen: '› Ask Codex to do anything', quietMs: 5000 }).ready).toBe(false);
  });
});

describe('the input line', () => {
  it('is read from the live region; placeholders and pending pastes are told apart from text', () => {
    const claude = P.claude as PresetSpec;
    const live = (line: string) => [line];
    expect(readInput(live('❯ '), claude.input)).toEqual({ text: '', empty: true, pending: false });
    expect(readInput(live('❯ fix the bug'), claude.input)).toEqual({ text: 'fix the bug', empty: false, pending: false });
    expect(readInput(live('❯ [Pasted text #1 +81 lines]'), claude.input)?.pending).toBe(true);
    expect(readInput(live('› [Pasted Content 1206 chars]'), (P.codex as PresetSpec).input)?.pending).toBe(true);
    expect(readInput(live('› Ask Codex to do anything'), (P.codex as PresetSpec).input)?.empty).toBe(true);
    expect(readInput(live('> hello\u200b'), (P.qwen as PresetSpec).input)).toEqual({ text: 'hello', empty: false, pending: false });
    expect(readInput(live('$ ls'), (P.shell as PresetSpec).input)).toBeNull();
  });

  it('text left in an idle agent\'s input is a draft', () => {
    const screen = S.claudeIdle.replace('❯ ', '❯ half a thought');
    expect(classify({ preset: P.claude as PresetSpec, screen, quietMs: 10_000 })).toMatchObject({ activity: 'idle', reason: 'draft' });
  });
});

describe('typing text', () => {
  it('has LF line ends and no trailing newline', () => {
    expect(prepareText('a\r\nb\rc\n\n')).toBe('a\nb\nc');
  });
});
