/**
 * Requests the CLIs make on their own that look like real turns (they stream and offer the
 * shell tool) but are not: told apart by how their system prompt starts. Data, refreshed
 * when a CLI update adds one (a test then sees a turn it did not script).
 */
export const BACKGROUND_SYSTEM_PROMPTS: Array<{ cli: string; why: string; starts: RegExp }> = [
  { cli: 'qwen', why: 'memory extraction', starts: /^\s*You are now acting as the managed memory extraction subagent/ },
];

/** Why a request with this system prompt is background, or null. */
export function backgroundBySystemPrompt(system: string): string | null {
  return BACKGROUND_SYSTEM_PROMPTS.find((m) => m.starts.test(system))?.why ?? null;
}
