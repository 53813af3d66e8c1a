/**
 * `muster logs AGENT [-f] [-n LINES] [--raw]`: the agent's captured pane output across its
 * rotated files (`<agent>.log.N` … `<agent>.log.1`, then `<agent>.log`). By default the
 * bytes are played through a terminal emulator of the pane's size and printed as the
 * lines a person saw (text/log-render.ts), so a CLI that redraws its screen reads as text;
 * `--raw` prints the bytes as they were written.
 */
import * as fs from 'node:fs';
import { loadProject } from '../../config/load-project.js';
import { MusterError, UsageError } from '../../errors.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import { agentLogFile } from '../../supervisor/paths.js';
import { LogFollower, logParts, readLogLines, readLogTail } from '../../sys/capped-log.js';
import { LogRenderer } from '../../text/log-render.js';
import { DEFAULT_SIZE } from '../compose.js';
import type { CliContext } from '../context.js';
import type { Flags } from './dispatch.js';

export async function runLogs(ctx: CliContext, name: string, flags: Flags): Promise<number> {
  const project = await loadProject(ctx.dir);
  const ids = resolveAgents(project.teams.flatMap((t) => t.agents), [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; logs shows one`, `Pick one of: ${ids.join(', ')}`);
  const file = agentLogFile(ctx.paths, ids[0] as string);
  const lines = flags.lines === undefined ? (flags.follow ? 20 : null) : Number(flags.lines);
  if (lines !== null && (!Number.isInteger(lines) || lines < 0)) throw new UsageError(`-n takes a whole number, not "${String(flags.lines)}"`);
  const raw = Boolean(flags.raw);
  // the follower starts at the end as it is now: nothing is printed twice or skipped
  const follower = flags.follow ? new LogFollower(file) : null;
  const renderer = raw ? null : new LogRenderer(DEFAULT_SIZE);
  try {
    if (logParts(file).length === 0) {
      if (!follower) throw new MusterError(`${ids[0]} has no output yet (${file})`, { hint: 'It has not started; see `muster status`.' });
    } else if (raw) {
      await printRaw(ctx, file, lines, follower?.startedAt);
    } else {
      await printRendered(ctx, renderer as LogRenderer, file, lines, follower?.startedAt);
    }
    if (!follower) return 0;
    return await follow(ctx, follower, renderer);
  } finally {
    renderer?.dispose();
  }
}

/** Total bytes of the log's files (the current one only up to `currentSize`). */
function logSize(file: string, currentSize?: number): number {
  return logParts(file).reduce((n, p) => {
    const size = fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
    return n + (p === file && currentSize !== undefined ? Math.min(size, currentSize) : size);
  }, 0);
}

/** The last `lines` lines as written (all when null), escapes and all. */
async function printRaw(ctx: CliContext, file: string, lines: number | null, currentSize?: number): Promise<void> {
  if (lines === null) for (const chunk of logChunks(file, currentSize)) ctx.stdout.write(chunk);
  else writeLines(ctx, readLogLines(file, lines, currentSize));
}

/** The log from its oldest kept byte on, in pieces of at most 1 MiB (the current file only up to `currentSize`). */
function* logChunks(file: string, currentSize?: number): Generator<Buffer> {
  for (const part of logParts(file)) {
    let fd: number;
    try {
      fd = fs.openSync(part, 'r');
    } catch {
      continue; // rotated away meanwhile
    }
    try {
      const size = part === file && currentSize !== undefined ? Math.min(currentSize, fs.fstatSync(fd).size) : fs.fstatSync(fd).size;
      for (let pos = 0; pos < size; ) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - pos));
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        pos += n;
        yield buf.subarray(0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * The rendered lines: every one when `lines` is null (the whole log played through), else
 * the last `lines`, rendering the log's tail and reaching further back only as needed.
 */
async function printRendered(ctx: CliContext, r: LogRenderer, file: string, lines: number | null, currentSize?: number): Promise<void> {
  if (lines === null) {
    for (const chunk of logChunks(file, currentSize)) writeLines(ctx, await r.write(chunk));
    writeLines(ctx, r.flush());
    return;
  }
  if (lines === 0) return;
  const total = logSize(file, currentSize);
  for (let window = Math.max(64 * 1024, lines * 512); ; window *= 4) {
    const probe = new LogRenderer(DEFAULT_SIZE);
    const data = readLogTail(file, Math.min(window, total), currentSize);
    const shown = [...(await probe.write(data)), ...probe.flush()];
    probe.dispose();
    if (window >= total || shown.length > lines) {
      // the renderer that follows goes on from the same screen
      await r.write(data);
      r.flush();
      writeLines(ctx, shown.slice(Math.max(0, shown.length - lines)));
      return;
    }
  }
}

function writeLines(ctx: CliContext, lines: readonly string[]): void {
  if (lines.length > 0) ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** Prints what is appended to the log (through rotations) until interrupted. */
async function follow(ctx: CliContext, follower: LogFollower, renderer: LogRenderer | null): Promise<number> {
  let busy = Promise.resolve();
  const read = () => {
    busy = busy.then(async () => {
      const chunk = follower.read();
      if (chunk.length === 0) return;
      if (renderer) writeLines(ctx, await renderer.write(chunk));
      else ctx.stdout.write(chunk);
    });
    return busy;
  };
  return new Promise((resolve) => {
    const timer = setInterval(() => void read(), 250);
    const end = () => {
      clearInterval(timer);
      void read().then(() => {
        if (renderer) writeLines(ctx, renderer.flush());
        follower.close();
        resolve(0);
      });
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}
