/**
 * Reading a request to the scripted model server: its body (decompressed), which API it
 * speaks, whether it is a real turn or a background request, and the answers to the side
 * calls that are no model call at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as zlib from 'node:zlib';
import { anthropic } from './anthropic.js';
import { backgroundMarker } from './background.js';
import { json, type Dialect, type ParsedRequest } from './dialect.js';
import { gemini } from './gemini.js';
import { openaiChat } from './openai-chat.js';
import { openaiResponses } from './openai-responses.js';
import { shellTool } from './tools.js';
import type { RecordedRequest, RequestKind } from './types.js';

/** The default judgement: a real turn streams and offers the CLI's shell tool. */
export function defaultClassify(req: ParsedRequest): { kind: RequestKind; why: string } {
  if (!req.stream) return { kind: 'background', why: 'not streamed' };
  const known = backgroundMarker(req);
  if (known) return { kind: 'background', why: known.why };
  if (!shellTool(req.tools)) return { kind: 'background', why: req.tools.length === 0 ? 'no tools' : 'no shell tool' };
  return { kind: 'turn', why: 'streamed with a shell tool' };
}

/** The request body, decoded from its content-encoding. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') return zlib.gunzipSync(raw);
  if (encoding === 'deflate') return zlib.inflateSync(raw);
  if (encoding === 'br') return zlib.brotliDecompressSync(raw);
  if (encoding === 'zstd') {
    const z = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
    if (!z) throw new Error('zstd-encoded request body, which this Node cannot decode');
    return z(raw);
  }
  return raw;
}

/** The API a request speaks, by method and path; null for side calls. */
export function dialectFor(method: string, url: URL): Dialect | null {
  if (method !== 'POST') return null;
  const p = url.pathname;
  if (/\/v1\/messages$/.test(p)) return anthropic;
  if (/\/responses$/.test(p)) return openaiResponses;
  if (/\/chat\/completions$/.test(p)) return openaiChat;
  if (/\/models\/[^/]+:(streamGenerateContent|generateContent)$/.test(p)) return gemini;
  return null;
}

/** Answers probes and side calls (`HEAD /`, model lists, token counts); 404 for anything else. */
export function answerSideCall(method: string, url: URL, res: ServerResponse, rec: RecordedRequest): void {
  const p = url.pathname;
  const reply = (status: number, body?: unknown) => {
    rec.reply = { text: '', scripted: false, status };
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else json(res, status, body);
  };
  if (p === '/' || p === '') return reply(200, method === 'HEAD' ? undefined : { ok: true });
  if (/\/messages\/count_tokens$/.test(p)) return reply(200, { input_tokens: 10 });
  if (/:countTokens$/.test(p)) return reply(200, { totalTokens: 10 });
  if (method === 'GET' && /\/models$/.test(p)) {
    const model = { id: 'test-model', object: 'model', type: 'model', display_name: 'Test model', created: 0, created_at: '2025-01-01T00:00:00Z', owned_by: 'test' };
    return reply(200, { object: 'list', data: [model], models: [{ name: 'models/test-model', ...model }], has_more: false, first_id: 'test-model', last_id: 'test-model' });
  }
  reply(404, { error: { message: `the scripted model server does not serve ${method} ${p}` } });
}
