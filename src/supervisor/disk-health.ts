/**
 * What the runner says when the ledger cannot write (a full disk) and when it has caught
 * up: the event line, and the status document's `disk` field (docs/reliability.md). Pure.
 */
import type { DiskView } from './control/contract.js';
import type { LedgerHealth } from './store/ledger.js';

/** The line of the event stream for a change of the ledger's health. */
export function healthNotice(h: LedgerHealth): { level: 'error' | 'info'; kind: string; message: string } {
  if (h.diskFull) {
    return {
      level: 'error',
      kind: 'disk-full',
      message: `disk full: cannot write ${h.file ?? 'the state folder'}; the agents keep running, the state waits in memory and is saved as soon as there is space`,
    };
  }
  const dropped = h.droppedEvents > 0 ? `; ${h.droppedEvents} event line(s) could not be kept` : '';
  return { level: 'info', kind: 'disk-ok', message: `disk space is back: the state is saved${dropped}` };
}

/** The status document's `disk` field. */
export function diskView(h: LedgerHealth): DiskView {
  return { full: h.diskFull, since: h.since === null ? null : new Date(h.since).toISOString(), file: h.file, pendingEvents: h.pendingEvents };
}
