/**
 * Is an agent busy, idle (ready for the next message) or waiting (on a permission prompt or
 * a question)? Decided from how long its output has been quiet and, when the supervisor
 * captured it, the text its pane shows now. Pure.
 *
 * Order: a waiting prompt in the screen's live part wins (the agent is stuck until someone
 * answers, however quiet); then a busy mark at the bottom (a spinner redraws, but a long
 * tool call may be quiet); then quiet time: idle once quiet for the threshold with the
 * ready prompt on screen, or for `unreadyFactor` times the threshold without it. Without
 * a screen, quiet time alone decides between busy and idle.
 */
import type { PresetName } from '../config/types.js';
import { presetFor, type ActivityPreset } from './presets.js';

export type Activity = 'busy' | 'idle' | 'waiting';

export interface ClassifyInput {
  /** a preset name (null → default) or a preset object */
  preset: PresetName | null | ActivityPreset;
  /** the pane's visible text (`capture-pane -p`), or null when not captured */
  screen: string | null;
  /** how long the pane's output has not changed */
  quietMs: number;
  /** overrides the preset's `quietMs` */
  quietThresholdMs?: number;
}

/** Non-blank lines at the bottom of the screen where prompts and dialogs live. */
export const LIVE_LINES = 15;
/** Non-blank lines at the bottom where a busy mark counts (older ones are history). */
export const BUSY_LINES = 8;

/** The last `count` non-blank lines of a screen, right-trimmed, joined by newlines. */
export function screenTail(screen: string, count: number): string {
  const lines = screen.replace(/\r/g, '').split('\n').map((l) => l.trimEnd());
  const kept: string[] = [];
  for (let i = lines.length - 1; i >= 0 && kept.length < count; i--) {
    const line = lines[i] as string;
    if (line.trim() !== '') kept.push(line);
  }
  return kept.reverse().join('\n');
}

/** busy | idle | waiting for one pulse. */
export function classify(input: ClassifyInput): Activity {
  const preset = typeof input.preset === 'object' && input.preset !== null ? input.preset : presetFor(input.preset);
  const threshold = input.quietThresholdMs ?? preset.quietMs;
  if (input.screen === null) return input.quietMs >= threshold ? 'idle' : 'busy';
  const live = screenTail(input.screen, LIVE_LINES);
  if (preset.waiting.some((re) => re.test(live))) return 'waiting';
  const bottom = screenTail(input.screen, BUSY_LINES);
  if (preset.busy.some((re) => re.test(bottom))) return 'busy';
  if (input.quietMs < threshold) return 'busy';
  const ready = preset.ready.length === 0 || preset.ready.some((re) => re.test(live));
  if (ready) return 'idle';
  return input.quietMs >= threshold * preset.unreadyFactor ? 'idle' : 'busy';
}
