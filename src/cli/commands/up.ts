/**
 * `muster up [--headless] [--quiet] [FILES…]`. Headless: the supervisor in the foreground, one line
 * per event. Otherwise: the supervisor is started on the crew's own tmux server (so it
 * outlives this terminal) unless one already runs, this command says where it is, and on
 * a terminal it then opens the TUI on it (src/ui). Quitting the TUI leaves the crew running.
 */
import * as path from 'node:path';
import { loadProject } from '../../config/load-project.js';
import type { ProjectSpec } from '../../config/types.js';
import { MusterError } from '../../errors.js';
import type { CrewNotice } from '../../supervisor/control/contract.js';
import { sleep } from '../../sys/time.js';
import { ANCHOR_SESSION, checkWritable, cliWorktreeGit, connectSupervisor, crewServerFor, readLedger, readLock, secureStateDir, startSupervisor } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';
import { checkRequires } from '../requires.js';

export async function runUp(ctx: CliContext, files: string[], opts: { headless: boolean; quiet: boolean }): Promise<number> {
  const absFiles = files.map((f) => path.resolve(f));
  const project = await loadProject(ctx.dir, absFiles.length > 0 ? absFiles : undefined, { repoProbe: cliWorktreeGit });
  await checkRequires(project);
  const tightened = secureStateDir(ctx.paths.stateDir);
  if (tightened.length > 0) {
    writeLine(
      ctx.stderr,
      `muster: warning: ${ctx.paths.stateDir} could be read by other users; tightened ${tightened.length} entr${tightened.length === 1 ? 'y' : 'ies'} to owner-only (folders 0700, files 0600)`,
    );
  }
  // said here, not in the log of a supervisor that never comes up (a running one copes: the TUI opens on it)
  if (!readLock(ctx.paths.stateDir)?.alive) checkWritable(ctx.paths.stateDir);
  if (opts.headless) return runHeadless(ctx, project);
  const code = await startInBackground(ctx, project, absFiles);
  if (code !== 0 || !process.stdin.isTTY || !process.stdout.isTTY) return code;
  return openTui(ctx, opts.quiet);
}

/** The TUI on the running supervisor; loaded only here, so other commands start fast. */
async function openTui(ctx: CliContext, quiet: boolean): Promise<number> {
  // React's development build renders markedly slower (and checks what a user has no use for).
  process.env.NODE_ENV ??= 'production';
  // Ink renders nothing when it believes it runs in CI; here a person sits at a terminal.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runTui } = await import('../../ui/run-tui.js');
  const { runCleanup } = await import('./cleanup.js');
  const { lessWaiting } = await import('../../ui/attach.js');
  const server = crewServerFor(ctx.dir, ctx.env);
  const result = await runTui({
    stateDir: ctx.paths.stateDir,
    tmuxCommand: (args) => server.tmuxCommand(args),
    env: ctx.env,
    quiet,
    // `X` in the TUI: exactly what `muster cleanup --yes` does; its report is printed after the TUI closed.
    cleanup: async () => {
      let out = '';
      const collect = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
      const code = await runCleanup({ ...ctx, stdout: collect, stderr: collect }, true);
      if (code !== 0) throw new MusterError(out.trim() || 'cleanup failed');
      return out.trimEnd();
    },
    // `d`: `muster diff AGENT` on the terminal; a pager that waits for q even when the diff is short
    diffCommand: (agentId) => ({ file: ctx.musterArgv[0] as string, args: [...ctx.musterArgv.slice(1), '-C', ctx.dir, 'diff', agentId], env: { ...ctx.env, LESS: lessWaiting(ctx.env.LESS) } }),
  });
  writeLine(result.code === 0 ? ctx.stdout : ctx.stderr, result.message);
  return result.code;
}

async function runHeadless(ctx: CliContext, project: ProjectSpec): Promise<number> {
  const running = await startSupervisor({
    project,
    paths: ctx.paths,
    musterBin: ctx.musterBin,
    audience: { publish: (m) => m.type === 'event' && writeLine(ctx.stdout, formatNotice(m.event)), wantsSnapshots: () => false },
    onStep: process.env.MUSTER_DEBUG ? (step) => writeLine(ctx.stderr, `muster: debug: ${new Date().toISOString()} starting: ${step}`) : undefined,
  });
  const agents = project.teams.reduce((n, t) => n + t.agents.length, 0);
  writeLine(
    ctx.stdout,
    `muster: supervising ${agents} agent(s) in ${project.teams.map((t) => t.name).join(', ')} (pid ${process.pid}, tmux socket ${running.server.socketPath()})`,
  );
  writeLine(ctx.stdout, 'muster: Ctrl-C ends the supervisor and leaves the agents running; `muster down` stops them.');
  const onSignal = () => void running.shutdown();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const { failure } = await running.ended;
  if (failure) {
    writeLine(ctx.stderr, `muster: ${failure}`);
    writeLine(ctx.stderr, 'hint: Run `muster status` to see what is left, then `muster up` again; logs and ledger are kept.');
    return 1;
  }
  writeLine(ctx.stdout, 'muster: supervisor ended');
  return 0;
}

async function startInBackground(ctx: CliContext, project: ProjectSpec, files: string[]): Promise<number> {
  const held = readLock(ctx.paths.stateDir);
  const server = crewServerFor(ctx.dir);
  if (held?.alive) {
    writeLine(ctx.stdout, `muster: the supervisor already runs (pid ${held.pid}) on tmux socket ${server.socketPath()}`);
    writeLine(ctx.stdout, 'muster: `muster status` shows the crew; `muster down` stops it.');
    return 0;
  }
  readLedger(ctx.paths, project); // a ledger muster cannot read is refused before anything starts
  await server.open();
  try {
    const anchor = (await server.listPanes()).find((p) => p.sessionName === ANCHOR_SESSION);
    if (!anchor) throw new MusterError(`the crew's tmux server has no ${ANCHOR_SESSION} session`, { hint: 'Run `muster cleanup --yes`, then `muster up` again.' });
    const command = [...ctx.musterArgv, '-C', ctx.dir, 'up', '--headless', ...files];
    await server.launch(anchor.paneId, {
      command,
      cwd: ctx.dir,
      env: {},
      attempt: 'supervisor',
      logFile: path.join(ctx.paths.logsDir, 'supervisor.log'),
      logCap: project.logs,
    });
  } finally {
    await server.close();
  }
  const pid = await waitForSupervisor(ctx, 20_000);
  const agents = project.teams.reduce((n, t) => n + t.agents.length, 0);
  writeLine(ctx.stdout, `muster: supervisor started (pid ${pid}) for ${agents} agent(s) on tmux socket ${server.socketPath()}`);
  writeLine(ctx.stdout, 'muster: `muster status` shows the crew, `muster attach AGENT` opens one, `muster down` stops them all.');
  return 0;
}

async function waitForSupervisor(ctx: CliContext, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 1000 });
      try {
        const status = await client.request('status');
        return status.supervisor.pid as number;
      } finally {
        client.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        throw new MusterError('the supervisor did not come up', {
          hint: `See its output in ${path.join(ctx.paths.logsDir, 'supervisor.log')}, or run \`muster up --headless\` to watch it start.`,
          cause: err,
        });
      }
      await sleep(100);
    }
  }
}

/** One line per event: `12:00:01 demo/web      started (attempt 1, pid 123)`. */
export function formatNotice(n: CrewNotice): string {
  const time = n.time.slice(11, 19);
  const who = (n.agent ?? 'muster').padEnd(16);
  const mark = n.level === 'error' ? '!! ' : n.level === 'warn' ? '!  ' : '';
  return `${time} ${who} ${mark}${n.message}`;
}
