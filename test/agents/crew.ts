/**
 * A muster crew around a real agent CLI, for end-to-end tests of the `muster` binary
 * (dist/cli/main.js) against the scripted model server: a throwaway project (the default
 * suite's test/helpers/project.ts), a team file whose agent runs the CLI through
 * `shellCommand()` with its throwaway home, a headless supervisor, and helpers that read
 * `muster status --json`, drive the agent's pane on the crew's own tmux server, run
 * `muster send` and `muster handoff` the way a user and an agent do, and find every process
 * of the CLI (daemons included) by the run marker in its environment.
 *
 * The team `e2e` holds:
 * - `lead`: a plain process that hands work over (`muster handoff` runs with its identity);
 * - `<cli>`: the CLI under test, with a first prompt and hourly check-ins;
 * - `fresh` (CLIs with a first-run dialog): the same CLI started in a folder it does not
 *   trust, with a prompt of its own and a model server of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeProject, type Headless, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';
import { newRecordId, writeRecord } from '../../src/inbox/inbox-writer.js';
import type { InboxRecord } from '../../src/inbox/record.js';
import { connectControl } from '../../src/supervisor/control/control-client.js';
import { prepareCli, shellCommand, type CliLaunch, type CliName } from './cli-env.js';
import { AgentPane, markedProcesses, reapMarked } from './driver.js';
import { pressUntil } from './harness.js';
import { QWEN_SUGGESTION } from './model-server/background.js';
import { ModelServer } from './model-server/server.js';
import { SCREENS, type CliScreens } from './screens.js';

export const TEAM = 'e2e';

/** What `muster status --json` says of one agent (docs/status-json.md), as far as these tests read it. */
export interface AgentView {
  id: string;
  state: string;
  reason: string | null;
  pane: string | null;
  pid: number | null;
  activity: 'busy' | 'idle' | 'waiting' | null;
  /** why the agent has its activity (`dialog`, `permission`, …) */
  activityReason?: string | null;
  checkin: { last: string | null; message: string | null; due: string | null; overdue: boolean } | null;
}

export interface HandoffView {
  id: string;
  from: string;
  to: string;
  message: string;
  state: 'pending' | 'delivered';
}

export interface StatusView {
  supervisor: { running: boolean; pid: number | null };
  pulseMs: number;
  agents: AgentView[];
  handoffs: HandoffView[];
}

/** The reason status gives for an agent's activity: `waiting (dialog)` → `dialog`. */
export function activityReason(a: AgentView): string | null {
  return a.activityReason ?? null;
}

export interface CrewAgent {
  /** `e2e/<name>` */
  id: string;
  name: string;
  cli: CliName;
  launch: CliLaunch;
  runId: string;
  /** the throwaway folder of its home */
  root: string;
  server: ModelServer;
  screens: CliScreens;
}

export interface MusterRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The PATH the supervisor gets (and passes on to its panes): node and the system, no user tools. */
const SUPERVISOR_PATH = `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface CrewOptions {
  cli: CliName;
  /** the main agent's first prompt (`prompt:`) */
  prompt: string;
  /** add `fresh`: the same CLI left at its first-run dialog, with this prompt */
  dialogPrompt?: string;
  /** the project's `notify:` (muster.yaml), e.g. `{ command: …, on: [waiting] }` */
  notify?: { command: string; on: string[] };
}

export class Crew {
  private headlessRuns: Headless[] = [];
  /** why an earlier `settle()` failed: later checks fail at once instead of waiting again */
  private unsettled: string | null = null;
  private readonly sends = new Set<Promise<MusterRun>>();

  readonly cli: CliName;

  private constructor(
    private readonly opts: CrewOptions,
    readonly project: TestProject,
    readonly main: CrewAgent,
    readonly fresh: CrewAgent | null,
  ) {
    this.cli = opts.cli;
  }

  /** The model server of the main agent. */
  get server(): ModelServer {
    return this.main.server;
  }

  get agents(): CrewAgent[] {
    return this.fresh ? [this.main, this.fresh] : [this.main];
  }

  /** Writes the project and the throwaway homes; `up()` starts the supervisor. */
  static async create(opts: CrewOptions): Promise<Crew> {
    const project = makeProject(`agents-${opts.cli}`);
    const made: CrewAgent[] = [];
    try {
      const agent = async (name: string, projectDir: string, firstRun: 'skip' | 'dialog'): Promise<CrewAgent> => {
        // Qwen Code's follow-up suggestion answered as a real model would (the default answer is
        // empty, which draws nothing): muster's preset must keep it out of the input
        const server = await ModelServer.start(opts.cli === 'qwen' ? { backgroundReply: (r) => (QWEN_SUGGESTION.test(r.userText) ? 'run the tests' : undefined) } : {});
        const root = mkdtempSync(path.join(tmpdir(), `muster-agents-${opts.cli}-${name}-`));
        const runId = `${opts.cli}-${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
        const a: CrewAgent = { id: `${TEAM}/${name}`, name, cli: opts.cli, launch: undefined as unknown as CliLaunch, runId, root, server, screens: SCREENS[opts.cli] };
        made.push(a);
        a.launch = prepareCli({ cli: opts.cli, serverUrl: server.url, projectDir, root, runId, firstRun });
        return a;
      };
      const main = await agent(opts.cli, project.dir, 'skip');
      const fresh = opts.dialogPrompt !== undefined ? await agent('fresh', path.join(project.dir, 'fresh'), 'dialog') : null;
      if (opts.cli === 'codex') project.write('presets/codex-daemon.yaml', 'extends: codex\nhooks: off\n');
      project.write(`teams/${TEAM}.yaml`, teamYaml(opts, main, fresh, opts.cli));
      if (opts.notify) project.write('muster.yaml', `notify:\n  command: ${JSON.stringify(opts.notify.command)}\n  on: [${opts.notify.on.join(', ')}]\n`);
      return new Crew(opts, project, main, fresh);
    } catch (err) {
      await project.destroy().catch(() => undefined);
      for (const a of made) {
        await a.server.close();
        rmSync(a.root, { recursive: true, force: true });
      }
      throw err;
    }
  }

  /** Codex only: the main agent runs on `codex-daemon` from the next `up()` (its app-server daemon starts). */
  useDaemonPreset(): void {
    if (this.cli !== 'codex') throw new Error(`useDaemonPreset: the crew runs ${this.cli}, not codex`);
    this.project.write(`teams/${TEAM}.yaml`, teamYaml(this.opts, this.main, this.fresh, 'codex-daemon'));
  }

  /** Starts `muster up --headless` and waits until every agent runs in a pane. */
  async up(): Promise<void> {
    const headless = this.project.headless([], { PATH: SUPERVISOR_PATH });
    this.headlessRuns.push(headless);
    await waitFor(
      'the crew running under its supervisor',
      async () => {
        if (headless.child.exitCode !== null) throw new Error(`muster up --headless exited (${headless.child.exitCode}): ${headless.output().slice(-800)}`);
        const s = await this.status();
        return s.supervisor.running && this.agents.every((a) => s.agents.some((v) => v.id === a.id && v.state === 'running' && v.pane));
      },
      120_000,
      250,
    );
  }

  /** What `muster status --json` says. */
  async status(): Promise<StatusView> {
    // the document `muster status --json` prints, asked of the supervisor over its control
    // socket: a reading every few hundred milliseconds without a node start each time
    try {
      const client = await connectControl(path.join(this.project.dir, '.muster'), { timeoutMs: 2_000 });
      try {
        return (await client.request('status')) as unknown as StatusView;
      } finally {
        client.close();
      }
    } catch {
      return this.statusCli();
    }
  }

  /** `muster status --json`, the binary itself (also without a supervisor). */
  async statusCli(): Promise<StatusView> {
    const r = await this.project.muster(['status', '--json']);
    if (r.code !== 0) throw new Error(`muster status --json failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusView;
  }

  async agent(id: string): Promise<AgentView> {
    const a = (await this.status()).agents.find((x) => x.id === id);
    if (!a) throw new Error(`no agent ${id} in muster status`);
    return a;
  }

  /** The agent's pane on the crew's tmux server. */
  async pane(agent: CrewAgent = this.main): Promise<AgentPane> {
    const view = await this.agent(agent.id);
    if (!view.pane) throw new Error(`${agent.id} has no pane (state ${view.state})`);
    return AgentPane.attach(this.project.socket, view.pane, agent.launch);
  }

  /** Runs `muster ARGS` (the real binary) in the project. */
  muster(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<MusterRun> {
    return this.project.muster(args, opts);
  }

  /**
   * `muster send AGENT TEXT`, as a user runs it; it returns once the text was typed (or
   * after the supervisor's own deadline), so it runs in the background: await the result.
   */
  send(agent: CrewAgent, text: string): Promise<MusterRun> {
    const run = this.project.muster(['send', agent.id, text], { timeoutMs: 300_000 });
    this.sends.add(run);
    void run.finally(() => this.sends.delete(run));
    return run;
  }

  /** `muster handoff AGENT TEXT`, run as the `lead` agent runs it (its MUSTER_AGENT and MUSTER_DIR). */
  async handoff(to: CrewAgent, text: string): Promise<void> {
    const r = await this.project.muster(['handoff', to.id, text], {
      env: { MUSTER_AGENT: `${TEAM}/lead`, MUSTER_DIR: path.join(this.project.dir, '.muster') },
    });
    if (r.code !== 0) throw new Error(`muster handoff failed (${r.code}): ${r.stderr}`);
  }

  /**
   * The request `muster send AGENT TEXT` makes, sent at once from this process over the
   * supervisor's control socket: for a message that must arrive at a given moment (a
   * `muster send` spends a Node start-up before it connects). Resolves like `send()`.
   */
  sendNow(agent: CrewAgent, text: string): Promise<MusterRun> {
    const run = (async (): Promise<MusterRun> => {
      const client = await connectControl(path.join(this.project.dir, '.muster'), { timeoutMs: 5_000 });
      try {
        const r = await client.request('send', { agent: agent.id, message: text, force: false }, { timeoutMs: 300_000 });
        return { code: r.submitted ? 0 : 1, stdout: JSON.stringify(r), stderr: '' };
      } catch (err) {
        return { code: 1, stdout: '', stderr: (err as Error).message };
      } finally {
        client.close();
      }
    })();
    this.sends.add(run);
    void run.finally(() => this.sends.delete(run));
    return run;
  }

  /**
   * The record `muster handoff AGENT TEXT` leaves in the inbox, written at once from this
   * process as `lead` (with muster's own writer): a handoff that arrives at a given moment.
   */
  writeHandoff(to: CrewAgent, text: string): void {
    const now = Date.now();
    const record: InboxRecord = { v: 1, id: newRecordId(now), kind: 'handoff', agent: `${TEAM}/lead`, message: text, to: to.id, file: null, at: now };
    writeRecord(path.join(this.project.dir, '.muster', 'inbox'), record);
  }

  /** Waits for `muster send` runs still in flight (each ends when typed, or at the supervisor's deadline). */
  async sendsDone(timeoutMs = 150_000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.sends]), sleep(timeoutMs)]);
  }

  /** Waits until status shows `activity` for the agent (and `check`, when given, holds for its view). */
  async waitActivity(agent: CrewAgent, activity: AgentView['activity'], what: string, opts: { timeoutMs?: number; check?: (a: AgentView) => boolean } = {}): Promise<AgentView> {
    let last: AgentView | null = null;
    try {
      return await waitFor(
        `${agent.id} ${activity} in muster status (${what})`,
        async () => {
          last = await this.agent(agent.id);
          return last.activity === activity && (opts.check?.(last) ?? true) ? last : null;
        },
        opts.timeoutMs ?? 90_000,
        250,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nlast status of ${agent.id}: ${JSON.stringify(last)}\n${await this.context(agent)}`);
    }
  }

  /**
   * Reads status and the screen again and again for `ms` and fails at the first reading for
   * which `check` returns a complaint. Returns the activities read.
   */
  async observe(agent: CrewAgent, ms: number, check: (a: AgentView, screen: string) => string | null): Promise<Array<AgentView['activity']>> {
    const until = Date.now() + ms;
    const seen: Array<AgentView['activity']> = [];
    const pane = await this.pane(agent);
    do {
      const a = await this.agent(agent.id);
      const screen = await pane.screen();
      seen.push(a.activity);
      const complaint = check(a, screen);
      if (complaint) throw new Error(`${complaint}\nstatus of ${agent.id}: ${JSON.stringify(a)}\n${await this.context(agent)}`);
      await sleep(200);
    } while (Date.now() < until);
    return seen;
  }

  /** Answers the permission prompt on screen with the CLI's key, as the user would. */
  async approve(agent: CrewAgent = this.main): Promise<void> {
    const pane = await this.pane(agent);
    await pressUntil(pane, 'the permission prompt answered', agent.screens.approve, (s) => !agent.screens.permission.test(s), 15_000);
  }

  /**
   * Brings the main agent back to a clean start for the next check: no stream held, no turn
   * scripted, no `muster send` in flight, no prompt on screen, the idle input screen.
   */
  async settle(): Promise<void> {
    if (this.unsettled) throw new Error(`an earlier check left ${this.main.id} away from its idle input screen:\n${this.unsettled}`);
    this.server.release();
    await this.sendsDone();
    const pane = await this.pane(this.main);
    const { screens } = this.main;
    let draftSince: number | null = null;
    await waitFor(
      `${this.main.id} back at its idle input screen`,
      async () => {
        this.server.release();
        const screen = await pane.screen();
        if (screens.permission.test(screen)) await pane.press(...screens.approve);
        const a = await this.agent(this.main.id);
        // text left in the input (a message an earlier check saw go unsubmitted): erased
        // as a user would, once it has sat there a while
        if (a.activity === 'idle' && activityReason(a) === 'draft') {
          draftSince ??= Date.now();
          if (Date.now() - draftSince > 10_000) {
            await pane.press(...Array.from({ length: 160 }, () => 'BSpace'));
            draftSince = null;
          }
        } else draftSince = null;
        return screens.idle(screen) && a.activity === 'idle' && activityReason(a) !== 'draft';
      },
      120_000,
      1_000,
    ).catch(async (err) => {
      this.unsettled = `${(err as Error).message}\n${await this.context(this.main)}`;
      throw new Error(this.unsettled);
    });
    this.server.unscript();
  }

  /** Pids of every live process of the crew's CLIs (daemons included), with their command lines. */
  cliProcesses(): Array<{ pid: number; cmd: string }> {
    return this.agents.flatMap((a) => markedProcesses(a.runId).map((pid) => ({ pid, cmd: cmdline(pid) })));
  }

  /** The agent's screen, its model server's requests and the crew's last events: for failure messages. */
  async context(agent: CrewAgent = this.main): Promise<string> {
    let screen = '(no screen)';
    try {
      screen = await (await this.pane(agent)).screen();
    } catch (err) {
      screen = `(no screen: ${(err as Error).message})`;
    }
    let events = '';
    try {
      events = readFileSync(path.join(this.project.dir, '.muster/events.jsonl'), 'utf8').trim().split('\n').slice(-25).join('\n');
    } catch {
      events = '(no events)';
    }
    return [`--- screen of ${agent.id}`, screen, `--- requests to its model server`, agent.server.describe() || '(none)', '--- muster events (tail)', events, '---'].join('\n');
  }

  /** Ends everything: the supervisors, the crew (`muster cleanup --yes`), the tmux server, every marked process, the folders. */
  async destroy(): Promise<void> {
    try {
      await this.project.destroy();
    } finally {
      for (const a of this.agents) {
        await reapMarked(a.runId).catch(() => undefined);
        await a.server.close();
        rmSync(a.root, { recursive: true, force: true });
      }
    }
  }

  /** The supervisors started so far (their output is in the failure report). */
  get supervisors(): readonly Headless[] {
    return this.headlessRuns;
  }
}

/** The run line of a team file for a CLI launch: muster's MUSTER_* variables (and PATH) kept. */
function shellCommandOf(launch: CliLaunch): string {
  return shellCommand(launch, { inherit: true });
}

/**
 * The agent's HOME in the team file too, not only in its run line: muster then finds the
 * user's settings where the CLI does (a home of the agent's own links them, presets/gemini.yaml).
 */
function envOf(launch: CliLaunch): string {
  return `    env: { HOME: ${JSON.stringify(launch.home)} }`;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '?';
  }
}

/** The crew's team file, the main agent on `mainPreset`. */
function teamYaml(opts: CrewOptions, main: CrewAgent, fresh: CrewAgent | null, mainPreset: string): string {
  const lines = [
    `name: ${TEAM}`,
    'agents:',
    '  lead:',
    '    run: sleep 86400',
    '    checkin: off',
    `  ${main.name}:`,
    `    run: ${JSON.stringify(shellCommandOf(main.launch))}`,
    envOf(main.launch),
    `    preset: ${mainPreset}`,
    `    prompt: ${JSON.stringify(opts.prompt)}`,
    '    checkin: { every: 1h }',
    '    restart: { policy: never }',
  ];
  // Codex starts its background app-server daemon only when its command line overrides
  // no setting: with muster's hooks and MCP wiring (`-c hooks.…`, `-c mcp_servers.muster…`)
  // it serves in-process and leaves no daemon behind. `codex-daemon` (the shipped preset
  // without hooks) and `mcp: false` let the daemon start, so cleanup is seen to end it
  // (`useDaemonPreset()`; the MCP wiring has its own test, muster-mcp.test.ts).
  if (opts.cli === 'codex') lines.push('    mcp: false');
  if (fresh) {
    lines.push(
      '  fresh:',
      `    run: ${JSON.stringify(shellCommandOf(fresh.launch))}`,
      envOf(fresh.launch),
      `    preset: ${opts.cli}`,
      `    prompt: ${JSON.stringify(opts.dialogPrompt)}`,
      '    checkin: off',
      '    restart: { policy: never }',
    );
  }
  return `${lines.join('\n')}\n`;
}
