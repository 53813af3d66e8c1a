/**
 * Throwaway homes for the real agent CLIs: for one CLI, a server URL and a project folder,
 * builds the exact environment and the config files that point the CLI at the scripted
 * model server on 127.0.0.1 and take it straight to its idle input screen (onboarding done,
 * folder trusted, manual permission mode, update checks and telemetry off). The real HOME is
 * never read or written: the CLI runs under `env -i` with HOME, XDG folders and TMPDIR in the
 * throwaway folder, and with the model server as its HTTP(S) proxy, so a request for any
 * other host is refused and recorded (ModelServer.escapes()).
 *
 * `firstRun: 'dialog'` leaves the CLI's first-run folder-trust dialog in place instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { binPath, installDir, isInstalled, readPins, type CliPin } from '../../scripts/agent-clis.mjs';
import { shellQuote } from '../../src/text/shell-quote.js';

export type CliName = 'claude' | 'codex' | 'gemini' | 'qwen' | 'opencode';
export const CLI_NAMES: readonly CliName[] = ['claude', 'codex', 'gemini', 'qwen', 'opencode'];

/** The environment variable that marks every process a test's CLI starts (daemons included). */
export const RUN_MARKER = 'MUSTER_TEST_AGENT_RUN';

/** The model name the CLIs are configured with (the server answers any name). */
export const TEST_MODEL = 'test-model';
/** The fake key every CLI is given. */
export const TEST_KEY = 'muster-test-key';

export interface CliEnvOptions {
  cli: CliName;
  /** the scripted model server, e.g. `http://127.0.0.1:41234` */
  serverUrl: string;
  /** the folder the CLI works in (absolute; created when missing) */
  projectDir: string;
  /** a throwaway folder for HOME, config and TMPDIR (created) */
  root: string;
  /** the value of RUN_MARKER for this run */
  runId: string;
  /** 'skip' (default): straight to the idle screen; 'dialog': leave the folder-trust dialog */
  firstRun?: 'skip' | 'dialog';
  /** more variables (win over the defaults) */
  env?: Record<string, string>;
  /** more arguments after the executable */
  args?: string[];
}

export interface CliLaunch {
  cli: CliName;
  pin: CliPin;
  /** the executable and its arguments */
  argv: string[];
  /** the whole environment (the CLI gets nothing else) */
  env: Record<string, string>;
  cwd: string;
  home: string;
  /** config files written, absolute paths */
  files: string[];
}

/** The installed executable of a pinned CLI; throws with a hint when the pins are not installed. */
export function cliPin(cli: CliName): { pin: CliPin; bin: string } {
  const pins = readPins();
  const pin = pins.find((p) => p.name === cli);
  if (!pin) throw new Error(`test/agents/clis.json pins no CLI named ${cli}`);
  const dir = installDir(pins);
  if (!isInstalled(dir, pins)) throw new Error(`the pinned agent CLIs are not installed in ${dir}: run \`npm run agents:install\``);
  return { pin, bin: binPath(dir, pin) };
}

interface Setup {
  env: Record<string, string>;
  files: Record<string, string>;
  args?: string[];
}

type SetupFn = (o: { url: string; home: string; root: string; project: string; trusted: boolean; version: string }) => Setup;

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const toml = (s: string) => JSON.stringify(s);

const SETUPS: Record<CliName, SetupFn> = {
  // Claude Code: Anthropic Messages at ANTHROPIC_BASE_URL with a bearer token (an
  // ANTHROPIC_API_KEY would raise a "use this key?" dialog). Its default permission mode is
  // "auto" (a model-side classifier decides); the tests want the manual prompts.
  claude: ({ url, home, project, trusted }) => ({
    env: {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_AUTH_TOKEN: TEST_KEY,
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
    },
    files: {
      [path.join(home, '.claude.json')]: json({
        hasCompletedOnboarding: true,
        hasSeenAutoDefaultNudge: true,
        autoUpdates: false,
        projects: { [project]: trusted ? { hasTrustDialogAccepted: true } : {} },
      }),
      [path.join(home, '.claude', 'settings.json')]: json({ permissions: { defaultMode: 'default' } }),
    },
  }),

  // Codex: the Responses API of a custom provider; asks before commands that need to leave
  // its sandbox (approval_policy on-request).
  codex: ({ url, root, project, trusted }) => {
    const codexHome = path.join(root, 'codex-home');
    const lines = [
      `model = ${toml(TEST_MODEL)}`,
      'model_provider = "muster-test"',
      'approval_policy = "on-request"',
      'sandbox_mode = "workspace-write"',
      'check_for_update_on_startup = false',
      // Codex runs its shell tool as a login shell by default, and a login shell reads
      // /etc/profile, which on Debian and Ubuntu sets PATH anew: the `muster` command muster
      // puts first on the agent's PATH (docs/team-file.md) is lost. A plain shell keeps it.
      'allow_login_shell = false',
      '',
      '[model_providers.muster-test]',
      'name = "muster test model"',
      `base_url = ${toml(`${url}/v1`)}`,
      'env_key = "MUSTER_TEST_API_KEY"',
      'wire_api = "responses"',
      '',
      '[analytics]',
      'enabled = false',
      '',
    ];
    if (trusted) lines.push(`[projects.${toml(project)}]`, 'trust_level = "trusted"', '');
    return {
      env: { CODEX_HOME: codexHome, MUSTER_TEST_API_KEY: TEST_KEY },
      files: { [path.join(codexHome, 'config.toml')]: lines.join('\n') },
    };
  },

  // Gemini CLI: the Gemini API at GOOGLE_GEMINI_BASE_URL with an API key.
  gemini: ({ url, home, trusted }) => ({
    env: {
      GEMINI_API_KEY: TEST_KEY,
      GOOGLE_GEMINI_BASE_URL: url,
      ...(trusted ? { GEMINI_CLI_TRUST_WORKSPACE: 'true' } : {}),
    },
    files: {
      [path.join(home, '.gemini', 'settings.json')]: json({
        security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: !trusted } },
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
      }),
    },
  }),

  // Qwen Code: Chat Completions at OPENAI_BASE_URL. Its default approval mode is "auto"
  // (an LLM classifier); the tests want "default" (ask).
  qwen: ({ url, home, trusted }) => ({
    env: { OPENAI_API_KEY: TEST_KEY, OPENAI_BASE_URL: `${url}/v1`, OPENAI_MODEL: TEST_MODEL },
    files: {
      [path.join(home, '.qwen', 'settings.json')]: json({
        security: { auth: { selectedType: 'openai' }, folderTrust: { enabled: !trusted } },
        tools: { approvalMode: 'default' },
        general: { enableAutoUpdate: false, disableAutoUpdate: true },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
      }),
    },
  }),

  // opencode: an openai-compatible provider; bash set to "ask" (its default runs commands
  // without asking). It has no first-run dialog. The config is the user's own
  // (XDG_CONFIG_HOME/opencode/opencode.json), not OPENCODE_CONFIG: that one is muster's to
  // set for its plugin (a value in the run line would win over it).
  //
  // On every start opencode makes sure its plugin SDK (@opencode-ai/plugin) is installed in
  // its config folder, under a file lock. Offline the install fails, and a process that ends
  // while it holds the lock (a crash, a kill, `opencode session delete` exiting at once)
  // leaves the lock behind: the next start waits about a minute for it to go stale, with a
  // blank screen. The folder below holds the SDK as installed (package.json, its lock file
  // and node_modules), as it is for a user online after the first start, so no install runs.
  opencode: ({ url, home, version }) => {
    const dir = path.join(home, '.config', 'opencode');
    const config = path.join(dir, 'opencode.json');
    const sdk = { '@opencode-ai/plugin': version };
    return {
      env: {
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_SHARE: '1',
      },
      files: {
        [config]: json({
          $schema: 'https://opencode.ai/config.json',
          provider: {
            'muster-test': {
              npm: '@ai-sdk/openai-compatible',
              name: 'muster test',
              options: { baseURL: `${url}/v1`, apiKey: TEST_KEY },
              models: { [TEST_MODEL]: { name: 'Test model' } },
            },
          },
          model: `muster-test/${TEST_MODEL}`,
          small_model: `muster-test/${TEST_MODEL}`,
          permission: { bash: 'ask' },
          autoupdate: false,
          share: 'disabled',
        }),
        [path.join(dir, 'package.json')]: json({ dependencies: sdk }),
        [path.join(dir, 'package-lock.json')]: json({ lockfileVersion: 3, requires: true, packages: { '': { dependencies: sdk } } }),
        [path.join(dir, 'node_modules', '.package-lock.json')]: json({ lockfileVersion: 3, requires: true, packages: {} }),
      },
    };
  },
};

/**
 * CLIs whose first-run folder-trust dialog `firstRun: 'dialog'` can leave in place. Codex
 * 0.171 shows none for an untrusted folder (git repository or not); opencode has none.
 */
export const CLIS_WITH_TRUST_DIALOG: readonly CliName[] = ['claude', 'gemini', 'qwen'];

/** Writes the throwaway home and config for one CLI and returns how to start it. */
export function prepareCli(o: CliEnvOptions): CliLaunch {
  const { pin, bin } = cliPin(o.cli);
  if (o.firstRun === 'dialog' && !CLIS_WITH_TRUST_DIALOG.includes(o.cli)) throw new Error(`${o.cli} has no first-run dialog to leave in place`);
  const root = path.resolve(o.root);
  const home = path.join(root, 'home');
  const project = path.resolve(o.projectDir);
  for (const dir of [home, project, path.join(root, 'tmp')]) mkdirSync(dir, { recursive: true });
  const setup = SETUPS[o.cli]({ url: o.serverUrl, home, root, project, trusted: o.firstRun !== 'dialog', version: pin.version });
  for (const [file, text] of Object.entries(setup.files)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const user = userInfo().username;
  const env: Record<string, string> = {
    PATH: `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: home,
    USER: user,
    LOGNAME: user,
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    TMPDIR: path.join(root, 'tmp'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    // every request for another host goes to the model server, which refuses it
    HTTP_PROXY: o.serverUrl,
    HTTPS_PROXY: o.serverUrl,
    http_proxy: o.serverUrl,
    https_proxy: o.serverUrl,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    NO_UPDATE_NOTIFIER: '1',
    DO_NOT_TRACK: '1',
    [RUN_MARKER]: o.runId,
    ...setup.env,
    ...o.env,
  };
  return {
    cli: o.cli,
    pin,
    argv: [bin, ...(setup.args ?? []), ...(o.args ?? [])],
    env,
    cwd: project,
    home,
    files: Object.keys(setup.files),
  };
}

/**
 * Variables dropped from an inherited environment (`shellCommand(…, { inherit: true })`):
 * real credentials and the caller's own tmux / agent session must not reach the CLI.
 */
export const UNSET_WHEN_INHERITING = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'CLAUDE_CONFIG_DIR',
  'CLAUDECODE',
  'TMUX',
  'TMUX_PANE',
  'CI',
];

/**
 * The launch as one shell command line, for a muster team file's `run:` or a pane of your
 * own: `cd DIR && exec env -i VAR=… BIN ARGS…`. With `inherit`, the launcher's environment
 * is kept (muster's MUSTER_* variables, say) under the CLI's own, minus
 * UNSET_WHEN_INHERITING, and the launcher's PATH comes first, before the CLI's (whatever
 * the launcher puts on PATH, e.g. muster's own command, stays found); `cd: false` leaves
 * the working folder to the launcher.
 */
export function shellCommand(launch: CliLaunch, opts: { inherit?: boolean; cd?: boolean } = {}): string {
  const words = ['env'];
  if (opts.inherit) for (const name of UNSET_WHEN_INHERITING) words.push('-u', name);
  else words.push('-i');
  const quoted = words.map(shellQuote);
  for (const [k, v] of Object.entries(launch.env)) {
    // "$PATH" is expanded by the launcher's shell, the rest is quoted
    quoted.push(opts.inherit && k === 'PATH' ? `PATH="\${PATH:+\$PATH:}"${shellQuote(v)}` : shellQuote(`${k}=${v}`));
  }
  quoted.push(...launch.argv.map(shellQuote));
  const command = `exec ${quoted.join(' ')}`;
  return opts.cd === false ? command : `cd ${shellQuote(launch.cwd)} && ${command}`;
}
