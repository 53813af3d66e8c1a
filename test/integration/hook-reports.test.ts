/**
 * The agents' hooks and the supervisor's reading of them (supervisor/agent-hooks.ts,
 * hook-reports.ts), with real files and the real hook command run by /bin/sh: what a hook
 * appends, how it is read, and the bad input of the README's "Sessions, resume and hooks".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyPreset } from '../../src/config/preset-file.js';
import type { CrewEvent } from '../../src/core/crew-events.js';
import { newCrew } from '../../src/core/crew-state.js';
import { assignedInRun, cliFiles, givenSession, hookCommand, hookReportFile, hookUsageDir, launchExtras, mergeSettings } from '../../src/supervisor/agent-hooks.js';
import { parseUsageLine } from '../../src/transcripts/formats.js';
import { locateTranscripts } from '../../src/transcripts/locate.js';
import { HookReports, parseReportLine } from '../../src/supervisor/hook-reports.js';
import { statePaths, type StatePaths } from '../../src/supervisor/paths.js';
import { realClock } from '../../src/sys/time.js';
import { agent } from '../helpers/specs.js';
import { waitFor } from '../helpers/wait.js';

const hooks = {
  format: 'settings' as const,
  args: ['--settings', '{file}'],
  env: {},
  home: null,
  settings: {},
  events: [
    { event: 'UserPromptSubmit', match: null, activity: 'busy' as const },
    { event: 'Notification', match: 'permission_prompt', activity: 'waiting' as const },
    { event: 'Stop', match: null, activity: 'idle' as const },
    { event: 'SessionStart', match: null, activity: null },
  ],
};
const preset = { ...emptyPreset('cli'), session: { start: ['--session-id', '{id}'], resume: ['--resume', '{id}'] }, hooks };

let dir: string;
let paths: StatePaths;
let events: CrewEvent[];
let notices: string[];
let reports: HookReports | null;

const specA = agent('crew/a', { preset });
const specB = agent('crew/b', { preset });

function start(attempt = 1): HookReports {
  const crew = newCrew([specA, specB]);
  for (const id of ['crew/a', 'crew/b']) crew.agents[id] = { ...crew.agents[id]!, attempt };
  reports = new HookReports({
    paths,
    clock: realClock,
    specs: [specA, specB],
    crew: () => crew,
    dispatch: (e) => events.push(e),
    notice: (_level, agentId, kind, message) => notices.push(`${agentId} ${kind}: ${message}`),
  });
  reports.start();
  return reports;
}

/** Runs one hook as a CLI would: its command through /bin/sh, the payload on stdin, MUSTER_AGENT in its environment. */
function fire(command: string, payload: string | Buffer, env: Record<string, string> = { MUSTER_AGENT: 'crew/a' }) {
  return spawnSync('/bin/sh', ['-c', command], { input: payload, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });
}

beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-hooks-')));
  paths = statePaths(dir);
  events = [];
  notices = [];
  reports = null;
});

afterEach(() => {
  reports?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('launch extras', () => {
  it('a fresh start names a new session; a restart resumes the given one; the hooks go in a private settings file of the run', () => {
    const fresh = launchExtras(specA, paths, 1, null);
    expect(fresh.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.args.slice(0, 2)).toEqual(['--session-id', fresh.session]);
    const file = fresh.args[3] as string;
    expect(fresh.args[2]).toBe('--settings');
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as { hooks: Record<string, { matcher?: string; hooks: { command: string }[] }[]> };
    expect(Object.keys(settings.hooks).sort()).toEqual(['Notification', 'SessionStart', 'Stop', 'UserPromptSubmit']);
    expect(settings.hooks.Notification?.[0]?.matcher).toBe('permission_prompt');
    const resumed = launchExtras(specA, paths, 2, 'S-1');
    expect(resumed.session).toBeNull();
    expect(resumed.args.slice(0, 2)).toEqual(['--resume', 'S-1']);
  });

  it("a run that names its own session keeps it: no second id at a fresh start, its flag replaced by the resume form", () => {
    const own = { ...specA, run: "claude --session-id 'f00d-1' --model x" };
    const fresh = launchExtras(own, paths, 1, null);
    expect(fresh.session).toBe('f00d-1');
    expect(fresh.args).not.toContain('--session-id');
    expect(fresh.run).toBe(own.run);
    const resumed = launchExtras(own, paths, 2, 'f00d-1');
    expect(resumed.run).toBe('claude --model x');
    expect(resumed.args.slice(0, 2)).toEqual(['--resume', 'f00d-1']);
    expect(givenSession('claude --session-id=abc', ['--session-id', '{id}'])).toMatchObject({ id: 'abc' });
    expect(givenSession('claude --session-idx abc', ['--session-id', '{id}'])).toBeNull();
    expect(givenSession('codex --session-id abc', null)).toBeNull();
  });

  it('config-args hooks (Codex) are -c overrides whose command TOML keeps intact', () => {
    const codex = agent('crew/a', { preset: { ...preset, session: { start: null, resume: ['resume', '{id}'] }, hooks: { ...hooks, format: 'config-args', args: ['--bypass'] } } });
    const x = launchExtras(codex, paths, 3, null);
    expect(x.session).toBeNull();
    expect(x.args.filter((a) => a === '-c')).toHaveLength(4);
    expect(x.args.at(-1)).toBe('--bypass');
    const stop = x.args.find((a) => a.startsWith('hooks.Stop=')) as string;
    expect(stop).toMatch(/^hooks\.Stop=\[\{matcher="\*",hooks=\[\{type="command",command=".*"\}\]\}\]$/);
  });

  it('a per-agent home merges the user settings under the hooks and links the user entries', () => {
    const home = path.join(dir, 'user');
    fs.mkdirSync(path.join(home, '.gem'), { recursive: true });
    fs.writeFileSync(path.join(home, '.gem', 'settings.json'), JSON.stringify({ auth: 'key', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'mine' }] }] } }));
    fs.writeFileSync(path.join(home, '.gem', 'creds.json'), '{}');
    const spec = agent('crew/a', { env: { HOME: home }, preset: { ...preset, hooks: { ...hooks, args: [], env: { CLI_HOME: '{home}' }, home: '.gem', settings: { keep: { sessions: true } } } } });
    const x = launchExtras(spec, paths, 1, null);
    const agentHome = x.env.CLI_HOME as string;
    const merged = JSON.parse(fs.readFileSync(path.join(agentHome, '.gem', 'settings.json'), 'utf8')) as { auth: string; keep: unknown; hooks: { Stop: unknown[] } };
    expect(merged.auth).toBe('key');
    expect(merged.keep).toEqual({ sessions: true });
    expect(merged.hooks.Stop).toHaveLength(2); // the user's hook and muster's
    expect(fs.readlinkSync(path.join(agentHome, '.gem', 'creds.json'))).toBe(path.join(home, '.gem', 'creds.json'));
    // readers of the CLI's own files (its transcripts) are told the same home, without a write
    expect(cliFiles(spec, paths)).toEqual({ env: { CLI_HOME: agentHome }, records: hookUsageDir(paths, 'crew/a') });
    expect(mergeSettings({ a: [1], b: { c: 1 } }, { a: [2], b: { d: 2 } })).toEqual({ a: [1, 2], b: { c: 1, d: 2 } });
  });
});

describe('plugin hooks (opencode)', () => {
  const pluginHooks = {
    format: 'plugin' as const,
    args: [],
    env: { CLI_CONFIG: '{file}' },
    home: null,
    settings: { plugin: ['{plugin}'] },
    events: [
      { event: 'session.created', match: null, activity: null },
      { event: 'session.status', match: '"type":"busy"', activity: 'busy' as const },
      { event: 'permission.asked', match: null, activity: 'waiting' as const },
      { event: 'session.idle', match: null, activity: 'idle' as const },
    ],
  };
  type Plugin = { MusterReports: () => Promise<{ event: (e: { event: { type: string; properties: unknown } }) => Promise<void> }> };
  const assistant = (id: string, finish: string | null, input: number) => ({
    type: 'message.updated',
    properties: { sessionID: 'ses_1', info: { id, sessionID: 'ses_1', role: 'assistant', modelID: 'test-model', providerID: 'p', finish, tokens: { input, output: 7, reasoning: 2, cache: { read: 40, write: 0 } } } },
  });

  it("writes a plugin module named in the run's config file (the user's own config merged under it); fed opencode's events, it reports states and the session, and records each finished call's tokens once", async () => {
    const theirs = path.join(dir, 'theirs.json');
    fs.writeFileSync(theirs, JSON.stringify({ plugin: ['their-plugin'], model: 'x/y' }));
    const spec = agent('crew/a', { env: { CLI_CONFIG: theirs }, preset: { ...preset, session: { start: null, resume: ['-s', '{id}'] }, hooks: pluginHooks } });
    const x = launchExtras(spec, paths, 2, null);
    expect(x.shadowed).toEqual([]);
    // a run that sets the variable itself wins over muster's: said at launch (a warning event)
    expect(launchExtras({ ...spec, run: 'env CLI_CONFIG=/mine.json cli' }, paths, 2, null).shadowed).toEqual(['CLI_CONFIG']);
    expect(assignedInRun("cd w && OTHER=1 cli --name CLI_CONFIG 'X_CLI_CONFIG=2'", ['CLI_CONFIG'])).toEqual([]);
    const config = JSON.parse(fs.readFileSync(x.env.CLI_CONFIG as string, 'utf8')) as { plugin: string[]; model: string };
    expect(config.model).toBe('x/y');
    expect(config.plugin[0]).toBe('their-plugin');
    const moduleUrl = config.plugin[1] as string;
    expect(moduleUrl).toMatch(/^file:\/\/.*\.plugin\.mjs$/);
    const crew = newCrew([spec]);
    crew.agents['crew/a'] = { ...crew.agents['crew/a']!, attempt: 2 };
    reports = new HookReports({ paths, clock: realClock, specs: [spec], crew: () => crew, dispatch: (e) => events.push(e), notice: (_l, a, k, m) => notices.push(`${a} ${k}: ${m}`) });
    reports.start();

    const hooksOf = await ((await import(moduleUrl)) as Plugin).MusterReports();
    const before = process.env.MUSTER_AGENT;
    process.env.MUSTER_AGENT = 'crew/a';
    try {
      for (const event of [
        { type: 'session.created', properties: { sessionID: 'ses_1', info: { id: 'ses_1' } } },
        { type: 'session.status', properties: { sessionID: 'ses_1', status: { type: 'busy' } } },
        { type: 'message.part.delta', properties: { sessionID: 'ses_1', delta: 'session.idle "type":"busy"' } },
        assistant('msg_1', null, 0),
        assistant('msg_1', 'stop', 120),
        assistant('msg_1', 'stop', 120), // sent again when its end time is stored
        { type: 'permission.asked', properties: { sessionID: 'ses_1', permission: 'bash' } },
        { type: 'session.status', properties: { sessionID: 'ses_1', status: { type: 'idle' } } },
        { type: 'session.idle', properties: { sessionID: 'ses_1' } },
        { type: 'session.idle', properties: { sessionID: '../../etc' } },
        { type: 'session.idle', properties: null },
      ]) {
        await hooksOf.event({ event });
      }
    } finally {
      if (before === undefined) delete process.env.MUSTER_AGENT;
      else process.env.MUSTER_AGENT = before;
    }
    // one line per event the preset names, as a command hook writes it (the part delta quoting them is no event of theirs)
    const lines = fs.readFileSync(hookReportFile(paths, 'crew/a'), 'utf8').trim().split('\n');
    const parsed = lines.map((l) => parseReportLine(l, 'crew/a'));
    expect(parsed.map((r) => (r.ok ? `${r.report.attempt} ${r.report.activity ?? 'none'} ${r.report.event} ${r.report.session ?? '-'}` : r.why))).toEqual([
      '2 none session.created ses_1',
      '2 busy session.status ses_1',
      '2 waiting permission.asked ses_1',
      '2 idle session.idle ses_1',
      '2 idle session.idle -', // a session id that is no id is not passed on
      '2 idle session.idle -',
    ]);
    // read in one go, the last state and session of the attempt win
    await waitFor('the plugin reports read', () => events.length > 0);
    expect(events).toEqual([{ type: 'hook', agent: 'crew/a', attempt: 2, activity: 'idle', session: 'ses_1' }]);
    expect(notices).toEqual([]);
    const usage = fs.readFileSync(path.join(hookUsageDir(paths, 'crew/a'), 'ses_1.jsonl'), 'utf8').trim().split('\n');
    expect(usage).toHaveLength(1);
    expect(parseUsageLine('opencode', usage[0] as string, { model: null })).toEqual({ id: 'msg_1', model: 'test-model', tokens: { input: 120, output: 9, cacheWrite: 0, cacheRead: 40 } });
    expect(locateTranscripts({ format: 'opencode', session: 'ses_1', env: {}, records: hookUsageDir(paths, 'crew/a') })).toEqual([path.join(hookUsageDir(paths, 'crew/a'), 'ses_1.jsonl')]);
  });
});

describe('hook reports', () => {
  it('a hook appends one line; the supervisor reads its state and the session id from the payload at once', async () => {
    start();
    const file = hookReportFile(paths, 'crew/a');
    const r = fire(hookCommand(file, 'crew/a', 1, 'busy', 'UserPromptSubmit'), JSON.stringify({ session_id: 'abc-123', hook_event_name: 'UserPromptSubmit', prompt: 'tab\there\nnewline' }));
    expect(r.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(2);
    await waitFor('the hook event', () => events.length > 0);
    expect(events).toEqual([{ type: 'hook', agent: 'crew/a', attempt: 1, activity: 'busy', session: 'abc-123' }]);
  });

  it('a megabyte payload: the hook keeps 1 KiB, drains the rest and exits 0; garbage lines are ignored with an event', async () => {
    start();
    const file = hookReportFile(paths, 'crew/a');
    const big = Buffer.alloc(1024 * 1024, 'x');
    const r = fire(hookCommand(file, 'crew/a', 1, 'idle', 'Stop'), big);
    expect(r.status).toBe(0);
    expect(fs.statSync(file).size).toBeLessThan(2048);
    fs.appendFileSync(file, 'not a report\n\u0000\u0001garbage\tM1\n');
    fs.appendFileSync(file, `${'y'.repeat(1024 * 1024)}\n`);
    fs.appendFileSync(file, 'z'.repeat(64 * 1024)); // no newline: never a report
    reports?.poll();
    await waitFor('the idle event', () => events.some((e) => e.type === 'hook' && e.activity === 'idle'));
    await waitFor('the garbage refused', () => notices.some((n) => /ignored \d+ line\(s\)/.test(n)));
    await waitFor('the endless line dropped', () => notices.some((n) => /dropped \d+ bytes/.test(n)));
    expect(events.filter((e) => e.type === 'hook')).toHaveLength(1);
  });

  it("a report for another agent (in its file, or from another agent's environment) is refused with an event", async () => {
    start();
    const fileA = hookReportFile(paths, 'crew/a');
    fire(hookCommand(fileA, 'crew/b', 1, 'busy', 'UserPromptSubmit'), '{}', { MUSTER_AGENT: 'crew/b' });
    fire(hookCommand(fileA, 'crew/a', 1, 'busy', 'UserPromptSubmit'), '{}', { MUSTER_AGENT: 'crew/b' });
    await waitFor('two refusals', () => notices.filter((n) => n.includes('refused a hook report')).length === 2);
    expect(notices.join('\n')).toMatch(/crew\/a hook-refused: refused a hook report: it reports for agent "crew\/b", not crew\/a/);
    expect(events).toEqual([]);
  });

  it('reports written while no supervisor ran are picked up when one starts; those of earlier attempts are skipped', () => {
    const file = hookReportFile(paths, 'crew/a');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fire(hookCommand(file, 'crew/a', 1, 'busy', 'UserPromptSubmit'), '{"session_id":"old"}');
    fire(hookCommand(file, 'crew/a', 2, 'none', 'SessionStart'), '{"session_id":"new-1"}');
    fire(hookCommand(file, 'crew/a', 2, 'busy', 'UserPromptSubmit'), '{"session_id":"new-1"}');
    fire(hookCommand(file, 'crew/a', 2, 'waiting', 'Notification'), '{"session_id":"new-1"}');
    start(2);
    expect(events).toEqual([{ type: 'hook', agent: 'crew/a', attempt: 2, activity: 'waiting', session: 'new-1' }]);
  });

  it('a report file past its size is moved aside and read on', async () => {
    start();
    const file = hookReportFile(paths, 'crew/a');
    const line = `M1\tcrew/a\t1\tbusy\tPreToolUse\tcrew/a\t${'p'.repeat(900)}\n`;
    fs.appendFileSync(file, line.repeat(300));
    reports?.poll();
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    fire(hookCommand(file, 'crew/a', 1, 'idle', 'Stop'), '{}');
    await waitFor('the idle after the move', () => events.some((e) => e.type === 'hook' && e.activity === 'idle'));
    expect(execFileSync('wc', ['-l', file], { encoding: 'utf8' }).trim().startsWith('1 ')).toBe(true);
  });
});
