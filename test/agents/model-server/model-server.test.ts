/**
 * The scripted model server over real HTTP, without any CLI: each API's stream as its
 * clients read it (events, text, tool calls, usage fields), the judgement of turns and
 * background requests, holding a stream, counting prompts, refusing proxied requests.
 * Request bodies are cut-down copies of what the pinned CLIs send (test/fixtures/screens/README.md).
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkText, ModelServer } from './server.js';

let server: ModelServer;

beforeEach(async () => {
  server = await ModelServer.start();
});

afterEach(async () => {
  await server.close();
});

interface SseEvent {
  event?: string;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const ev: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7);
        if (line.startsWith('data: ')) ev.data += line.slice(6);
      }
      return ev;
    });
}

async function post(path: string, body: unknown): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const data = (events: SseEvent[]) => events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Record<string, any>);

const BASH = { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' }, timeout: { type: 'number' } }, required: ['command'] } };

describe('Anthropic Messages (Claude Code)', () => {
  it('streams text and a Bash call with the usage figures in message_start and message_delta', async () => {
    server.script({ text: 'I will run it now.', toolCall: { shell: 'touch x' }, usage: { input: 7, output: 12, cacheWrite: 300, cacheRead: 4000 } });
    // Claude Code puts `system` role messages after the user's message
    const res = await post('/v1/messages?beta=true', {
      model: 'claude-test',
      stream: true,
      tools: [BASH],
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>x</system-reminder>' }, { type: 'text', text: 'create x please' }] },
        { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
      ],
    });
    expect(res.type).toMatch(/text\/event-stream/);
    const events = parseSse(res.text);
    expect(events[0]?.event).toBe('message_start');
    const all = data(events);
    expect(all[0]?.message.usage).toMatchObject({ input_tokens: 7, cache_creation_input_tokens: 300, cache_read_input_tokens: 4000 });
    const text = all.filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta.text).join('');
    expect(text).toBe('I will run it now.');
    const toolStart = all.find((e) => e.content_block?.type === 'tool_use');
    expect(toolStart?.content_block.name).toBe('Bash');
    const json = all.find((e) => e.delta?.type === 'input_json_delta')?.delta.partial_json;
    expect(JSON.parse(json)).toEqual({ command: 'touch x', description: 'Run touch x' });
    const end = all.find((e) => e.type === 'message_delta');
    expect(end?.delta.stop_reason).toBe('tool_use');
    expect(end?.usage).toMatchObject({ output_tokens: 12, input_tokens: 7, cache_creation_input_tokens: 300, cache_read_input_tokens: 4000 });
    expect(events[events.length - 1]?.event).toBe('message_stop');

    const [rec] = server.turns();
    expect(rec).toMatchObject({ kind: 'turn', api: 'anthropic', stream: true });
    expect(rec?.userText).toContain('create x please');
    expect(server.timesReceived('create x please')).toBe(1);
  });

  it('answers a tool result as the next turn, and the HEAD probe and token counts', async () => {
    server.script({ text: 'Done.' });
    const res = await post('/v1/messages', {
      model: 'm',
      stream: true,
      tools: [BASH],
      messages: [
        { role: 'user', content: 'create x please' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'touch x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      ],
    });
    expect(data(parseSse(res.text)).find((e) => e.type === 'message_delta')?.delta.stop_reason).toBe('end_turn');
    expect(server.turns()[0]).toMatchObject({ userText: '', toolResults: ['ok'] });
    expect(server.timesReceived('create x please')).toBe(0);
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(JSON.parse((await post('/v1/messages/count_tokens', { messages: [] })).text)).toEqual({ input_tokens: 10 });
  });
});

describe('OpenAI Responses (Codex)', () => {
  const EXEC = {
    type: 'function',
    name: 'exec_command',
    parameters: {
      type: 'object',
      properties: { cmd: { type: 'string' }, justification: { type: 'string' }, sandbox_permissions: { type: 'string', enum: ['use_default', 'require_escalated'] }, workdir: { type: 'string' } },
      required: ['cmd'],
    },
  };

  it('streams a message and an escalated exec_command call, ending with response.completed and its usage', async () => {
    server.script({ text: 'Running it.', toolCall: { shell: 'touch x', escalate: true, justification: 'needs to write' }, usage: { input: 5, output: 9, cacheWrite: 0, cacheRead: 100 } });
    const res = await post('/v1/responses', {
      model: 'test-model',
      stream: true,
      tools: [EXEC],
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are a coding agent' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context/>' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'make x' }] },
      ],
    });
    const all = data(parseSse(res.text));
    expect(all[0]?.type).toBe('response.created');
    expect(all.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe('Running it.');
    const call = all.find((e) => e.type === 'response.output_item.done' && e.item.type === 'function_call')?.item;
    expect(call?.name).toBe('exec_command');
    expect(JSON.parse(call?.arguments)).toEqual({ cmd: 'touch x', sandbox_permissions: 'require_escalated', justification: 'needs to write' });
    const done = all[all.length - 1];
    expect(done?.type).toBe('response.completed');
    expect(done?.response.usage).toMatchObject({ input_tokens: 105, input_tokens_details: { cached_tokens: 100 }, output_tokens: 9 });
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    expect(server.turns()[0]?.userText).toContain('make x');
  });

  it('answers the title request (no tools, a JSON schema) as background, from the schema', async () => {
    const res = await post('/v1/responses', {
      model: 'test-model',
      stream: true,
      tools: [],
      text: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string', minLength: 1 } }, required: ['title'] } } },
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Generate a concise title' }] }],
    });
    const text = data(parseSse(res.text))
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    expect(JSON.parse(text)).toEqual({ title: 'ok' });
    expect(server.background()).toHaveLength(1);
    expect(server.turns()).toHaveLength(0);
  });
});

describe('OpenAI Chat Completions (Qwen Code, opencode)', () => {
  const SHELL = {
    type: 'function',
    function: {
      name: 'run_shell_command',
      parameters: { type: 'object', properties: { command: { type: 'string' }, is_background: { type: 'boolean' }, description: { type: 'string' } }, required: ['command', 'is_background'] },
    },
  };

  it('streams text and a run_shell_command call with its required fields, then usage and [DONE]', async () => {
    server.script({ text: 'On it.', toolCall: { shell: 'touch y' }, usage: { input: 3, output: 4, cacheWrite: 0, cacheRead: 20 } });
    const res = await post('/v1/chat/completions', { model: 'test-model', stream: true, tools: [SHELL], messages: [{ role: 'system', content: 'You are Qwen Code' }, { role: 'user', content: 'make y' }] });
    const events = parseSse(res.text);
    expect(events[events.length - 1]?.data).toBe('[DONE]');
    const all = data(events);
    expect(all.map((e) => e.choices[0]?.delta?.content ?? '').join('')).toBe('On it.');
    const call = all.find((e) => e.choices[0]?.delta?.tool_calls)?.choices[0].delta.tool_calls[0];
    expect(call.function.name).toBe('run_shell_command');
    expect(JSON.parse(call.function.arguments)).toEqual({ command: 'touch y', description: 'Run touch y', is_background: false });
    expect(all.find((e) => e.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(all.find((e) => e.usage)?.usage).toEqual({ prompt_tokens: 23, completion_tokens: 4, total_tokens: 27, prompt_tokens_details: { cached_tokens: 20 } });
  });

  it("does not spend the script on Qwen Code's memory extraction, prompt suggestion or a title request", async () => {
    server.script({ text: 'scripted turn' });
    await post('/v1/chat/completions', { model: 'm', stream: true, tools: [SHELL], messages: [{ role: 'system', content: 'You are now acting as the managed memory extraction subagent for an AI coding assistant.' }, { role: 'user', content: 'x' }] });
    const suggestion = await post('/v1/chat/completions', { model: 'm', stream: true, tools: [SHELL], messages: [{ role: 'user', content: '[SUGGESTION MODE: Suggest what the user might naturally type next.]' }] });
    await post('/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'Generate a title for this conversation:\n\nhi' }] });
    expect(server.background().map((r) => r.why)).toEqual(['memory extraction', 'prompt suggestion', 'no tools']);
    expect(data(parseSse(suggestion.text)).map((e) => e.choices[0]?.delta?.content ?? '').join('')).toBe('');
    expect(server.pending()).toBe(1);
  });
});

describe('Gemini API (Gemini CLI)', () => {
  it("answers the router's generateContent from its JSON schema (types in capitals)", async () => {
    const res = await post('/v1beta/models/gemini-flash-lite:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'say hi' }] }],
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'OBJECT', properties: { complexity_reasoning: { type: 'STRING' }, complexity_score: { type: 'INTEGER' } }, required: ['complexity_reasoning', 'complexity_score'] },
      },
    });
    const body = JSON.parse(res.text);
    expect(JSON.parse(body.candidates[0].content.parts[0].text)).toEqual({ complexity_reasoning: 'ok', complexity_score: 1 });
    expect(server.background()[0]).toMatchObject({ why: 'not streamed', model: 'gemini-flash-lite' });
  });

  it('streams text and a run_shell_command functionCall, the last chunk with STOP and usageMetadata', async () => {
    server.script({ text: 'Sure.', toolCall: { shell: 'touch z' }, usage: { input: 2, output: 3, cacheWrite: 0, cacheRead: 40 } });
    const res = await post('/v1beta/models/gemini-pro:streamGenerateContent?alt=sse', {
      contents: [{ role: 'user', parts: [{ text: '<session_context/>' }, { text: 'make z' }] }],
      tools: [{ functionDeclarations: [{ name: 'run_shell_command', parametersJsonSchema: { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } }, required: ['command'] } }] }],
    });
    const all = data(parseSse(res.text));
    const parts = all.flatMap((e) => e.candidates[0].content.parts);
    expect(parts.map((p) => p.text ?? '').join('')).toBe('Sure.');
    expect(parts.find((p) => p.functionCall)?.functionCall).toMatchObject({ name: 'run_shell_command', args: { command: 'touch z', description: 'Run touch z' } });
    const last = all[all.length - 1];
    expect(last?.candidates[0].finishReason).toBe('STOP');
    expect(last?.usageMetadata).toEqual({ promptTokenCount: 42, candidatesTokenCount: 3, totalTokenCount: 45, cachedContentTokenCount: 40 });
    expect(server.turns()[0]?.userText).toContain('make z');
  });
});

describe('scripting', () => {
  const turn = (text: string) => post('/v1/chat/completions', { model: 'm', stream: true, tools: [{ type: 'function', function: { name: 'bash', parameters: {} } }], messages: [{ role: 'user', content: text }] });

  it('holds a stream before its first token until released', async () => {
    server.script({ text: 'held reply', hold: true });
    const pending = turn('first');
    const rec = await server.waitForTurn(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.held).toBe(true);
    expect(rec.firstTokenAt).toBeUndefined();
    server.release();
    const res = await pending;
    expect(res.text).toContain('held reply');
    expect(rec.firstTokenAt).toBeGreaterThan(rec.at);
  });

  it('spreads chunks over streamMs after firstTokenDelayMs, and answers unscripted turns with the default', async () => {
    server.script({ text: 'one two three four five six', chunks: 3, streamMs: 200, firstTokenDelayMs: 100 });
    const res = await turn('go');
    const contents = data(parseSse(res.text))
      .map((e) => e.choices[0]?.delta?.content)
      .filter(Boolean);
    expect(contents).toEqual(['one two ', 'three four ', 'five six']);
    const [rec] = server.turns();
    expect((rec?.firstTokenAt ?? 0) - (rec?.at ?? 0)).toBeGreaterThanOrEqual(90);
    expect((rec?.endedAt ?? 0) - (rec?.firstTokenAt ?? 0)).toBeGreaterThanOrEqual(180);
    await turn('again');
    expect(server.turns()[1]?.reply).toMatchObject({ text: 'OK.', scripted: false });
    expect(server.timesReceived('go')).toBe(1);
  });

  it('answers a scripted HTTP error in the API format', async () => {
    server.script({ error: { status: 529, message: 'overloaded' } });
    const res = await post('/v1/messages', { model: 'm', stream: true, tools: [BASH], messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(529);
    expect(JSON.parse(res.text).error.type).toBe('overloaded_error');
  });

  it('cuts text into chunks at word boundaries', () => {
    expect(chunkText('a b c d e', 2)).toEqual(['a b ', 'c d e']);
    expect(chunkText('', 3)).toEqual([]);
    expect(chunkText('single')).toEqual(['single']);
  });
});

describe('proxy', () => {
  it('refuses and records a CONNECT tunnel to another host', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'CONNECT', path: 'registry.npmjs.org:443' });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect(server.escapes().map((r) => r.url)).toEqual(['registry.npmjs.org:443']);
  });
});
