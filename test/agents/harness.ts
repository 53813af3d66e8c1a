/**
 * One call to put a real agent CLI under test: a scripted model server (its own, or one the
 * test shares), a throwaway folder with HOME and a project, the CLI started in tmux, and
 * one `stop()` that ends the CLI, its daemons and its tmux server and removes the folder.
 * See test/agents/README.md for an example.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareCli, type CliLaunch, type CliName } from './cli-env.js';
import { AgentPane } from './driver.js';
import { ModelServer, type ModelServerOptions } from './model-server/server.js';
import { SCREENS, type CliScreens } from './screens.js';

export interface StartAgentOptions {
  /** a server the test owns (default: a new one, closed by stop()) */
  server?: ModelServer;
  serverOptions?: ModelServerOptions;
  /** 'dialog' leaves the first-run folder-trust dialog in place */
  firstRun?: 'skip' | 'dialog';
  /** wait for the idle screen before resolving (default true unless firstRun is 'dialog') */
  waitIdle?: boolean;
  env?: Record<string, string>;
  args?: string[];
  /** keep the throwaway folder after stop() (for debugging) */
  keepFiles?: boolean;
  /** use this folder (emptied first) instead of a new temporary one: screens then show a stable path */
  root?: string;
  /** make the project folder a git repository (`git init`) before the CLI starts */
  git?: boolean;
}

export interface Agent {
  cli: CliName;
  server: ModelServer;
  /** the pane the CLI runs in (a new one after restart()) */
  pane: AgentPane;
  launch: CliLaunch;
  screens: CliScreens;
  /** the throwaway folder (HOME, TMPDIR, config) */
  root: string;
  /** the folder the CLI works in */
  project: string;
  /** waits for the idle screen */
  waitIdle(timeoutMs?: number): Promise<string>;
  /**
   * Ends the CLI (and its daemons) and starts it again in a new pane with the same home,
   * config and server, with `args` after the executable (e.g. `['--continue']` to resume);
   * resolves at the idle screen unless `waitIdle: false`.
   */
  restart(opts?: { args?: string[]; waitIdle?: boolean }): Promise<void>;
  /**
   * Answers the permission prompt on screen with the CLI's approve keys, and again (up to 3
   * times) while the prompt is still there: a key pressed before the prompt takes input is lost.
   */
  approve(): Promise<void>;
  /** Accepts the first-run trust dialog on screen (moves to the trusting choice, then Enter). */
  acceptTrustDialog(): Promise<void>;
  /** ends the CLI and everything it started, closes an owned server, removes the folder (once) */
  stop(): Promise<void>;
}

/** Presses `keys` until `done` holds for the screen (3 tries, `waitMs` each). */
export async function pressUntil(pane: AgentPane, what: string, keys: string[], done: (screen: string) => boolean, waitMs = 10_000): Promise<void> {
  for (let i = 0; ; i++) {
    await pane.press(...keys);
    try {
      await pane.waitForScreen(what, done, waitMs);
      return;
    } catch (err) {
      if (i >= 2) throw err;
    }
  }
}

/** Starts `cli` against a scripted model server; by default resolves at its idle screen. */
export async function startAgent(cli: CliName, opts: StartAgentOptions = {}): Promise<Agent> {
  const server = opts.server ?? (await ModelServer.start(opts.serverOptions));
  let root: string;
  if (opts.root) {
    root = path.resolve(opts.root);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
  } else root = mkdtempSync(path.join(tmpdir(), `muster-agents-${cli}-`));
  const project = path.join(root, 'project');
  const runId = `${cli}-${process.pid}-${randomBytes(4).toString('hex')}`;
  let pane: AgentPane | null = null;
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      try {
        await pane?.stop();
      } finally {
        if (!opts.server) await server.close();
        if (!opts.keepFiles) rmSync(root, { recursive: true, force: true });
      }
    })());
  try {
    const launch = prepareCli({ cli, serverUrl: server.url, projectDir: project, root, runId, firstRun: opts.firstRun ?? 'skip', env: opts.env, args: opts.args });
    if (opts.git) execFileSync('git', ['init', '-q', project], { stdio: 'ignore' });
    pane = await AgentPane.start(launch);
    const screens = SCREENS[cli];
    const agent: Agent = {
      cli,
      server,
      pane,
      launch,
      screens,
      root,
      project,
      waitIdle: (timeoutMs = 120_000) => agent.pane.waitForScreen('the idle input screen', screens.idle, timeoutMs),
      restart: async (r = {}) => {
        await agent.pane.stop();
        const base = launch.argv.slice(0, launch.argv.length - (opts.args?.length ?? 0));
        pane = await AgentPane.start({ ...launch, argv: [...base, ...(r.args ?? [])] });
        agent.pane = pane;
        if (r.waitIdle ?? true) await agent.waitIdle();
      },
      approve: () => pressUntil(agent.pane, 'the permission prompt answered', screens.approve, (s) => !screens.permission.test(s), 15_000),
      acceptTrustDialog: async () => {
        const t = screens.acceptTrust;
        if (!t) throw new Error(`${cli} has no trust dialog`);
        // a key pressed before the dialog took input can arrive late and move past the choice
        // (Claude Code's two choices wrap): the choice must stay selected for a second
        for (let i = 0; ; i++) {
          if (t.selected.test(await agent.pane.screen())) {
            await new Promise((r) => setTimeout(r, 1_000));
            if (t.selected.test(await agent.pane.screen())) break;
          }
          if (i >= 4) throw new Error(`${cli}: the trusting choice of its trust dialog did not stay selected\n${await agent.pane.screen()}`);
          await agent.pane.press(t.move);
          await agent.pane.waitForScreen('the trusting choice selected', (s) => t.selected.test(s), 5_000).catch(() => undefined);
        }
        // Gemini CLI restarts itself on the answer and draws its input below the old dialog
        await pressUntil(agent.pane, 'the trust dialog answered', ['Enter'], (s) => !(screens.trustDialog as RegExp).test(s) || screens.idle(s));
      },
      stop,
    };
    if (opts.waitIdle ?? opts.firstRun !== 'dialog') await agent.waitIdle();
    return agent;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
