/**
 * `muster logs AGENT [-f] [-n LINES]`: the agent's captured pane output, readable, across
 * its rotated files (`<agent>.log.N` … `<agent>.log.1`, then `<agent>.log`).
 */
import { loadProject } from '../../config/load-project.js';
import { MusterError, UsageError } from '../../errors.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import { agentLogFile } from '../../supervisor/paths.js';
import { LogFollower, logParts, readLogLines } from '../../sys/capped-log.js';
import type { CliContext } from '../context.js';
import { stripAnsi } from '../../text/strip-ansi.js';
import type { Flags } from './dispatch.js';

export async function runLogs(ctx: CliContext, name: string, flags: Flags): Promise<number> {
  const project = await loadProject(ctx.dir);
  const ids = resolveAgents(project.teams.flatMap((t) => t.agents), [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; logs shows one`, `Pick one of: ${ids.join(', ')}`);
  const file = agentLogFile(ctx.paths, ids[0] as string);
  const lines = flags.lines === undefined ? (flags.follow ? 20 : null) : Number(flags.lines);
  if (lines !== null && (!Number.isInteger(lines) || lines < 0)) throw new UsageError(`-n takes a whole number, not "${String(flags.lines)}"`);
  // the follower starts at the end as it is now: nothing is printed twice or skipped
  const follower = flags.follow ? new LogFollower(file) : null;
  if (logParts(file).length === 0) {
    if (!follower) throw new MusterError(`${ids[0]} has no output yet (${file})`, { hint: 'It has not started; see `muster status`.' });
  } else {
    const shown = readLogLines(file, lines, follower?.startedAt).map(stripAnsi);
    if (shown.length > 0) ctx.stdout.write(`${shown.join('\n')}\n`);
  }
  if (!follower) return 0;
  return follow(ctx, follower);
}

/** Prints what is appended to the log (through rotations) until interrupted. */
async function follow(ctx: CliContext, follower: LogFollower): Promise<number> {
  const read = () => {
    const chunk = follower.read();
    if (chunk.length > 0) ctx.stdout.write(stripAnsi(chunk.toString('utf8')));
  };
  return new Promise((resolve) => {
    const timer = setInterval(read, 250);
    const end = () => {
      clearInterval(timer);
      read();
      follower.close();
      resolve(0);
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}
