/**
 * The supervisor's side of the agents' hooks (agent-hooks.ts): reads the lines hooks
 * append to `.muster/hooks/<team>/<agent>.log` as soon as the folder changes (and at
 * every pulse), and turns them into `hook` events: the state the line reports and the
 * session id its payload carries. Lines written while no supervisor ran are read when
 * one starts (the last state and session of the current attempt win); lines of earlier
 * attempts are skipped. A line for another agent, or that is not a report, is refused
 * with an event; a line longer than a report can be is dropped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Activity } from '../core/agent-state.js';
import type { CrewEvent } from '../core/crew-events.js';
import type { CrewState } from '../core/agent-state.js';
import type { AgentSpec } from '../config/types.js';
import { makePrivateDir } from '../sys/atomic-file.js';
import { hookReportFile, PAYLOAD_BYTES, REPORT_MARK } from './agent-hooks.js';
import type { StatePaths } from './paths.js';
import type { Clock } from '../sys/time.js';

/** A report line is never longer than this; a longer run of bytes is not one. */
const MAX_LINE = PAYLOAD_BYTES * 4 + 1024;
/** A file is read at most this far back (what piled up while no supervisor ran). */
const MAX_BACKLOG = 1024 * 1024;
/** A file read to its end past this size is moved aside (`.log.1`) and started anew. */
const ROTATE_AT = 256 * 1024;

const STATES = new Set(['busy', 'waiting', 'idle', 'none']);
const SESSION_RE = /"session_id"\s*:\s*"([A-Za-z0-9_.:-]{1,128})"/;

export interface ParsedReport {
  agent: string;
  attempt: number;
  activity: Activity | null;
  event: string;
  session: string | null;
}

/** One line as a report of `owner`'s hooks, or why it is refused. */
export function parseReportLine(line: string, owner: string): { ok: true; report: ParsedReport } | { ok: false; why: string } {
  const f = line.split('\t');
  if (f.length < 7 || f[0] !== REPORT_MARK) return { ok: false, why: 'not a hook report' };
  const [, agent = '', attemptText = '', state = '', event = '', envAgent = ''] = f;
  const attempt = Number(attemptText);
  if (!Number.isInteger(attempt) || attempt < 1 || !STATES.has(state) || event === '') return { ok: false, why: 'not a hook report' };
  if (agent !== owner || (envAgent !== '' && envAgent !== owner)) {
    return { ok: false, why: `reports for agent ${JSON.stringify(envAgent !== '' && envAgent !== owner ? envAgent : agent)}, not ${owner}` };
  }
  const payload = f.slice(6).join('\t');
  const session = SESSION_RE.exec(payload)?.[1] ?? null;
  return { ok: true, report: { agent, attempt, activity: state === 'none' ? null : (state as Activity), event, session } };
}

interface Deps {
  paths: StatePaths;
  specs: readonly AgentSpec[];
  crew: () => CrewState;
  dispatch: (event: CrewEvent) => void;
  notice: (level: 'info' | 'warn' | 'error', agent: string | null, kind: string, message: string) => void;
  clock: Clock;
}

export class HookReports {
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();
  private readonly watchers: fs.FSWatcher[] = [];
  private timer: unknown = null;
  private readonly specs: AgentSpec[];

  constructor(private readonly d: Deps) {
    this.specs = d.specs.filter((s) => s.preset.hooks !== null);
  }

  /** Watches the teams' report folders and reads what is there already. */
  start(): void {
    const dirs = new Set(this.specs.map((s) => path.dirname(hookReportFile(this.d.paths, s.id))));
    for (const dir of dirs) {
      try {
        makePrivateDir(dir);
        const w = fs.watch(dir, () => this.soon());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // the pulse reads the files anyway
      }
    }
    this.poll();
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    if (this.timer !== null) this.d.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private soon(): void {
    if (this.timer !== null) return;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = null;
      this.poll();
    }, 10);
  }

  /** Reads every agent's new lines; one event per agent with what they told. */
  poll(): void {
    for (const spec of this.specs) {
      try {
        this.read(spec.id);
      } catch (err) {
        this.d.notice('error', spec.id, 'hook-error', `hook reports: ${(err as Error).message}`);
      }
    }
  }

  private read(id: string): void {
    const file = hookReportFile(this.d.paths, id);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      // no file yet: one made from now on is read from its start
      if (!this.offsets.has(id)) this.offsets.set(id, 0);
      return;
    }
    const first = !this.offsets.has(id);
    let offset = first ? Math.max(0, size - MAX_BACKLOG) : (this.offsets.get(id) as number);
    if (offset > size) offset = 0; // replaced under us
    if (offset === size) return;
    const text = this.readRange(file, offset, size);
    this.offsets.set(id, size);
    this.take(id, text, first && offset > 0);
    if (size >= ROTATE_AT) this.rotate(id, file, size);
  }

  private readRange(file: string, from: number, to: number): string {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(to - from);
      const n = fs.readSync(fd, buf, 0, buf.length, from);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  private rotate(id: string, file: string, size: number): void {
    const old = `${file}.1`;
    fs.renameSync(file, old);
    // a hook that opened the file before the move wrote into the old one
    const late = fs.statSync(old).size;
    this.offsets.set(id, 0);
    if (late > size) this.take(id, this.readRange(old, size, late), false);
  }

  private take(id: string, text: string, startsMidLine: boolean): void {
    let buf = (this.partial.get(id) ?? '') + text;
    this.partial.delete(id);
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    if (startsMidLine) lines.shift();
    if (buf.length > MAX_LINE) {
      this.d.notice('warn', id, 'hook-refused', `dropped ${buf.length} bytes in its hook report file that are no report`);
      buf = '';
    }
    if (buf !== '') this.partial.set(id, buf);
    const rt = this.d.crew().agents[id];
    let attempt = 0;
    let activity: Activity | null = null;
    let session: string | null = null;
    let bad = 0;
    for (const line of lines) {
      if (line === '') continue;
      const r = parseReportLine(line.length > MAX_LINE ? '' : line, id);
      if (!r.ok) {
        if (r.why.startsWith('reports for')) this.d.notice('warn', id, 'hook-refused', `refused a hook report: it ${r.why}`);
        else bad++;
        continue;
      }
      if (!rt || r.report.attempt !== rt.attempt) continue;
      attempt = r.report.attempt;
      activity = r.report.activity ?? activity;
      session = r.report.session ?? session;
    }
    if (bad > 0) this.d.notice('warn', id, 'hook-refused', `ignored ${bad} line(s) in its hook report file that are no report`);
    if (attempt > 0) this.d.dispatch({ type: 'hook', agent: id, attempt, activity, session });
  }
}
