/**
 * What every model API dialect of the scripted server provides: reading a request into the
 * few facts the server needs, and writing a reply (streamed as SSE, or whole as JSON) in
 * that API's own event and usage format.
 */
import type { ServerResponse } from 'node:http';
import type { ApiName, Usage } from './types.js';

/** A JSON Schema, as loosely as the CLIs send it. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [key: string]: unknown;
}

export interface ToolDef {
  name: string;
  /** its parameters' schema (empty for tools without one) */
  schema: JsonSchema;
}

export interface ParsedRequest {
  stream: boolean;
  model: string;
  /** text of the trailing user message(s); empty when the request ends with tool results */
  userText: string;
  toolResults: string[];
  tools: ToolDef[];
  /** the system prompt (or instructions) as text, for telling the CLIs' background requests apart */
  system: string;
  /** the schema a structured (JSON) answer must follow, when the request demands one */
  answerSchema?: JsonSchema;
  /** the request demands JSON without giving a schema */
  wantsJson?: boolean;
}

export interface ToolCallOut {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/**
 * Writes one streamed reply. `start` goes first (the response headers and the API's opening
 * event, before the first token), `finish` last; `text` and `toolCall` in between. The
 * usage figures are known from the start (some APIs report input figures in the opening event).
 */
export interface StreamWriter {
  start(usage: Usage): void;
  text(delta: string): void;
  toolCall(call: ToolCallOut): void;
  /** keeps an idle stream alive where the API has a way to (Anthropic's `ping`) */
  keepAlive(): void;
  finish(usage: Usage): void;
}

export interface WholeReply {
  text: string;
  toolCall?: ToolCallOut;
  usage: Usage;
}

export interface Dialect {
  api: ApiName;
  parse(body: unknown, url: URL): ParsedRequest;
  stream(res: ServerResponse, model: string): StreamWriter;
  whole(res: ServerResponse, reply: WholeReply, model: string): void;
  /** an error body the API's clients understand */
  error(res: ServerResponse, status: number, message: string): void;
}

let counter = 0;
/** A unique id with the API's usual prefix. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}`;
}

export function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

/** One SSE event: an optional `event:` line and one `data:` line. */
export function sse(res: ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Text of a content value that is a string, or an array of parts with `text` fields. */
export function partsText(content: unknown, textTypes: string[] = ['text', 'input_text', 'output_text']): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((p) => asRecord(p))
    .filter((p) => typeof p.text === 'string' && (p.type === undefined || textTypes.includes(String(p.type))))
    .map((p) => p.text as string)
    .join('\n');
}

/** A stringified tool output, whatever shape the API gives it. */
export function outputText(v: unknown): string {
  if (typeof v === 'string') return v;
  const text = partsText(v);
  return text !== '' ? text : JSON.stringify(v ?? '');
}

/** Total prompt tokens as the OpenAI and Gemini APIs count them (cached tokens included). */
export function promptTotal(u: Usage): number {
  return u.input + u.cacheRead + u.cacheWrite;
}
