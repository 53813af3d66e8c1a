/**
 * Pure helpers for reading panes out of tmux formats: the `list-panes -a`
 * line format, and the pane-death subscription (one value covering every
 * pane of every session, since a control client's `%*` subscriptions only see
 * its own attached session).
 */

/** One pane of the crew's server, as `listPanes` reports it. */
export interface PaneInfo {
  paneId: string;
  panePid: number;
  dead: boolean;
  /** exit status once known; null while alive, or when a signal ended it */
  deadStatus: number | null;
  /** the signal that ended the process, when one did (extension) */
  deadSignal: number | null;
  /** the `@muster_agent` pane option */
  agentId: string | null;
  /** the `@muster_attempt` pane option */
  attempt: string | null;
  sessionId: string;
  sessionName: string;
  windowId: string;
  windowIndex: number;
  windowName: string;
}

const SEP = '\t';

/**
 * The `-F` format of `list-panes -a`: tab-separated; window and session names
 * last because tmux escapes tabs in them (`\t`), the user options are ours.
 */
export const PANE_FORMAT = [
  '#{pane_id}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{session_id}',
  '#{window_id}',
  '#{window_index}',
  '#{@muster_agent}',
  '#{@muster_attempt}',
  '#{session_name}',
  '#{window_name}',
].join(SEP);

/** Parses one line printed with PANE_FORMAT; null if it is not one. */
export function parsePaneLine(line: string): PaneInfo | null {
  const parts = line.split(SEP);
  if (parts.length < 12) return null;
  const [paneId, pid, dead, status, signal, sessionId, windowId, windowIndex, agent, attempt, sessionName] = parts;
  const windowName = parts.slice(11).join(SEP);
  if (!paneId?.startsWith('%') || !sessionId?.startsWith('$') || !windowId?.startsWith('@')) return null;
  const isDead = dead === '1';
  return {
    paneId,
    panePid: toInt(pid) ?? 0,
    dead: isDead,
    deadStatus: isDead ? toInt(status) : null,
    deadSignal: isDead ? toInt(signal) : null,
    agentId: agent ? agent : null,
    attempt: attempt ? attempt : null,
    sessionId,
    sessionName: sessionName ?? '',
    windowId,
    windowIndex: toInt(windowIndex) ?? 0,
    windowName,
  };
}

/** Name of the death subscription (`refresh-client -B`). */
export const DEATH_SUBSCRIPTION = 'muster-dead';

/**
 * Session-level subscription format looping over every session, window and
 * pane: `%N=DEAD/STATUS/SIGNAL/PID ` per pane. No commas: inside `#{P:…}` a
 * comma would start the format used for the active pane.
 */
export const DEATH_FORMAT =
  '#{S:#{W:#{P:#{pane_id}=#{pane_dead}/#{pane_dead_status}/#{pane_dead_signal}/#{pane_pid} }}}';

/** The state of one pane in a death-subscription value. */
export interface PaneLife {
  paneId: string;
  dead: boolean;
  status: number | null;
  signal: number | null;
  pid: number | null;
}

/** Parses a value produced by DEATH_FORMAT. Malformed entries are skipped. */
export function parseDeathValue(value: string): PaneLife[] {
  const out: PaneLife[] = [];
  for (const entry of value.split(' ')) {
    const m = /^(%\d+)=([01])\/(\d*)\/(\d*)\/(\d*)$/.exec(entry);
    if (!m || !m[1]) continue;
    out.push({ paneId: m[1], dead: m[2] === '1', status: toInt(m[3]), signal: toInt(m[4]), pid: toInt(m[5]) });
  }
  return out;
}

/** A pane whose process has ended. */
export interface PaneDeath {
  paneId: string;
  status: number | null;
  signal: number | null;
  pid: number | null;
}

/**
 * Turns successive subscription values into deaths, each reported once per
 * (pane, pid). tmux marks a pane dead when its terminal closes, which can be
 * a moment before the exit status is collected: a death is reported only
 * once the status or the signal is known.
 */
export class DeathWatch {
  private readonly reported = new Map<string, number | null>();

  /** Feeds one subscription value; returns the deaths not reported before. */
  update(lives: readonly PaneLife[]): PaneDeath[] {
    const deaths: PaneDeath[] = [];
    const seen = new Set<string>();
    for (const life of lives) {
      seen.add(life.paneId);
      if (!life.dead) {
        this.reported.delete(life.paneId);
        continue;
      }
      if (life.status === null && life.signal === null) continue;
      if (this.reported.has(life.paneId) && this.reported.get(life.paneId) === life.pid) continue;
      this.reported.set(life.paneId, life.pid);
      deaths.push({ paneId: life.paneId, status: life.status, signal: life.signal, pid: life.pid });
    }
    for (const paneId of [...this.reported.keys()]) if (!seen.has(paneId)) this.reported.delete(paneId);
    return deaths;
  }
}

function toInt(s: string | undefined): number | null {
  if (s === undefined || !/^-?\d+$/.test(s)) return null;
  return Number(s);
}
