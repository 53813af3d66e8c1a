/** Anthropic Messages API (`POST /v1/messages`), as Claude Code calls it. */
import type { ServerResponse } from 'node:http';
import {
  asArray,
  asRecord,
  asString,
  json,
  newId,
  outputText,
  partsText,
  sse,
  sseHeaders,
  type Dialect,
  type JsonSchema,
  type ParsedRequest,
  type StreamWriter,
  type WholeReply,
} from './dialect.js';
import type { Usage } from './types.js';

function usageFields(u: Usage) {
  return {
    input_tokens: u.input,
    output_tokens: u.output,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
  };
}

export const anthropic: Dialect = {
  api: 'anthropic',

  parse(body): ParsedRequest {
    const b = asRecord(body);
    // Claude Code appends `system` role messages (environment notes) after the user's message
    const messages = asArray(b.messages)
      .map(asRecord)
      .filter((m) => m.role !== 'system');
    const last = messages[messages.length - 1];
    let userText = '';
    const toolResults: string[] = [];
    if (last && last.role === 'user') {
      userText = partsText(last.content, ['text']);
      for (const part of asArray(last.content).map(asRecord)) {
        if (part.type === 'tool_result') toolResults.push(outputText(part.content));
      }
    }
    const format = asRecord(asRecord(b.output_format ?? asRecord(b.output_config).format));
    return {
      stream: b.stream === true,
      model: asString(b.model),
      userText,
      toolResults,
      system: partsText(b.system, ['text']),
      tools: asArray(b.tools)
        .map(asRecord)
        .filter((t) => typeof t.name === 'string')
        .map((t) => ({ name: t.name as string, schema: asRecord(t.input_schema) as JsonSchema })),
      ...(format.schema ? { answerSchema: format.schema as JsonSchema } : {}),
    };
  },

  stream(res: ServerResponse, model: string): StreamWriter {
    let index = -1;
    let textOpen = false;
    let usedTool = false;
    const closeText = () => {
      if (textOpen) sse(res, { type: 'content_block_stop', index }, 'content_block_stop');
      textOpen = false;
    };
    return {
      start(usage) {
        sseHeaders(res);
        const message = { id: newId('msg_'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null };
        sse(res, { type: 'message_start', message: { ...message, usage: { ...usageFields(usage), output_tokens: 1 } } }, 'message_start');
      },
      text(delta) {
        if (!textOpen) {
          index += 1;
          textOpen = true;
          sse(res, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start');
        }
        sse(res, { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta } }, 'content_block_delta');
      },
      toolCall(call) {
        closeText();
        index += 1;
        usedTool = true;
        sse(res, { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }, 'content_block_start');
        sse(res, { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.args) } }, 'content_block_delta');
        sse(res, { type: 'content_block_stop', index }, 'content_block_stop');
      },
      keepAlive() {
        sse(res, { type: 'ping' }, 'ping');
      },
      finish(usage) {
        closeText();
        sse(res, { type: 'message_delta', delta: { stop_reason: usedTool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: usageFields(usage) }, 'message_delta');
        sse(res, { type: 'message_stop' }, 'message_stop');
        res.end();
      },
    };
  },

  whole(res, reply: WholeReply, model) {
    const content: unknown[] = [];
    if (reply.text) content.push({ type: 'text', text: reply.text });
    if (reply.toolCall) content.push({ type: 'tool_use', id: reply.toolCall.id, name: reply.toolCall.name, input: reply.toolCall.args });
    json(res, 200, {
      id: newId('msg_'),
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: reply.toolCall ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: usageFields(reply.usage),
    });
  },

  error(res, status, message) {
    json(res, status, { type: 'error', error: { type: status === 529 ? 'overloaded_error' : 'api_error', message } });
  },
};
