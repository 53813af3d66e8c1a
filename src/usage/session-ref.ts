/**
 * Which transcript format an agent's CLI writes (docs/needs-you.md, "Tokens and cost"). The
 * transcript is found by the session id the crew keeps for the agent, never guessed from
 * the folder the agent works in. Pure.
 */
import type { TranscriptFormat } from '../transcripts/formats.js';

/** Presets (by name, `claude+` extended ones too) whose CLI writes a transcript muster reads. */
const FORMAT_OF_PRESET: Record<string, TranscriptFormat> = { claude: 'claude', codex: 'codex', gemini: 'gemini', qwen: 'qwen', opencode: 'opencode' };

export function transcriptFormat(presetName: string): TranscriptFormat | null {
  return FORMAT_OF_PRESET[presetName.replace(/\+$/, '')] ?? null;
}
