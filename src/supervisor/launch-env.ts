/**
 * What a new attempt gets besides the usual MUSTER_* variables: the last output of the
 * attempt before it (a file, for retries: `MUSTER_PREVIOUS_OUTPUT`), and the handoffs
 * still waiting for it (`MUSTER_HANDOFF`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Handoff } from '../core/agent-state.js';
import { branchNote } from '../core/coordination.js';
import { stripAnsi } from '../text/strip-ansi.js';
import { agentLogFile, type StatePaths } from './paths.js';

/** How much of the previous attempt's output a retry gets. */
const PREVIOUS_OUTPUT_BYTES = 64 * 1024;

export function launchEnv(paths: StatePaths, agentId: string, attempt: number, handoffs: readonly Handoff[]): Record<string, string> {
  const env: Record<string, string> = {};
  const log = agentLogFile(paths, agentId);
  if (attempt > 1 && fs.existsSync(log)) {
    const file = path.join(paths.stateDir, 'attempts', `${agentId.replace('/', '.')}.${attempt - 1}.txt`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stripAnsi(readTail(log, PREVIOUS_OUTPUT_BYTES)));
    env.MUSTER_PREVIOUS_OUTPUT = file;
  }
  const waiting = handoffs.filter((h) => h.to === agentId && h.state === 'pending');
  if (waiting.length > 0) {
    env.MUSTER_HANDOFF = waiting
      .map((h) => {
        const where = branchNote(h.branch, h.commit);
        return `from ${h.from}${where ? ` (${where})` : ''}: ${h.message}${h.file ? ` (file: ${h.file})` : ''}`;
      })
      .join('\n');
  }
  return env;
}

/** The last `bytes` of a file. */
function readTail(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
