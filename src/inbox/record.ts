/**
 * Inbox records: what `muster checkin`, `handoff` and `done` leave for the supervisor.
 * Parsing is strict and never throws: a bad record is refused with a reason.
 */
export type InboxKind = 'checkin' | 'handoff' | 'done';

export interface InboxRecord {
  v: 1;
  id: string;
  kind: InboxKind;
  /** `team/agent` of the sender */
  agent: string;
  message: string | null;
  /** handoff: the target as typed (`team/agent` or `agent` of the same team) */
  to: string | null;
  /** handoff: an absolute path inside the project, or null */
  file: string | null;
  /** ms since the epoch, when it was written */
  at: number;
}

export const MAX_RECORD_BYTES = 64 * 1024;
export const MAX_MESSAGE_CHARS = 16 * 1024;

/** `incomplete`: the text is not JSON, so it may be a record caught half-written. */
export type ParsedRecord = { ok: true; record: InboxRecord } | { ok: false; reason: string; incomplete?: boolean };

const ID = /^[a-z][a-z0-9_-]*\/[a-z][a-z0-9_-]*$/;

export function parseRecord(text: string): ParsedRecord {
  if (Buffer.byteLength(text) > MAX_RECORD_BYTES) return { ok: false, reason: `record larger than ${MAX_RECORD_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'record is not valid JSON', incomplete: true };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'record is not an object' };
  const r = value as Record<string, unknown>;
  if (r.v !== 1) return { ok: false, reason: `unknown record version ${JSON.stringify(r.v)}` };
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 100) return { ok: false, reason: 'record has no id' };
  if (r.kind !== 'checkin' && r.kind !== 'handoff' && r.kind !== 'done') return { ok: false, reason: `unknown record kind ${JSON.stringify(r.kind)}` };
  if (typeof r.agent !== 'string' || !ID.test(r.agent)) return { ok: false, reason: `bad sender ${JSON.stringify(r.agent)}` };
  const str = (v: unknown) => v === null || v === undefined || typeof v === 'string';
  if (!str(r.message) || !str(r.to) || !str(r.file)) return { ok: false, reason: 'message, to and file must be strings' };
  const message = (r.message as string | null | undefined) ?? null;
  if (message !== null && message.length > MAX_MESSAGE_CHARS) return { ok: false, reason: `message longer than ${MAX_MESSAGE_CHARS} characters` };
  if (r.kind === 'handoff' && (typeof r.to !== 'string' || r.to.length === 0)) return { ok: false, reason: 'a handoff needs a target' };
  if (typeof r.at !== 'number' || !Number.isFinite(r.at)) return { ok: false, reason: 'record has no time' };
  return {
    ok: true,
    record: {
      v: 1,
      id: r.id,
      kind: r.kind,
      agent: r.agent,
      message,
      to: (r.to as string | null | undefined) ?? null,
      file: (r.file as string | null | undefined) ?? null,
      at: r.at,
    },
  };
}
