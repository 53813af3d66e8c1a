/** The machine's processes, as the runner's `ProcessPort` reads and signals them. */
import { readFileSync } from 'node:fs';
import { readProcRow, readProcTable, type ProcRow, type ProcTable } from './proc-table.js';

export const machineProcesses = {
  readTable: (): ProcTable => readProcTable(),
  readRow: (pid: number): ProcRow | null => readProcRow(pid),
  signal: (pid: number, signal: NodeJS.Signals): void => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already, or not ours to signal
    }
  },
  /** the process's environment (NUL-separated), or null when it cannot be read */
  readEnviron: (pid: number): string | null => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      return null;
    }
  },
};
