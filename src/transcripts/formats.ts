/**
 * How each agent CLI records the tokens of its model calls in its session transcript
 * (docs/needs-you.md, "Tokens and cost"), read one JSON line at a time. Verified against the
 * pinned CLIs with the scripted model server (test/fixtures/transcripts/). Pure.
 *
 * - claude: `type:"assistant"` lines, `message.usage` (input excludes the cache), one
 *   response may span several lines with the same `message.id`: the last one counts.
 * - codex: `token_usage_record` lines, `payload.usage` per `response_id` (input includes
 *   the cached tokens); the model from the latest `turn_context`.
 * - gemini: `type:"gemini"` records, `tokens` per record `id` (input includes `cached`,
 *   thoughts are billed as output).
 * - qwen: `type:"assistant"` records, `usageMetadata` per `uuid` (Gemini's fields).
 * - opencode: muster's own record, written by the plugin muster gives opencode
 *   (supervisor/hook-plugin.ts): a finished assistant message's `tokens` per message `id`
 *   (input without the cache; reasoning billed as output).
 */
import type { TokenCounts } from '../usage/prices.js';

export const TRANSCRIPT_FORMATS = ['claude', 'codex', 'gemini', 'qwen', 'opencode'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** One model call's tokens, keyed so that a record written again replaces itself. */
export interface UsageRecord {
  id: string;
  model: string | null;
  tokens: TokenCounts;
}

/** What a parser remembers between lines of one file (Codex names its model once per turn). */
export interface ParseState {
  model: string | null;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function claude(r: Json): UsageRecord | null {
  if (r.type !== 'assistant' || !isObj(r.message) || !isObj(r.message.usage)) return null;
  const m = r.message;
  const u = m.usage as Json;
  const id = s(m.id) ?? s(r.uuid);
  if (id === null) return null;
  return {
    id,
    model: s(m.model),
    tokens: { input: n(u.input_tokens), output: n(u.output_tokens), cacheWrite: n(u.cache_creation_input_tokens), cacheRead: n(u.cache_read_input_tokens) },
  };
}

function codex(r: Json, state: ParseState): UsageRecord | null {
  const p = r.payload;
  if (!isObj(p)) return null;
  if (r.type === 'turn_context') {
    state.model = s(p.model) ?? state.model;
    return null;
  }
  if (r.type !== 'token_usage_record' || !isObj(p.usage)) return null;
  const id = s(p.response_id) ?? (typeof r.ordinal === 'number' ? `ordinal-${r.ordinal}` : null);
  if (id === null) return null;
  const u = p.usage;
  const cached = n(u.cached_input_tokens);
  const written = n(u.cache_write_input_tokens);
  return {
    id,
    model: s(p.model) ?? state.model,
    tokens: { input: Math.max(0, n(u.input_tokens) - cached - written), output: n(u.output_tokens), cacheWrite: written, cacheRead: cached },
  };
}

function gemini(r: Json): UsageRecord | null {
  if (r.type !== 'gemini' || !isObj(r.tokens)) return null;
  const id = s(r.id);
  if (id === null) return null;
  const t = r.tokens;
  const cached = n(t.cached);
  return { id, model: s(r.model), tokens: { input: Math.max(0, n(t.input) - cached), output: n(t.output) + n(t.thoughts), cacheWrite: 0, cacheRead: cached } };
}

function qwen(r: Json): UsageRecord | null {
  if (r.type !== 'assistant' || !isObj(r.usageMetadata)) return null;
  const id = s(r.uuid);
  if (id === null) return null;
  const u = r.usageMetadata;
  const cached = n(u.cachedContentTokenCount);
  return {
    id,
    model: s(r.model),
    tokens: { input: Math.max(0, n(u.promptTokenCount) - cached), output: n(u.candidatesTokenCount) + n(u.thoughtsTokenCount), cacheWrite: 0, cacheRead: cached },
  };
}

function opencode(r: Json): UsageRecord | null {
  const id = s(r.id);
  if (id === null || !isObj(r.tokens)) return null;
  const t = r.tokens;
  const cache = isObj(t.cache) ? t.cache : {};
  return { id, model: s(r.model), tokens: { input: n(t.input), output: n(t.output) + n(t.reasoning), cacheWrite: n(cache.write), cacheRead: n(cache.read) } };
}

/** Strings every line that matters holds (a reader may skip the others unread). */
export const USAGE_MARKS: Record<TranscriptFormat, readonly string[]> = {
  claude: ['"usage"'],
  codex: ['"turn_context"', '"token_usage_record"'],
  gemini: ['"tokens"'],
  qwen: ['"usageMetadata"'],
  opencode: ['"tokens"'],
};

/** The usage one transcript line records, or null (another kind of line, or not JSON). */
export function parseUsageLine(format: TranscriptFormat, line: string, state: ParseState): UsageRecord | null {
  // most lines carry no usage: skip them before parsing (transcripts hold whole prompts)
  if (!USAGE_MARKS[format].some((m) => line.includes(m))) return null;
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return null; // a torn or corrupt line: the CLIs themselves skip it
  }
  if (!isObj(r)) return null;
  switch (format) {
    case 'claude':
      return claude(r);
    case 'codex':
      return codex(r, state);
    case 'gemini':
      return gemini(r);
    case 'qwen':
      return qwen(r);
    case 'opencode':
      return opencode(r);
  }
}
