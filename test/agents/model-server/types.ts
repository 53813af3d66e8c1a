/**
 * Types of the scripted model server (see test/agents/README.md): what a test scripts per
 * turn, and what the server records per request.
 */

/** The model APIs the pinned agent CLIs call. */
export type ApiName = 'anthropic' | 'responses' | 'chat' | 'gemini';

/** Token figures of one reply, reported in each API's own usage fields. */
export interface Usage {
  /** input tokens not read from or written to a cache (Anthropic's `input_tokens`) */
  input: number;
  output: number;
  /** Anthropic `cache_creation_input_tokens`; the OpenAI and Gemini APIs have no such field and count it as input */
  cacheWrite: number;
  /** Anthropic `cache_read_input_tokens`, OpenAI `cached_tokens`, Gemini `cachedContentTokenCount` */
  cacheRead: number;
}

/** A tool call the scripted model makes at the end of its turn. */
export type ToolCallScript =
  | {
      /** a command for the CLI's own shell tool; the server fills in that tool's arguments from the schema the CLI sent */
      shell: string;
      /** Codex: ask to run outside the sandbox (`sandbox_permissions: "require_escalated"`), which makes Codex ask for approval */
      escalate?: boolean;
      /** Codex: the justification shown with an escalation request */
      justification?: string;
      /** the tool's `description` argument where it has one */
      description?: string;
    }
  | {
      /** any tool by its exact name, with these arguments */
      tool: string;
      args: Record<string, unknown>;
    };

/** How the scripted model answers one real turn (one request of kind `turn`). */
export interface TurnScript {
  /** reply text, streamed in chunks (may be empty when the turn only calls a tool) */
  text?: string;
  /** a tool call after the text; the CLI answers it with a follow-up request (the next turn) */
  toolCall?: ToolCallScript;
  /** pause after the request arrives, before the first token (ms; default 0) */
  firstTokenDelayMs?: number;
  /** spread the chunks over this many ms (default 0: as fast as possible) */
  streamMs?: number;
  /** how many chunks the text is cut into (default: about one per 4 words, at most 40) */
  chunks?: number;
  /** token usage figures reported at the end of the stream */
  usage?: Partial<Usage>;
  /** hold the stream before its first token until `release()` (see ModelServer.hold) */
  hold?: boolean;
  /** answer with this HTTP error in the API's error format instead of a reply */
  error?: { status: number; message?: string };
}

/** Whether a request is a real turn of the conversation or a request the CLI makes on its own. */
export type RequestKind = 'turn' | 'background' | 'other';

/** What the server saw of one request and what it answered. */
export interface RecordedRequest {
  /** 1, 2, … in arrival order */
  seq: number;
  /** Date.now() at arrival */
  at: number;
  method: string;
  /** path and query, as sent */
  url: string;
  api: ApiName | null;
  kind: RequestKind;
  /** why it was judged background (e.g. `no shell tool`, `router`), for failure messages */
  why: string;
  stream: boolean;
  model: string;
  /** the new user input this request carries; empty when it only carries tool results */
  userText: string;
  /** outputs of tool calls it carries back to the model */
  toolResults: string[];
  /** names of the tools it offers */
  tools: string[];
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body (undefined for bodiless requests) */
  body: unknown;
  /** what the server answered */
  reply?: { text: string; toolCall?: { name: string; args: Record<string, unknown> }; scripted: boolean; status: number };
  /** Date.now() when the first token went out, and when the response ended */
  firstTokenAt?: number;
  endedAt?: number;
}
