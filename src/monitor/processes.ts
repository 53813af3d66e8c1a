/**
 * The machine's processes, as the runner's `ProcessPort` reads and signals them: from the
 * source in force, /proc or ps (process-source.ts; docs/commands.md#environment).
 */
import { processSource } from './process-source.js';
import type { ProcRow, ProcTable } from './proc-table.js';

export const machineProcesses = {
  readTable: (): ProcTable => processSource().table(),
  /**
   * One process; used to prove a pane's process that tmux just reported alive. With ps, a
   * process launched since the last reading is not in it yet: it gets the current second as
   * its start time, which its first reading confirms (process-source.ts).
   */
  readRow: (pid: number): ProcRow | null => {
    const source = processSource();
    const row = source.row(pid);
    if (row || source.kind === 'proc') return row;
    const starttime = source.startOf(pid);
    return starttime === null ? null : { pid, ppid: 0, pgrp: pid, sid: pid, state: 'S', ticks: 0, rss: 0, starttime, comm: '' };
  },
  signal: (pid: number, signal: NodeJS.Signals): void => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already, or not ours to signal
    }
  },
  /** the process's environment (NUL-separated), or null when it cannot be read */
  readEnviron: (pid: number): string | null => processSource().environ(pid),
};
