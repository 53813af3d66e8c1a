/** `muster logs AGENT [-f] [-n LINES]`: the agent's captured pane output, readable. */
import * as fs from 'node:fs';
import { loadProject } from '../../config/load-project.js';
import { MusterError, UsageError } from '../../errors.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import { agentLogFile } from '../../supervisor/paths.js';
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
  if (!fs.existsSync(file)) {
    if (!flags.follow) throw new MusterError(`${ids[0]} has no output yet (${file})`, { hint: 'It has not started; see `muster status`.' });
  } else {
    const text = stripAnsi(fs.readFileSync(file, 'utf8'));
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    const shown = lines === null ? all : all.slice(Math.max(0, all.length - lines));
    if (shown.length > 0) ctx.stdout.write(`${shown.join('\n')}\n`);
  }
  if (!flags.follow) return 0;
  return follow(ctx, file);
}

/** Prints what is appended to the file until interrupted. */
async function follow(ctx: CliContext, file: string): Promise<number> {
  let offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const read = () => {
    if (!fs.existsSync(file)) return;
    const size = fs.statSync(file).size;
    if (size < offset) offset = 0; // truncated or replaced
    if (size === offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      ctx.stdout.write(stripAnsi(buf.toString('utf8')));
    } finally {
      fs.closeSync(fd);
    }
  };
  return new Promise((resolve) => {
    const timer = setInterval(read, 250);
    const end = () => {
      clearInterval(timer);
      resolve(0);
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}
