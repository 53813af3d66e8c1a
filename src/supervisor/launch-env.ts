/**
 * What a new attempt gets besides the usual MUSTER_* variables: the last output of the
 * attempt before it (a file, for retries: `MUSTER_PREVIOUS_OUTPUT`), and the handoffs
 * still waiting for it (`MUSTER_HANDOFF`).
 */
import * as path from 'node:path';
import type { Handoff } from '../core/agent-state.js';
import { branchNote } from '../core/coordination.js';
import { isDiskFull, makePrivateDir, writeFileAtomic } from '../sys/atomic-file.js';
import { logParts, readLogTail } from '../sys/capped-log.js';
import { stripAnsi } from '../text/strip-ansi.js';
import { agentLogFile, type StatePaths } from './paths.js';

/** How much of the previous attempt's output a retry gets. */
const PREVIOUS_OUTPUT_BYTES = 64 * 1024;

export function launchEnv(paths: StatePaths, agentId: string, attempt: number, handoffs: readonly Handoff[]): Record<string, string> {
  const env: Record<string, string> = {};
  const log = agentLogFile(paths, agentId);
  if (attempt > 1 && logParts(log).length > 0) {
    const file = path.join(paths.stateDir, 'attempts', `${agentId.replace('/', '.')}.${attempt - 1}.txt`);
    try {
      makePrivateDir(path.dirname(file));
      writeFileAtomic(file, stripAnsi(readLogTail(log, PREVIOUS_OUTPUT_BYTES).toString('utf8')));
      env.MUSTER_PREVIOUS_OUTPUT = file;
    } catch (err) {
      // a full disk costs the retry its previous output, not its launch
      if (!isDiskFull(err)) throw err;
    }
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
