/** OpenAI Chat Completions (`POST /v1/chat/completions`), as Qwen Code and opencode call it. */
import type { ServerResponse } from 'node:http';
import {
  asArray,
  asRecord,
  asString,
  json,
  newId,
  outputText,
  partsText,
  promptTotal,
  sse,
  sseHeaders,
  type Dialect,
  type JsonSchema,
  type ParsedRequest,
  type StreamWriter,
} from './dialect.js';
import type { Usage } from './types.js';

function usageFields(u: Usage) {
  const prompt = promptTotal(u);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead },
  };
}

export const openaiChat: Dialect = {
  api: 'chat',

  parse(body): ParsedRequest {
    const b = asRecord(body);
    const messages = asArray(b.messages).map(asRecord);
    const trailing: string[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'user'; i--) trailing.unshift(partsText(messages[i]?.content));
    const toolResults: string[] = [];
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as Record<string, unknown>;
      if (m.role === 'tool') toolResults.unshift(outputText(m.content));
      else if (m.role !== 'user') break;
    }
    const format = asRecord(b.response_format);
    const schema = asRecord(format.json_schema).schema;
    return {
      stream: b.stream === true,
      model: asString(b.model),
      userText: trailing.join('\n'),
      toolResults,
      system: messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => partsText(m.content))
        .join('\n'),
      tools: asArray(b.tools)
        .map((t) => asRecord(asRecord(t).function))
        .filter((f) => typeof f.name === 'string')
        .map((f) => ({ name: f.name as string, schema: asRecord(f.parameters) as JsonSchema })),
      ...(schema ? { answerSchema: schema as JsonSchema } : {}),
      ...(format.type === 'json_object' ? { wantsJson: true } : {}),
    };
  },

  stream(res: ServerResponse, model: string): StreamWriter {
    const id = newId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    let tools = 0;
    let roleSent = false;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
      sse(res, { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
    const role = () => {
      const r = roleSent ? {} : { role: 'assistant' };
      roleSent = true;
      return r;
    };
    return {
      start() {
        sseHeaders(res);
      },
      text(delta) {
        chunk({ ...role(), content: delta });
      },
      toolCall(call) {
        chunk({
          ...role(),
          tool_calls: [{ index: tools++, id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }],
        });
      },
      keepAlive() {},
      finish(usage) {
        chunk(role(), tools > 0 ? 'tool_calls' : 'stop');
        sse(res, { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageFields(usage) });
        sse(res, '[DONE]');
        res.end();
      },
    };
  },

  whole(res, reply, model) {
    const message: Record<string, unknown> = { role: 'assistant', content: reply.text };
    if (reply.toolCall) {
      message.tool_calls = [{ id: reply.toolCall.id, type: 'function', function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.args) } }];
    }
    json(res, 200, {
      id: newId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, finish_reason: reply.toolCall ? 'tool_calls' : 'stop' }],
      usage: usageFields(reply.usage),
    });
  },

  error(res, status, message) {
    json(res, status, { error: { message, type: 'server_error', code: null } });
  },
};
