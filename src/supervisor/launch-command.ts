/**
 * What tmux runs in an agent's pane, and with which environment (README, "A team file"): the agent's
 * command line through `/bin/sh -c`, with `MUSTER_AGENT`, `MUSTER_DIR`, `MUSTER_BIN`, the
 * agent's env, `.muster/bin` (the `muster` launcher, launcher.ts) first on its PATH, and
 * without the user's `TMUX`, `TMUX_PANE` or `CLAUDECODE`. A small shell
 * prelude runs first (e.g. joining the agent's cgroup) so that every child is born where
 * it must be. Where signals enforce limits (no cgroup quota or freezer), the pane's own
 * process stays a shell that waits for the command and exits with its status: tmux
 * continues a pane process that is stopped (SIGCONT to its whole process group), so the
 * agent's processes must be below it for stop/continue duty cycling and pausing to hold.
 * Elsewhere the shell `exec`s the command, sparing a process per agent.
 */
import type { AgentSpec } from '../config/types.js';
import { shellQuote } from '../text/shell-quote.js';
import { launcherDir } from './launcher.js';

export interface LaunchPlan {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export const STRIPPED_ENV = ['TMUX', 'TMUX_PANE', 'CLAUDECODE'] as const;

export function launchPlan(
  spec: AgentSpec,
  opts: {
    stateDir: string;
    musterBin: string;
    attempt: number;
    prelude?: string;
    extraEnv?: Record<string, string>;
    /** keep a waiting shell as the pane's process (needed when stop/continue signals enforce limits) */
    waitingShell?: boolean;
  },
): LaunchPlan {
  const prelude = opts.prelude ? `${opts.prelude.trim()}\n` : '';
  const run = opts.waitingShell === false ? 'exec /bin/sh -c "$1"' : '/bin/sh -c "$1"\nexit $?';
  const path = `PATH=${shellQuote(launcherDir(opts.stateDir))}:"$PATH"; export PATH\n`;
  const script = `unset ${STRIPPED_ENV.join(' ')}\n${path}${prelude}${run}`;
  return {
    argv: ['/bin/sh', '-c', script, 'muster-agent', spec.run],
    cwd: spec.cwd,
    env: {
      ...spec.env,
      ...opts.extraEnv,
      MUSTER_AGENT: spec.id,
      MUSTER_DIR: opts.stateDir,
      MUSTER_BIN: opts.musterBin,
      MUSTER_ATTEMPT: String(opts.attempt),
    },
  };
}
