/**
 * The composition root: the one place where the real adapters (tmux server, /proc
 * sampler, ledger, lock, control socket) are wired to the supervisor.
 */
import type { ProjectSpec } from '../config/types.js';
import { detectCgroups, noCgroups } from '../monitor/cgroups.js';
import { Sampler } from '../monitor/sampler.js';
import { LimitsRuntime } from '../supervisor/limits-runtime.js';
import { handleCommand } from '../supervisor/commands.js';
import { ControlServer } from '../supervisor/control/control-server.js';
import type { StatePaths } from '../supervisor/paths.js';
import { realClock, type CrewTmux } from '../supervisor/ports.js';
import { acquireLock, type SupervisorLock } from '../supervisor/store/lock.js';
import { Ledger } from '../supervisor/store/ledger.js';
import { ServerRecovery } from '../supervisor/server-recovery.js';
import { Supervisor, type CrewNotice, type SupervisorListener } from '../supervisor/supervisor.js';
import { ANCHOR_SESSION, CrewServer, socketNameFor } from '../tmux/crew-server.js';
import { cliWorktreeGit } from '../git/worktree-git.js';

export interface RunningSupervisor {
  supervisor: Supervisor;
  server: CrewServer;
  /** resolves when the supervisor has ended (shutdown, down, or a fatal error), with the error if any */
  ended: Promise<{ failure: string | null }>;
  /** stops supervising; agents keep running */
  shutdown(): Promise<void>;
}

export function crewServerFor(projectDir: string, env: NodeJS.ProcessEnv = process.env): CrewServer {
  return new CrewServer({ socketName: socketNameFor(projectDir), env });
}

/** The supervisor's view of the crew's tmux server. */
export function tmuxPort(server: CrewServer): CrewTmux {
  return {
    socketPath: () => server.socketPath(),
    ensureTeam: (team) => server.ensureTeam(team),
    listPanes: () => server.listPanes(),
    launch: (paneId, options) => server.launch(paneId, options),
    sendKeys: (paneId, keys) => server.sendKeys(paneId, keys),
    pasteText: (paneId, text) => server.pasteText(paneId, text),
    capture: (paneId, options) => server.capture(paneId, options),
    cursorLine: async (paneId) => {
      const [y] = await server.run(['display-message', '-p', '-t', paneId, '#{cursor_y}']);
      const lines = await server.run(['capture-pane', '-p', '-J', '-t', paneId, '-S', String(y ?? 0), '-E', String(y ?? 0)]);
      return lines.join('\n');
    },
    killSession: async (name) => {
      await server.killSession(name);
    },
    onPaneDied: (listener) => {
      server.on('paneDied', (paneId) => listener(paneId));
      server.on('paneGone', (paneId) => listener(paneId));
    },
    reportsPaneChanges: () => server.reportsPaneChanges,
  };
}

export interface StartOptions {
  project: ProjectSpec;
  paths: StatePaths;
  musterBin: string;
  env?: NodeJS.ProcessEnv;
  onNotice?: (notice: CrewNotice) => void;
  /** each start-up step as it begins (for `MUSTER_DEBUG`) */
  onStep?: (step: string) => void;
}

/**
 * Takes the lock, connects to (or starts) the crew's tmux server, picks the crew up and
 * opens the control socket. A crew whose tmux server was gone starts afresh.
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
    const server = crewServerFor(opts.paths.project, opts.env);
    const existed = await CrewServer.probe(server.socketName, { env: opts.env });
    step('tmux server');
    await server.open();
    cleanups.push(() => server.close());
    const ledger = new Ledger(opts.paths.stateDir);
    cleanups.push(() => ledger.close());
    const tmux = tmuxPort(server);
    const env = opts.env ?? process.env;
    step('cgroups');
    const driver = env.MUSTER_CGROUPS === 'off' ? noCgroups('MUSTER_CGROUPS=off') : await detectCgroups({ name: server.socketName });
    const limits = new LimitsRuntime(driver);
    const supervisor = new Supervisor({
      project: opts.project,
      paths: opts.paths,
      tmux,
      ledger,
      musterBin: opts.musterBin,
      sampler: new Sampler(),
      limits,
      clock: realClock,
      freshStart: !existed,
      worktreeGit: cliWorktreeGit,
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
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    control.onCommand((cmd, args) =>
      handleCommand(
        {
          supervisor,
          tmux,
          sleep,
          down: async () => {
            await downCrew(supervisor, tmux, opts.project);
            // Reply first; then end the supervisor and its server.
            setTimeout(() => void shutdown(true), 50);
          },
        },
        cmd,
        args,
      ),
    );
    control.onSubscribe((client) => client.send({ type: 'snapshot', snapshot: supervisor.status() }));
    const forward: SupervisorListener = (message) => {
      control.broadcast(message);
      if (message.type === 'event') opts.onNotice?.(message.event);
    };
    supervisor.subscribe(forward, () => control.subscriberCount > 0);
    const recovery = new ServerRecovery({
      serverAnswers: () => CrewServer.probe(server.socketName, { env: opts.env }),
      reopen: () => server.open(),
      reconnected: (reason, lost) => supervisor.reconnected(reason, lost),
      giveUp: (why) => {
        failure = why;
        void shutdown(false);
      },
      now: () => Date.now(),
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

/** `muster down`: every agent stopped gracefully, then the teams' sessions removed. */
export async function downCrew(supervisor: Supervisor, tmux: CrewTmux, project: ProjectSpec): Promise<void> {
  const ids = supervisor.allSpecs().map((s) => s.id);
  supervisor.dispatch({ type: 'stop', agents: ids, reason: 'down' });
  await supervisor.idle(ids);
  for (const team of project.teams) await tmux.killSession(team.name);
}

export { ANCHOR_SESSION };
