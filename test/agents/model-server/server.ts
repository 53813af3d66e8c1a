/**
 * The scripted model server: an HTTP server on 127.0.0.1 (a random port) that stands in for
 * the vendors' model APIs, so the real agent CLIs run offline under test. It speaks the
 * Anthropic Messages API, the OpenAI Responses API, OpenAI Chat Completions and the Gemini
 * API, streaming with SSE; answers every real turn from a script a test sets up; answers the
 * CLIs' own background requests (titles, memory, routing) with a default so they never use
 * up the script; and records every request. See test/agents/README.md.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { backgroundMarker } from './background.js';
import { json, newId, type Dialect, type ParsedRequest, type StreamWriter, type ToolCallOut } from './dialect.js';
import { geminiModel } from './gemini.js';
import { answerSideCall, defaultClassify, dialectFor, readBody } from './requests.js';
import { resolveToolCall, sampleOf } from './tools.js';
import type { ApiName, RecordedRequest, RequestKind, TurnScript, Usage } from './types.js';

export interface ModelServerOptions {
  /** the answer to a turn when the script has run out (recorded as unscripted; default `OK.`) */
  defaultReply?: string;
  /**
   * The answer to a background request: a text for every one that asks for plain text
   * (default `OK`), or a function of the request (undefined: the default answer).
   */
  backgroundReply?: string | ((req: RecordedRequest) => string | undefined);
  /** overrides the default judgement (a streamed request offering a shell tool is a turn) */
  classify?: (req: ParsedRequest, api: ApiName, url: URL) => { kind: RequestKind; why: string } | null;
  /** appends one JSON line per request (method, url, headers, body, kind) to this file */
  logFile?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Cuts `text` into `n` pieces at word boundaries (whitespace stays with the piece before it). */
export function chunkText(text: string, n?: number): string[] {
  if (text === '') return [];
  const words = text.match(/\S+\s*|\s+/g) ?? [text];
  const count = Math.max(1, Math.min(words.length, n ?? Math.min(40, Math.ceil(words.length / 4))));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * words.length) / count);
    const to = Math.floor(((i + 1) * words.length) / count);
    out.push(words.slice(from, to).join(''));
  }
  return out.filter((c) => c !== '');
}

function usageOf(turn: TurnScript): Usage {
  const words = (turn.text ?? '').split(/\s+/).filter(Boolean).length;
  return { input: 10, output: Math.max(1, words), cacheWrite: 0, cacheRead: 0, ...turn.usage };
}

export class ModelServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: TurnScript[] = [];
  private gate: { promise: Promise<void>; resolve: () => void } | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: ModelServerOptions,
  ) {}

  /** Starts a server on 127.0.0.1 at a random port. */
  static async start(options: ModelServerOptions = {}): Promise<ModelServer> {
    let self: ModelServer | null = null;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    // a CLI that is killed mid-request resets its connection: that ends the exchange, nothing more
    server.on('clientError', (_err, socket: Duplex) => socket.destroy());
    // The CLIs get this server as their HTTP(S) proxy too: a CLI that tries to reach any
    // other host shows up as a CONNECT (or an absolute URL) and is refused, never let out.
    server.on('connect', (req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => undefined);
      self?.refuseTunnel(req);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    self = new ModelServer(server, `http://127.0.0.1:${port}`, options);
    return self;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Appends turns to the script; each real turn (request of kind `turn`) takes the next one. */
  script(...turns: TurnScript[]): this {
    this.queue.push(...turns);
    return this;
  }

  /** Drops the scripted turns not yet used (a turn the CLI never asked for, e.g. after a declined tool call). */
  clear(): this {
    this.queue.length = 0;
    return this;
  }

  /** Removes the scripted turns not yet used and returns them (a test starting afresh). */
  unscript(): TurnScript[] {
    return this.queue.splice(0);
  }

  /** Scripted turns not yet used. */
  pending(): number {
    return this.queue.length;
  }

  /** Requests judged real turns, in order. */
  turns(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'turn');
  }

  /** Requests judged background (titles, memory, routing, quota probes). */
  background(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'background');
  }

  /** How many real turns carried `text` as new user input (a prompt typed once and submitted once gives 1). */
  timesReceived(text: string): number {
    return this.turns().filter((r) => r.userText.includes(text)).length;
  }

  /** Requests of any kind whose body contains `text` anywhere (history, background prompts included). */
  requestsContaining(text: string): RecordedRequest[] {
    const needle = JSON.stringify(text).slice(1, -1);
    return this.requests.filter((r) => r.body !== undefined && JSON.stringify(r.body).includes(needle));
  }

  /**
   * Stops every stream before its next token (and turns that start meanwhile before their
   * first) until `release()`. A turn scripted with `hold: true` calls this when it arrives.
   */
  hold(): void {
    if (this.gate) return;
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.gate = { promise, resolve };
  }

  release(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.resolve();
  }

  get held(): boolean {
    return this.gate !== null;
  }

  /** Resolves with the first request (already recorded or still to come) that satisfies `pred`. */
  waitForRequest(what: string, pred: (r: RecordedRequest) => boolean, timeoutMs = 60_000): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.requests.find(pred);
        if (!hit) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a model request: ${what}\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      if (!check()) this.waiters.add(check);
    });
  }

  /** Waits for the `n`th real turn (1-based) to arrive. */
  waitForTurn(n: number, timeoutMs = 60_000): Promise<RecordedRequest> {
    return this.waitForRequest(`turn ${n}`, (r) => r.kind === 'turn' && this.turns().indexOf(r) === n - 1, timeoutMs);
  }

  /** Waits until the `n`th real turn has been answered to its end. */
  async waitForTurnEnd(n: number, timeoutMs = 60_000): Promise<RecordedRequest> {
    const turn = await this.waitForTurn(n, timeoutMs);
    await this.waitForRequest(`turn ${n} answered`, (r) => r === turn && r.endedAt !== undefined, timeoutMs);
    return turn;
  }

  /** One line per request, for failure messages. */
  describe(): string {
    return this.requests
      .map((r) => {
        const said = r.userText ? ` user=${JSON.stringify(r.userText.slice(-80))}` : r.toolResults.length ? ` toolResults=${r.toolResults.length}` : '';
        const reply = r.reply ? ` → ${r.reply.status} ${JSON.stringify(r.reply.text.slice(0, 40))}${r.reply.toolCall ? ` +${r.reply.toolCall.name}` : ''}` : '';
        return `#${r.seq} ${r.method} ${r.url} ${r.kind}(${r.why})${said}${reply}`;
      })
      .join('\n');
  }

  async close(): Promise<void> {
    this.release();
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Requests that tried to leave 127.0.0.1 through the proxy (CONNECT tunnels, absolute URLs to other hosts). */
  escapes(): RecordedRequest[] {
    return this.requests.filter((r) => r.why === 'proxy: refused');
  }

  /** @internal records a CONNECT tunnel request, which is refused */
  refuseTunnel(req: IncomingMessage): void {
    const rec = this.record(this.otherRequest('CONNECT', new URL('http://127.0.0.1/'), req, undefined));
    rec.url = req.url ?? '';
    rec.why = 'proxy: refused';
    rec.reply = { text: '', scripted: false, status: 403 };
    rec.endedAt = Date.now();
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private record(r: Omit<RecordedRequest, 'seq' | 'at'>): RecordedRequest {
    const rec: RecordedRequest = { seq: this.requests.length + 1, at: Date.now(), ...r };
    this.requests.push(rec);
    if (this.options.logFile) {
      appendFileSync(this.options.logFile, `${JSON.stringify({ seq: rec.seq, method: rec.method, url: rec.url, kind: rec.kind, why: rec.why, headers: rec.headers, body: rec.body })}\n`);
    }
    return rec;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (/^https?:\/\//i.test(req.url ?? '') && (url.host !== `127.0.0.1:${this.port}` && url.host !== `localhost:${this.port}`)) {
      // a proxied request for another host
      const rec = this.record(this.otherRequest(method, url, req, undefined));
      rec.url = req.url ?? '';
      rec.why = 'proxy: refused';
      rec.reply = { text: '', scripted: false, status: 403 };
      rec.endedAt = Date.now();
      res.writeHead(403).end();
      this.notify();
      return;
    }
    let body: unknown;
    let rec: RecordedRequest | null = null;
    try {
      const raw = await readBody(req);
      if (raw.length > 0) body = JSON.parse(raw.toString('utf8'));
      const dialect = dialectFor(method, url);
      if (!dialect) {
        rec = this.record(this.otherRequest(method, url, req, body));
        answerSideCall(method, url, res, rec);
        return;
      }
      const parsed = dialect.parse(body, url);
      const judged = this.options.classify?.(parsed, dialect.api, url) ?? defaultClassify(parsed);
      rec = this.record({
        method,
        url: url.pathname + url.search,
        api: dialect.api,
        kind: judged.kind,
        why: judged.why,
        stream: parsed.stream,
        model: parsed.model || geminiModel(url),
        userText: parsed.userText,
        toolResults: parsed.toolResults,
        tools: parsed.tools.map((t) => t.name),
        headers: req.headers,
        body,
      });
      this.notify();
      const turn = judged.kind === 'turn' ? this.queue.shift() : undefined;
      await this.answer(dialect, parsed, judged.kind, turn, res, rec);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!rec) rec = this.record(this.otherRequest(method, url, req, body));
      rec.reply = { text: `error: ${message}`, scripted: false, status: 500 };
      if (!res.headersSent) json(res, 500, { error: { message: `scripted model server: ${message}` } });
      else res.end();
    } finally {
      if (rec) rec.endedAt ??= Date.now();
      this.notify();
    }
  }

  private otherRequest(method: string, url: URL, req: IncomingMessage, body: unknown): Omit<RecordedRequest, 'seq' | 'at'> {
    return {
      method,
      url: url.pathname + url.search,
      api: null,
      kind: 'other',
      why: 'not a model call',
      stream: false,
      model: '',
      userText: '',
      toolResults: [],
      tools: [],
      headers: req.headers,
      body,
    };
  }

  private async answer(dialect: Dialect, parsed: ParsedRequest, kind: RequestKind, turn: TurnScript | undefined, res: ServerResponse, rec: RecordedRequest): Promise<void> {
    let closed = false;
    res.on('close', () => {
      closed = true;
      this.open.delete(res);
    });
    this.open.add(res);
    const model = parsed.model || 'test-model';
    if (kind !== 'turn') {
      const chosen = typeof this.options.backgroundReply === 'function' ? this.options.backgroundReply(rec) : undefined;
      const fixed = typeof this.options.backgroundReply === 'string' ? this.options.backgroundReply : 'OK';
      const text =
        chosen ??
        backgroundMarker(parsed)?.reply ??
        (parsed.answerSchema ? JSON.stringify(sampleOf(parsed.answerSchema, 'ok')) : parsed.wantsJson ? '{}' : fixed);
      return this.play(dialect, parsed, { text }, res, rec, model, false, () => closed);
    }
    const scripted = turn !== undefined;
    return this.play(dialect, parsed, turn ?? { text: this.options.defaultReply ?? 'OK.' }, res, rec, model, scripted, () => closed);
  }

  private async waitGate(writer: StreamWriter | null, isClosed: () => boolean): Promise<void> {
    while (this.gate && !isClosed()) {
      const gate = this.gate;
      const tick = sleep(5_000).then(() => 'tick' as const);
      if ((await Promise.race([gate.promise, tick])) === 'tick') writer?.keepAlive();
    }
  }

  private async pause(ms: number, writer: StreamWriter | null, isClosed: () => boolean): Promise<void> {
    if (ms > 0) await sleep(ms);
    await this.waitGate(writer, isClosed);
  }

  private async play(
    dialect: Dialect,
    parsed: ParsedRequest,
    turn: TurnScript,
    res: ServerResponse,
    rec: RecordedRequest,
    model: string,
    scripted: boolean,
    isClosed: () => boolean,
  ): Promise<void> {
    const usage = usageOf(turn);
    const text = turn.text ?? '';
    let call: ToolCallOut | undefined;
    if (turn.toolCall) call = { id: newId('call_'), ...resolveToolCall(turn.toolCall, parsed.tools) };
    rec.reply = { text, ...(call ? { toolCall: { name: call.name, args: call.args } } : {}), scripted, status: 200 };
    if (turn.error) {
      rec.reply.status = turn.error.status;
      dialect.error(res, turn.error.status, turn.error.message ?? 'scripted error');
      return;
    }
    const chunks = chunkText(text, turn.chunks);
    const interval = chunks.length > 1 ? (turn.streamMs ?? 0) / (chunks.length - 1) : 0;
    if (!parsed.stream) {
      if (turn.hold) this.hold();
      await this.pause((turn.firstTokenDelayMs ?? 0) + (turn.streamMs ?? 0), null, isClosed);
      if (isClosed()) return;
      rec.firstTokenAt = Date.now();
      dialect.whole(res, { text, ...(call ? { toolCall: call } : {}), usage }, model);
      return;
    }
    const writer = dialect.stream(res, model);
    writer.start(usage);
    if (turn.hold) this.hold();
    await this.pause(turn.firstTokenDelayMs ?? 0, writer, isClosed);
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) await this.pause(interval, writer, isClosed);
      if (isClosed()) return;
      writer.text(chunk);
      rec.firstTokenAt ??= Date.now();
    }
    if (call) {
      await this.waitGate(writer, isClosed);
      if (isClosed()) return;
      writer.toolCall(call);
      rec.firstTokenAt ??= Date.now();
    }
    await this.waitGate(writer, isClosed);
    if (isClosed()) return;
    writer.finish(usage);
  }
}

export { defaultClassify };
