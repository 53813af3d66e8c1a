/** Gemini API (`…/models/M:streamGenerateContent?alt=sse`, `:generateContent`), as Gemini CLI calls it. */
import type { ServerResponse } from 'node:http';
import {
  asArray,
  asRecord,
  json,
  promptTotal,
  sse,
  sseHeaders,
  type Dialect,
  type JsonSchema,
  type ParsedRequest,
  type StreamWriter,
  type ToolCallOut,
} from './dialect.js';
import type { Usage } from './types.js';

function usageFields(u: Usage) {
  const prompt = promptTotal(u);
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: u.output,
    totalTokenCount: prompt + u.output,
    cachedContentTokenCount: u.cacheRead,
  };
}

/** `models/gemini-2.5-pro:streamGenerateContent` → `gemini-2.5-pro` */
export function geminiModel(url: URL): string {
  const m = /\/models\/([^/:]+):/.exec(url.pathname);
  return m ? decodeURIComponent(m[1] as string) : '';
}

function candidate(parts: unknown[], finish?: string) {
  return { content: { role: 'model', parts }, index: 0, ...(finish ? { finishReason: finish } : {}) };
}

function callPart(call: ToolCallOut) {
  return { functionCall: { id: call.id, name: call.name, args: call.args } };
}

export const gemini: Dialect = {
  api: 'gemini',

  parse(body, url): ParsedRequest {
    const b = asRecord(body);
    const contents = asArray(b.contents).map(asRecord);
    const last = contents[contents.length - 1];
    let userText = '';
    const toolResults: string[] = [];
    if (last && last.role === 'user') {
      const parts = asArray(last.parts).map(asRecord);
      userText = parts
        .filter((p) => typeof p.text === 'string' && p.thought !== true)
        .map((p) => p.text as string)
        .join('\n');
      for (const p of parts) {
        if (p.functionResponse) toolResults.push(JSON.stringify(asRecord(p.functionResponse).response ?? ''));
      }
    }
    const config = asRecord(b.generationConfig);
    const schema = config.responseJsonSchema ?? config.responseSchema;
    const tools = asArray(b.tools)
      .flatMap((t) => asArray(asRecord(t).functionDeclarations))
      .map(asRecord)
      .filter((f) => typeof f.name === 'string')
      .map((f) => ({ name: f.name as string, schema: asRecord(f.parametersJsonSchema ?? f.parameters) as JsonSchema }));
    return {
      stream: /:streamGenerateContent$/.test(url.pathname),
      model: geminiModel(url),
      userText,
      toolResults,
      system: asArray(asRecord(b.systemInstruction).parts)
        .map((p) => String(asRecord(p).text ?? ''))
        .join('\n'),
      tools,
      ...(schema ? { answerSchema: schema as JsonSchema } : {}),
      ...(config.responseMimeType === 'application/json' ? { wantsJson: true } : {}),
    };
  },

  stream(res: ServerResponse, model: string): StreamWriter {
    return {
      start() {
        sseHeaders(res);
      },
      text(delta) {
        sse(res, { candidates: [candidate([{ text: delta }])], modelVersion: model });
      },
      toolCall(call) {
        sse(res, { candidates: [candidate([callPart(call)])], modelVersion: model });
      },
      keepAlive() {},
      finish(usage) {
        // Gemini ends a stream with an empty text part that carries the finish reason and usage
        sse(res, { candidates: [candidate([{ text: '' }], 'STOP')], usageMetadata: usageFields(usage), modelVersion: model });
        res.end();
      },
    };
  },

  whole(res, reply, model) {
    const parts: unknown[] = [];
    if (reply.text) parts.push({ text: reply.text });
    if (reply.toolCall) parts.push(callPart(reply.toolCall));
    json(res, 200, { candidates: [candidate(parts, 'STOP')], usageMetadata: usageFields(reply.usage), modelVersion: model });
  },

  error(res, status, message) {
    json(res, status, { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' } });
  },
};
