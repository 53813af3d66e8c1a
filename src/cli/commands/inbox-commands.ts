/**
 * `muster checkin [MESSAGE]`, `muster handoff TO MESSAGE [--file PATH]`, `muster done
 * [MESSAGE]`: run inside an agent (identity from MUSTER_AGENT; state folder from -C when
 * given — an agent started by hand, a hook running elsewhere — else MUSTER_DIR). The record
 * is durable when the command returns; a supervisor takes it whenever it runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../errors.js';
import { MAX_MESSAGE_CHARS, type InboxKind, type InboxRecord } from '../../inbox/record.js';
import { newRecordId, writeInboxRecord } from '../compose.js';
import { realPathInside } from '../../sys/inside-dir.js';
import { writeLine, type CliContext } from '../context.js';
import type { Flags } from './dispatch.js';

export async function runInboxCommand(ctx: CliContext, kind: InboxKind, positionals: string[], flags: Flags): Promise<number> {
  const to = kind === 'handoff' ? (positionals[0] as string) : null;
  const message = (kind === 'handoff' ? positionals[1] : positionals[0]) ?? null;
  const file = typeof flags.file === 'string' ? flags.file : null;
  const record = recordFromAgent(ctx, { kind, to, message, file });
  writeLine(ctx.stdout, recordedLine(record));
  return 0;
}

/** Who is asking: the agent's id and its project's state folder (-C first, else MUSTER_DIR). */
export function agentIdentity(ctx: CliContext, kind: string): { agent: string; stateDir: string } {
  const agent = ctx.env.MUSTER_AGENT;
  const stateDir = ctx.dirGiven ? ctx.paths.stateDir : ctx.env.MUSTER_DIR;
  if (!agent || !stateDir) {
    const missing = !agent ? (ctx.dirGiven || ctx.env.MUSTER_DIR ? 'MUSTER_AGENT is' : 'MUSTER_AGENT and MUSTER_DIR are') : 'MUSTER_DIR is';
    throw new UsageError(
      `${kind} is run from inside an agent (${missing} not set)`,
      'Agents started by muster have them; elsewhere set MUSTER_AGENT=team/agent and name the project with -C DIR. To message an agent from outside, use `muster send AGENT MESSAGE`.',
    );
  }
  return { agent, stateDir };
}

/**
 * Checks and writes one record into the inbox, durable when it returns; the one path of
 * `muster checkin|handoff|done` and of the same tools of `muster mcp`. `file` is relative to
 * the current folder.
 */
export function recordFromAgent(
  ctx: CliContext,
  req: { kind: InboxKind; to: string | null; message: string | null; file: string | null },
): InboxRecord {
  const { agent, stateDir } = agentIdentity(ctx, req.kind);
  if (req.message !== null && req.message.length > MAX_MESSAGE_CHARS) {
    throw new UsageError(`the message is longer than ${MAX_MESSAGE_CHARS} characters`, 'Put long text in a file and pass it with --file.');
  }
  const file = req.file !== null ? checkFile(req.file, path.dirname(stateDir)) : null;
  const now = Date.now();
  const record: InboxRecord = { v: 1, id: newRecordId(now), kind: req.kind, agent, message: req.message, to: req.to, file, at: now };
  writeInboxRecord(path.join(stateDir, 'inbox'), record);
  return record;
}

export function recordedLine(record: InboxRecord): string {
  return `muster: ${record.kind} recorded for ${record.agent}${record.to ? ` → ${record.to}` : ''}`;
}

/** A handoff's file must exist inside the project; returns its real path. */
function checkFile(file: string, projectDir: string): string {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UsageError(`--file ${file}: no such file`, 'Write the file first, then hand it off.');
  const real = realPathInside(abs, projectDir);
  if (real === null) {
    throw new UsageError(`--file ${file} is outside the project (${projectDir})`, 'Hand off files inside the project directory only.');
  }
  return real;
}
