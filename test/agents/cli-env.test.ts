/**
 * The throwaway homes without starting a CLI: what prepareCli() writes and sets for each
 * CLI, that nothing points at the real HOME, and the shell command line built from a launch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_NAMES, prepareCli, RUN_MARKER, shellCommand, type CliLaunch } from './cli-env.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'muster-agents-env-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const prepare = (cli: (typeof CLI_NAMES)[number], firstRun: 'skip' | 'dialog' = 'skip') =>
  prepareCli({ cli, serverUrl: 'http://127.0.0.1:45678', projectDir: path.join(root, 'project'), root, runId: 'run-1', firstRun });

describe.each(CLI_NAMES.map((c) => [c]))('prepareCli(%s)', (cli) => {
  it('keeps HOME, XDG folders, TMPDIR and every config file inside the throwaway folder', () => {
    const launch = prepare(cli);
    expect(launch.home).toBe(path.join(root, 'home'));
    for (const key of ['HOME', 'TMPDIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME']) {
      expect(launch.env[key]?.startsWith(root), key).toBe(true);
    }
    expect(launch.files.length).toBeGreaterThan(0);
    for (const file of launch.files) {
      expect(file.startsWith(root)).toBe(true);
      expect(existsSync(file)).toBe(true);
    }
    expect(JSON.stringify(launch.env)).not.toContain(homedir() === '/' ? '\0' : `${homedir()}/`);
    expect(launch.env[RUN_MARKER]).toBe('run-1');
    expect(launch.env.HTTPS_PROXY).toBe('http://127.0.0.1:45678');
    expect(launch.env.NO_PROXY).toBe('127.0.0.1,localhost');
    expect(launch.argv[0]).toMatch(new RegExp(`/node_modules/\\.bin/${cli}$`));
    expect(launch.cwd).toBe(path.join(root, 'project'));
  });
});

describe('what each CLI is given', () => {
  it('Claude Code: a bearer token, onboarding done, the project trusted unless the dialog is wanted, manual mode', () => {
    const launch = prepare('claude');
    expect(launch.env).toMatchObject({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:45678', ANTHROPIC_AUTH_TOKEN: expect.any(String) });
    expect(launch.env.ANTHROPIC_API_KEY).toBeUndefined();
    const state = JSON.parse(readFileSync(path.join(launch.home, '.claude.json'), 'utf8'));
    expect(state).toMatchObject({ hasCompletedOnboarding: true, hasSeenAutoDefaultNudge: true });
    expect(state.projects[launch.cwd]).toEqual({ hasTrustDialogAccepted: true });
    expect(JSON.parse(readFileSync(path.join(launch.home, '.claude', 'settings.json'), 'utf8')).permissions.defaultMode).toBe('default');
    const untrusted = JSON.parse(readFileSync(path.join(prepare('claude', 'dialog').home, '.claude.json'), 'utf8'));
    expect(untrusted.projects[launch.cwd]).toEqual({});
  });

  it('Codex: a responses provider at the server and the project trusted', () => {
    const launch = prepare('codex');
    const toml = readFileSync(path.join(launch.env.CODEX_HOME as string, 'config.toml'), 'utf8');
    expect(toml).toContain('base_url = "http://127.0.0.1:45678/v1"');
    expect(toml).toContain('wire_api = "responses"');
    expect(toml).toContain(`[projects.${JSON.stringify(launch.cwd)}]\ntrust_level = "trusted"`);
    expect(() => prepare('codex', 'dialog')).toThrow(/no first-run dialog/);
  });

  it('Gemini CLI and Qwen Code: settings with auth, folder trust off unless the dialog is wanted', () => {
    const gemini = prepare('gemini');
    expect(gemini.env).toMatchObject({ GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:45678', GEMINI_CLI_TRUST_WORKSPACE: 'true' });
    const gs = JSON.parse(readFileSync(path.join(gemini.home, '.gemini', 'settings.json'), 'utf8'));
    expect(gs.security).toEqual({ auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } });
    expect(prepare('gemini', 'dialog').env.GEMINI_CLI_TRUST_WORKSPACE).toBeUndefined();
    const qwen = prepare('qwen');
    expect(qwen.env).toMatchObject({ OPENAI_BASE_URL: 'http://127.0.0.1:45678/v1', OPENAI_MODEL: 'test-model' });
    const qs = JSON.parse(readFileSync(path.join(qwen.home, '.qwen', 'settings.json'), 'utf8'));
    expect(qs.tools.approvalMode).toBe('default');
  });

  it('opencode: an openai-compatible provider and bash set to ask', () => {
    const launch = prepare('opencode');
    const config = JSON.parse(readFileSync(path.join(launch.home, '.config', 'opencode', 'opencode.json'), 'utf8'));
    expect(launch.env.OPENCODE_CONFIG).toBeUndefined(); // muster's to set for its plugin
    expect(config.permission).toEqual({ bash: 'ask' });
    expect(config.provider['muster-test'].options.baseURL).toBe('http://127.0.0.1:45678/v1');
    expect(config.model).toBe('muster-test/test-model');
  });
});

describe('shellCommand', () => {
  // the launch, but running `env` instead of the CLI: prints the environment the CLI would get
  const printEnv = (launch: CliLaunch): CliLaunch => ({ ...launch, argv: ['/usr/bin/env'] });
  const run = (command: string, env: NodeJS.ProcessEnv) =>
    Object.fromEntries(
      execFileSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  const parent = { ...process.env, PATH: '/opt/launcher/bin:/usr/bin:/bin', MUSTER_AGENT: 'team/dev', ANTHROPIC_API_KEY: 'real-key', TMUX: '/tmp/x,1,0' };

  it('gives exactly the launch environment', () => {
    const launch = printEnv(prepare('claude'));
    const got = run(`${shellCommand(launch)}; echo never`, parent);
    expect(got).toEqual(launch.env);
  });

  it('with inherit, keeps the launcher variables but drops real keys and the tmux session', () => {
    const launch = printEnv(prepare('claude'));
    const got = run(shellCommand(launch, { inherit: true }), parent);
    expect(got.MUSTER_AGENT).toBe('team/dev');
    expect(got.ANTHROPIC_API_KEY).toBeUndefined();
    expect(got.TMUX).toBeUndefined();
    expect(got.HOME).toBe(launch.home);
    // the launcher's PATH first (muster puts its own command there), then the CLI's
    expect(got.PATH).toBe(`/opt/launcher/bin:/usr/bin:/bin:${launch.env.PATH}`);
  });

  it('runs in the project folder unless cd is false', () => {
    const launch = prepare('gemini');
    const pwd = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', cwd: root }).trim();
    expect(pwd(shellCommand({ ...launch, argv: ['/bin/pwd'] }))).toBe(launch.cwd);
    expect(pwd(shellCommand({ ...launch, argv: ['/bin/pwd'] }, { cd: false }))).toBe(root);
  });
});
