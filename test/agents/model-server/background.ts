/**
 * Requests the CLIs make on their own that look like real turns (they stream and offer the
 * shell tool) but are not, told apart by how their system prompt or their new user text
 * starts. Data, refreshed when a CLI update adds one: until then a test sees a turn it did
 * not script (ModelServer.describe() lists it).
 */
export interface BackgroundMarker {
  cli: string;
  why: string;
  /** which text of the request starts with the marker */
  field: 'system' | 'user';
  starts: RegExp;
  /** what to answer (default: the server's background reply) */
  reply?: string;
}

/** How Qwen Code's request for a follow-up suggestion starts (its user text). */
export const QWEN_SUGGESTION = /^\s*\[SUGGESTION MODE:/;

export const BACKGROUND_MARKERS: BackgroundMarker[] = [
  { cli: 'qwen', why: 'memory extraction', field: 'system', starts: /^\s*You are now acting as the managed memory extraction subagent/ },
  // Qwen Code asks for the next prompt it may suggest after each turn
  { cli: 'qwen', why: 'prompt suggestion', field: 'user', starts: QWEN_SUGGESTION, reply: '' },
];

/** The marker a request matches, if any. */
export function backgroundMarker(req: { system: string; userText: string }): BackgroundMarker | null {
  return BACKGROUND_MARKERS.find((m) => m.starts.test(m.field === 'system' ? req.system : req.userText)) ?? null;
}
