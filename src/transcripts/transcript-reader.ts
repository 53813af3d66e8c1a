/**
 * The agents' token usage, read from their CLIs' transcripts (docs/needs-you.md, "Tokens and
 * cost"): each read takes only what was appended since the last one. An agent's records
 * are summed over every session it has had in this supervisor's life (a new session adds
 * to what the old ones spent); a transcript not written yet is looked for again every
 * few seconds, and one that disappears keeps what it had counted.
 */
import type { TokenCounts } from '../usage/prices.js';
import { UsageTally, type ModelTokens } from '../usage/agent-usage.js';
import { FileTail } from './file-tail.js';
import { parseUsageLine, USAGE_MARKS, type ParseState } from './formats.js';
import { locateTranscripts, type SessionRef } from './locate.js';

/** How often a transcript not found yet (or gone) is looked for. */
export const LOOK_EVERY_MS = 5_000;

export interface TokenReading {
  tokens: TokenCounts;
  byModel: ModelTokens[];
  /** model calls counted */
  calls: number;
  /** the transcripts read (the current session's) */
  files: string[];
}

interface SessionFiles {
  ref: SessionRef;
  tails: Map<string, { tail: FileTail; state: ParseState }>;
  lastLook: number | null;
}

interface AgentFiles {
  tally: UsageTally;
  sessions: Map<string, SessionFiles>;
}

export class TranscriptReader {
  private readonly agents = new Map<string, AgentFiles>();

  constructor(
    /** the supervisor's environment, under each agent's own (HOME) */
    private readonly baseEnv: Readonly<Record<string, string | undefined>> = {},
    private readonly locate: (ref: SessionRef) => string[] = locateTranscripts,
  ) {}

  /** Reads what the session's transcripts gained; the agent's totals over all its sessions. */
  read(agentId: string, ref: SessionRef, now: number): TokenReading {
    let agent = this.agents.get(agentId);
    if (!agent) this.agents.set(agentId, (agent = { tally: new UsageTally(), sessions: new Map() }));
    const key = `${ref.format}:${ref.session}`;
    let session = agent.sessions.get(key);
    if (!session) agent.sessions.set(key, (session = { ref: { ...ref, env: { ...this.baseEnv, ...ref.env } }, tails: new Map(), lastLook: null }));
    const files = this.readSession(agent.tally, session, now);
    return { tokens: agent.tally.totals(), byModel: agent.tally.byModel(), calls: agent.tally.calls, files };
  }

  /** Forgets agents no longer configured. */
  retain(agentIds: ReadonlySet<string>): void {
    for (const id of this.agents.keys()) if (!agentIds.has(id)) this.agents.delete(id);
  }

  private readSession(tally: UsageTally, s: SessionFiles, now: number): string[] {
    let missing = s.tails.size === 0;
    for (const [, t] of s.tails) {
      const got = t.tail.read();
      if (got.missing) missing = true;
      if (got.replaced) t.state.model = null;
      for (const line of got.lines) {
        const rec = parseUsageLine(s.ref.format, line, t.state);
        if (rec) tally.add(rec);
      }
    }
    if (missing && (s.lastLook === null || now - s.lastLook >= LOOK_EVERY_MS)) {
      s.lastLook = now;
      for (const file of this.locate(s.ref)) {
        if (s.tails.has(file)) continue;
        const t = { tail: new FileTail(file, undefined, USAGE_MARKS[s.ref.format]), state: { model: null } };
        s.tails.set(file, t);
        for (const line of t.tail.read().lines) {
          const rec = parseUsageLine(s.ref.format, line, t.state);
          if (rec) tally.add(rec);
        }
      }
    }
    return [...s.tails.keys()];
  }
}
