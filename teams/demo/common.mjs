// Shared helpers for the demo agents (plain Node, no dependencies).
//
// Every demo agent logs human-readable lines to stdout (that is what its tmux pane
// shows) and talks to muster through $MUSTER_BIN, a shell command string that runs
// muster. When MUSTER_BIN is unset the agents still run and print what they would
// have told muster. DEMO_SPEED (default 1) divides every delay, so tests can run
// the scripts quickly: DEMO_SPEED=20 makes a 2 s step take 100 ms.
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';

const factor = Number(process.env.DEMO_SPEED);
/** How much faster than real time the demo runs. */
export const speed = Number.isFinite(factor) && factor > 0 ? factor : 1;

/** A delay of `ms` milliseconds at demo speed. */
export function scaled(ms) {
  return Math.max(1, Math.round(ms / speed));
}

/** Resolves after `ms` milliseconds at demo speed. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, scaled(ms)));
}

/** This agent's `team/agent` id, from MUSTER_AGENT. */
export const agentId = process.env.MUSTER_AGENT || 'demo/(standalone)';
/** This agent's team name. */
export const team = agentId.includes('/') ? agentId.slice(0, agentId.indexOf('/')) : 'demo';

/** Prints one timestamped line, e.g. `10:04:12 worker: step 3/5`. */
export function log(name, text) {
  const time = new Date().toTimeString().slice(0, 8);
  console.log(`${time} ${name}: ${text}`);
}

/** Shell-quotes one argument, for showing a command line. */
function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `$MUSTER_BIN ARGS…` through /bin/sh -c (so MUSTER_BIN may hold any command
 * line, quotes included; the arguments are passed untouched as "$@").
 * Resolves true on success; never rejects: failures are logged.
 */
export function muster(name, ...args) {
  const bin = process.env.MUSTER_BIN;
  const shown = ['muster', ...args].map(quote).join(' ');
  if (!bin) {
    log(name, `(no MUSTER_BIN) would run: ${shown}`);
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', `${bin} "$@"`, 'muster', ...args], { timeout: 15_000 }, (error, _stdout, stderr) => {
      if (error) {
        const why = String(stderr).trim().split('\n')[0] || error.message;
        log(name, `${shown} failed: ${why}`);
        resolve(false);
      } else {
        log(name, `ran: ${shown}`);
        resolve(true);
      }
    });
  });
}

/** Calls `onLine` with each line typed into the agent (its stdin). */
export function readLines(onLine) {
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', onLine);
  return lines;
}

/** Logs and exits cleanly on SIGINT/SIGTERM, after running `cleanup` if given. */
export function exitOnSignals(name, cleanup) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(name, `stopping (${signal})`);
      if (cleanup) cleanup();
      process.exit(0);
    });
  }
}
