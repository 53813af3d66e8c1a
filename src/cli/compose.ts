/**
 * The composition root: the one place that picks the real adapters (the crew's tmux server,
 * /proc, cgroups, the inbox folder, the commit watch, the ledger, the lock, the control
 * socket) and wires them to the supervisor. CLI commands get their adapters from here.
 */
import * as fs from 'node:fs';
import type { ProjectSpec } from '../config/types.js';
import type { CrewState } from '../core/agent-state.js';
import type { ReportUsage } from '../report/build-report.js';
import { TokenUsage } from '../supervisor/token-usage.js';
import { notifiersFor } from '../notify/notifiers.js';
import { CommitWatch } from '../git/commit-watch.js';
import { inboxFolder } from '../inbox/inbox-watcher.js';
import { detectCgroups, noCgroups, type CgroupDriver } from '../monitor/cgroups.js';
import { LimitsRuntime } from '../monitor/limits-runtime.js';
import { machineProcesses } from '../monitor/processes.js';
import { chooseProcessSource, processSource, selectProcessSource } from '../monitor/process-source.js';
import { Sampler } from '../monitor/sampler.js';
import { commandHandlers } from '../supervisor/commands.js';
import { connectControl } from '../supervisor/control/control-client.js';
import { ControlServer } from '../supervisor/control/control-server.js';
import { statePaths, type StatePaths } from '../supervisor/paths.js';
import { cliFiles } from '../supervisor/agent-hooks.js';
import { loadLedger, type LoadedLedger } from '../supervisor/saved-state.js';
import { ServerRecovery } from '../supervisor/server-recovery.js';
import type { ReaperDeps } from '../supervisor/process-reaper.js';
import { acquireLock, breakStaleLock, lockFilePath, readLock, type SupervisorLock } from '../supervisor/store/lock.js';
import { Ledger } from '../supervisor/store/ledger.js';
import { checkinsOf } from '../supervisor/store/checkin-events.js';
import { TranscriptReader } from '../transcripts/transcript-reader.js';
import { Supervisor, type Audience } from '../supervisor/supervisor.js';
import { realClock } from '../sys/time.js';
import { ANCHOR_SESSION, CrewServer, socketNameFor } from '../tmux/crew-server.js';
import { crewTmux } from '../tmux/crew-tmux.js';
import { cliWorktreeGit } from '../git/worktree-git.js';
import { WorktreeRuntime } from '../git/worktree-runtime.js';
import { agentLogFile } from '../supervisor/paths.js';

export { ANCHOR_SESSION, acquireLock, readLock, connectControl as connectSupervisor, machineProcesses };

/** Stopping processes on this machine (see supervisor/process-reaper.ts). */
export const machineReaper: ReaperDeps = { readTable: machineProcesses.readTable, signal: machineProcesses.signal, sleep: realClock.sleep, now: realClock.now };

/** The supervisor's lock of a state folder, as `muster cleanup` reads and clears it. */
export function supervisorLock(paths: StatePaths): { holder(): { pid: number; alive: boolean } | null; clearStale(): void } {
  return {
    holder: () => readLock(paths.stateDir),
    clearStale: () => {
      breakStaleLock(paths.stateDir);
      if (readLock(paths.stateDir)?.alive === false) fs.rmSync(lockFilePath(paths.stateDir), { force: true });
    },
  };
}
export { newRecordId, writeRecord as writeInboxRecord } from '../inbox/inbox-writer.js';
export { checkWritable, secureStateDir } from '../supervisor/store/state-dir.js';
export type { CrewServer };
// agents' worktrees for `validate`, `up`, `worktrees`, `diff`, `land`, `discard` and `report` (docs/worktrees.md)
export { cliWorktreeGit };
export { GitError, runGitInteractive } from '../git/git-run.js';
export { discard as discardWorktree } from '../git/worktree-discard.js';
export { land as landWorktree } from '../git/worktree-land.js';
export { inspectAll as inspectWorktrees, inspectWorktree, reportOf as worktreeReport, worktreeOwners } from '../git/worktree-inspect.js';
export { readMeta as readWorktreeMeta, short as shortCommit } from '../git/worktree-meta.js';
export { readWorktreeInfos } from '../git/worktree-runtime.js';
export { checkinsOf };

export interface RunningSupervisor {
  supervisor: Supervisor;
  server: CrewServer;
  /** resolves when the supervisor has ended (shutdown, down, or a fatal error), with the error if any */
  ended: Promise<{ failure: string | null }>;
  /** stops supervising; agents keep running */
  shutdown(): Promise<void>;
}

/** The crew's own tmux server of a project (not started by this). */
export function crewServerFor(projectDir: string, env: NodeJS.ProcessEnv = process.env): CrewServer {
  return new CrewServer({ socketName: socketNameFor(projectDir), env });
}

/** The cgroups of the crew of this tmux server, wherever the machine has them (to remove them). */
export function crewCgroups(server: CrewServer): Promise<CgroupDriver> {
  return detectCgroups({ name: server.socketName });
}

/** How this machine limits the crew of this tmux server: cgroups where it can, unless `MUSTER_CGROUPS=off`. */
function cgroupsFor(server: CrewServer, env: NodeJS.ProcessEnv = process.env): Promise<CgroupDriver> {
  const off = `MUSTER_CGROUPS=off${processSource().kind === 'ps' ? ', processes read with ps' : ''}`;
  return env.MUSTER_CGROUPS === 'off' ? Promise.resolve(noCgroups(off)) : crewCgroups(server);
}

/** The project's ledger, to read events from. */
export function openLedger(paths: StatePaths): Ledger {
  return new Ledger(paths.stateDir);
}

/** The project's ledger, read and checked (a `LedgerError` when muster cannot read it); null when there is none. */
export function readLedger(paths: StatePaths, project: ProjectSpec): LoadedLedger | null {
  return loadLedger(openLedger(paths), project.teams.flatMap((t) => t.agents), realClock.now());
}

/** A sampler of the machine's processes (e.g. for `status` without a supervisor). */
export function newSampler(): Sampler {
  // readings taken when asked (the ps source would hand out its last one)
  return new Sampler({ readTable: () => processSource().tableNow() });
}

export interface StartOptions {
  project: ProjectSpec;
  paths: StatePaths;
  musterBin: string;
  env?: NodeJS.ProcessEnv;
  /** hears every event and snapshot besides the control socket's clients (the headless output) */
  audience?: Audience;
  /** each start-up step as it begins (for `MUSTER_DEBUG`) */
  onStep?: (step: string) => void;
}

/**
 * Takes the lock, reads the ledger, connects to (or starts) the crew's tmux server, picks
 * the crew up and opens the control socket. A crew whose tmux server was gone starts afresh.
 */
export async function startSupervisor(opts: StartOptions): Promise<RunningSupervisor> {
  const step = opts.onStep ?? (() => undefined);
  step('lock');
  const lock: SupervisorLock = acquireLock(opts.paths.stateDir);
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const unwind = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    step('ledger');
    const ledger = openLedger(opts.paths);
    cleanups.push(() => ledger.close());
    const saved = readLedger(opts.paths, opts.project);
    const server = crewServerFor(opts.paths.project, opts.env);
    const existed = await server.answers();
    step('tmux server');
    await server.open();
    cleanups.push(() => server.close());
    const tmux = crewTmux(server);
    selectProcessSource(chooseProcessSource(opts.env ?? process.env)); // /proc, or ps where there is none (MUSTER_SAMPLER=ps)
    step('cgroups');
    const limits = new LimitsRuntime(await cgroupsFor(server, opts.env));
    const worktrees = new WorktreeRuntime({
      git: cliWorktreeGit,
      stateDir: opts.paths.stateDir,
      specs: opts.project.teams.flatMap((t) => t.agents),
      logFile: (id) => agentLogFile(opts.paths, id),
    });
    const supervisor = new Supervisor({
      project: opts.project,
      paths: opts.paths,
      ports: {
        tmux,
        processes: machineProcesses,
        sampler: new Sampler(),
        limits,
        inbox: inboxFolder(opts.paths.inboxDir),
        commits: new CommitWatch(),
        worktrees,
        ledger,
        clock: realClock,
        // the agents inherit the environment the crew's tmux server was started with
        transcripts: new TranscriptReader(opts.env ?? process.env),
        notifiers: notifiersFor(opts.project.notify, opts.project.dir, opts.env ?? process.env),
      },
      saved,
      musterBin: opts.musterBin,
      freshStart: !existed,
    });
    const control = new ControlServer(opts.paths.stateDir);
    let endedResolve!: (how: { failure: string | null }) => void;
    const ended = new Promise<{ failure: string | null }>((resolve) => (endedResolve = resolve));
    let ending: Promise<void> | null = null;
    let failure: string | null = null;
    const shutdown = (killServer = false) =>
      (ending ??= (async () => {
        await supervisor.shutdown();
        await control.close();
        if (killServer) {
          await server.killServer().catch(() => undefined);
          await limits.removeAll().catch(() => undefined);
        }
        await unwind();
        endedResolve({ failure });
      })());
    // `down`: the supervisor and its server end once the reply is on its way.
    control.onCommand(commandHandlers({ supervisor, tmux, worktrees, checkins: (agent) => checkinsOf(ledger.readEvents(), agent), end: () => void realClock.setTimeout(() => void shutdown(true), 50) }));
    control.onSubscribe((client) => client.send({ type: 'snapshot', snapshot: supervisor.status() }));
    supervisor.subscribe(control);
    if (opts.audience) supervisor.subscribe(opts.audience);
    const recovery = new ServerRecovery({
      serverAnswers: () => server.answers(),
      reopen: () => server.open(),
      reconnected: (reason, lost) => supervisor.reconnected(reason, lost),
      giveUp: (why) => {
        failure = why;
        void shutdown(false);
      },
      now: realClock.now,
    });
    server.on('clientExit', (reason) => {
      if (!ending) void recovery.lost(reason);
    });
    await supervisor.start(step);
    step('control socket');
    await control.listen();
    return { supervisor, server, ended, shutdown: () => shutdown(false) };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** Tokens and cost per agent, read from their CLIs' transcripts now (for `muster report`). */
export function readUsage(project: ProjectSpec, crew: CrewState | null, env: NodeJS.ProcessEnv = process.env): Record<string, ReportUsage> {
  if (crew === null) return {};
  const specs = project.teams.flatMap((t) => t.agents);
  const paths = statePaths(project.dir);
  const tokens = new TokenUsage(new TranscriptReader(env), specs, project.prices, (spec) => cliFiles(spec, paths));
  tokens.read(crew, realClock.now());
  const out: Record<string, ReportUsage> = {};
  for (const [id, v] of tokens.statusViews(crew)) {
    out[id] = { input: v.tokens.input, output: v.tokens.output, cacheWrite: v.tokens.cache_write, cacheRead: v.tokens.cache_read, cost: v.cost };
  }
  return out;
}
/** The size of a crew's panes (a log is rendered on a screen of this size). */
export { DEFAULT_SIZE } from '../tmux/team-plan.js';
