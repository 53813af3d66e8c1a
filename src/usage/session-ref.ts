/**
 * Which transcript format an agent's CLI writes, and its session id (docs/needs-you.md,
 * "Tokens and cost"). The id is the one the agent was started with: the crew's record of
 * the CLI's session where muster learnt it, else a `--session-id <id>` in the agent's own
 * command line. Nothing is guessed from the folder the agent works in. Pure.
 */
import type { TranscriptFormat } from '../transcripts/formats.js';

/** Presets (by name, `claude+` extended ones too) whose CLI writes a transcript muster reads. */
const FORMAT_OF_PRESET: Record<string, TranscriptFormat> = { claude: 'claude', codex: 'codex', gemini: 'gemini', qwen: 'qwen' };

export function transcriptFormat(presetName: string): TranscriptFormat | null {
  return FORMAT_OF_PRESET[presetName.replace(/\+$/, '')] ?? null;
}

const SESSION_FLAG = /(?:^|\s)--session-id(?:=|\s+)(['"]?)([A-Za-z0-9][A-Za-z0-9._-]{0,127})\1(?=\s|$)/;

/** The `--session-id` an agent's command line gives its CLI, or null. */
export function sessionFromCommand(run: string): string | null {
  return SESSION_FLAG.exec(run)?.[2] ?? null;
}
