/**
 * What `CrewServer.launch` sends to tmux to start an agent's attempt in its pane: the
 * process (argv, cwd, environment), the capped log of its output, and the attempt mark.
 * Building the commands is pure; `prepareLaunch` checks and prepares the files they need.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../sys/atomic-file.js';
import { cappedLogScript, DEFAULT_LOG_CAP, type LogCap } from '../sys/capped-log.js';
import { escapeFormat } from './control-protocol.js';
import { TmuxArgumentError, TmuxError } from './errors.js';
import { assertPlainValue } from './team-plan.js';

/** What `launch` runs in a pane. */
export interface LaunchSpec {
  /** argv, exec'd directly by tmux (a single element is exec'd through /bin/sh without word splitting) */
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** stored in the pane option `@muster_attempt` */
  attempt: string;
  /** the pane's output is appended here (created 0600) */
  logFile: string;
  /** the log's size cap and rotated files kept (default 50 MiB, 3) */
  logCap?: LogCap;
}

/**
 * The commands that replace the pane's process with `spec.command` (cwd, env added), append
 * its output to `spec.logFile`, capped and rotated (src/sys/capped-log.ts), mark the pane with
 * the attempt, and print the new process's pid (the last command's answer).
 */
export function launchCommands(paneId: string, spec: LaunchSpec): string[][] {
  assertPaneId(paneId);
  assertPlainValue('attempt', spec.attempt);
  const argv = spec.command.length === 1 ? ['/bin/sh', '-c', 'exec "$0"', spec.command[0] as string] : spec.command;
  if (argv.length === 0) throw new TmuxArgumentError('launch needs a command');
  const envArgs: string[] = [];
  for (const [k, v] of Object.entries(spec.env)) {
    if (!/^[^=\0]+$/.test(k)) throw new TmuxArgumentError(`invalid environment variable name ${JSON.stringify(k)}`);
    envArgs.push('-e', `${k}=${v}`);
  }
  return [
    ['respawn-pane', '-k', '-t', paneId, '-c', escapeFormat(spec.cwd), ...envArgs, '--', ...argv],
    ['pipe-pane', '-t', paneId],
    ['pipe-pane', '-o', '-t', paneId, escapeFormat(cappedLogScript(spec.logFile, spec.logCap ?? DEFAULT_LOG_CAP))],
    ['set-option', '-p', '-t', paneId, '@muster_attempt', spec.attempt],
    ['display-message', '-p', '-t', paneId, '#{pane_pid}'],
  ];
}

/** The working folder must exist; the log's folder is made private, and an old log too. */
export async function prepareLaunch(spec: LaunchSpec): Promise<void> {
  const cwdOk = await stat(spec.cwd).then((s) => s.isDirectory(), () => false);
  if (!cwdOk) throw new TmuxError(`working directory ${spec.cwd} does not exist`, { hint: 'Create it, or fix `cwd` in the team file.' });
  await mkdir(path.dirname(spec.logFile), { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: unknown) => {
    throw new TmuxError(`cannot create the log folder of ${spec.logFile}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'Check the permissions of the state folder (.muster/).',
      cause: err,
    });
  });
  // a log left by an older muster may be readable by others
  await chmod(spec.logFile, PRIVATE_FILE_MODE).catch(() => undefined);
}

export function assertPaneId(paneId: string): void {
  if (!/^%\d+$/.test(paneId)) throw new TmuxArgumentError(`invalid tmux pane id ${JSON.stringify(paneId)}`);
}
