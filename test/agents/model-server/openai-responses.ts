/** OpenAI Responses API (`POST /v1/responses`), as Codex calls it. */
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
  type ToolCallOut,
} from './dialect.js';
import type { Usage } from './types.js';

function usageFields(u: Usage) {
  const input = promptTotal(u);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheRead },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + u.output,
  };
}

function messageItem(id: string, text: string, status: string) {
  return { type: 'message', id, role: 'assistant', status, content: text === '' && status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [] }] };
}

function functionItem(call: ToolCallOut, status: string) {
  return { type: 'function_call', id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: JSON.stringify(call.args), status };
}

export const openaiResponses: Dialect = {
  api: 'responses',

  parse(body): ParsedRequest {
    const b = asRecord(body);
    const input = Array.isArray(b.input) ? b.input.map(asRecord) : [{ type: 'message', role: 'user', content: b.input }];
    // the trailing run of user messages is the new input; tool outputs follow the model's calls
    const trailing: string[] = [];
    for (let i = input.length - 1; i >= 0; i--) {
      const item = input[i] as Record<string, unknown>;
      const isUserMessage = item.role === 'user' && (item.type === undefined || item.type === 'message');
      if (!isUserMessage) break;
      trailing.unshift(partsText(item.content));
    }
    const toolResults: string[] = [];
    for (let i = input.length - 1; i >= 0; i--) {
      const item = input[i] as Record<string, unknown>;
      if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output' || item.type === 'local_shell_call_output') {
        toolResults.unshift(outputText(item.output));
      } else if (item.role === 'user' || item.role === 'developer' || item.role === 'system') {
        continue;
      } else break;
    }
    const format = asRecord(asRecord(b.text).format);
    return {
      stream: b.stream === true,
      model: asString(b.model),
      userText: trailing.join('\n'),
      toolResults,
      system: [asString(b.instructions), ...input.filter((i) => i.role === 'developer' || i.role === 'system').map((i) => partsText(i.content))].filter(Boolean).join('\n'),
      tools: asArray(b.tools)
        .map(asRecord)
        .map((t) => ({ name: asString(t.name) || asString(t.type), schema: asRecord(t.parameters) as JsonSchema }))
        .filter((t) => t.name !== ''),
      ...(format.type === 'json_schema' && format.schema ? { answerSchema: format.schema as JsonSchema } : {}),
    };
  },

  stream(res: ServerResponse, model: string): StreamWriter {
    const responseId = newId('resp_');
    const created = Math.floor(Date.now() / 1000);
    let seq = 0;
    const output: unknown[] = [];
    let msg: { id: string; index: number; text: string } | null = null;
    const emit = (type: string, fields: Record<string, unknown>) => sse(res, { type, sequence_number: seq++, ...fields }, type);
    const response = (status: string, extra: Record<string, unknown> = {}) => ({
      id: responseId,
      object: 'response',
      created_at: created,
      status,
      model,
      output,
      ...extra,
    });
    const closeMessage = () => {
      if (!msg) return;
      const { id, index, text } = msg;
      emit('response.output_text.done', { item_id: id, output_index: index, content_index: 0, text });
      emit('response.content_part.done', { item_id: id, output_index: index, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
      const item = messageItem(id, text, 'completed');
      output[index] = item;
      emit('response.output_item.done', { output_index: index, item });
      msg = null;
    };
    return {
      start() {
        sseHeaders(res);
        emit('response.created', { response: response('in_progress') });
        emit('response.in_progress', { response: response('in_progress') });
      },
      text(delta) {
        if (!msg) {
          msg = { id: newId('msg_'), index: output.length, text: '' };
          output.push(messageItem(msg.id, '', 'in_progress'));
          emit('response.output_item.added', { output_index: msg.index, item: messageItem(msg.id, '', 'in_progress') });
          emit('response.content_part.added', { item_id: msg.id, output_index: msg.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
        }
        msg.text += delta;
        emit('response.output_text.delta', { item_id: msg.id, output_index: msg.index, content_index: 0, delta });
      },
      toolCall(call) {
        closeMessage();
        const index = output.length;
        output.push(functionItem(call, 'in_progress'));
        emit('response.output_item.added', { output_index: index, item: { ...functionItem(call, 'in_progress'), arguments: '' } });
        const args = JSON.stringify(call.args);
        emit('response.function_call_arguments.delta', { item_id: `fc_${call.id}`, output_index: index, delta: args });
        emit('response.function_call_arguments.done', { item_id: `fc_${call.id}`, output_index: index, arguments: args });
        output[index] = functionItem(call, 'completed');
        emit('response.output_item.done', { output_index: index, item: output[index] });
      },
      keepAlive() {},
      finish(usage) {
        closeMessage();
        emit('response.completed', { response: response('completed', { usage: usageFields(usage) }) });
        res.end();
      },
    };
  },

  whole(res, reply, model) {
    const output: unknown[] = [];
    if (reply.text) output.push(messageItem(newId('msg_'), reply.text, 'completed'));
    if (reply.toolCall) output.push(functionItem(reply.toolCall, 'completed'));
    json(res, 200, {
      id: newId('resp_'),
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model,
      output,
      output_text: reply.text,
      usage: usageFields(reply.usage),
    });
  },

  error(res, status, message) {
    json(res, status, { error: { type: 'server_error', code: null, message, param: null } });
  },
};
