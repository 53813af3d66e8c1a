/**
 * Is an agent busy, idle (ready for the next message) or waiting (on a permission prompt,
 * a question, a first-run dialog)? Decided from its screen's live region, read with its
 * preset's rules (docs/presets.md), and from how long its output has been quiet. Pure.
 *
 * Order: the first rule that matches the live region decides when it says waiting or
 * busy — a prompt on screen wins however busy the output (Codex blinks its title while it
 * asks), and a spinner wins however quiet. Otherwise output that changed within the
 * preset's quiet time is busy (Codex streams with no indicator at all). Otherwise an idle
 * rule (or, with none matching, quiet for `unready` times longer) makes it idle — `idle
 * (draft)` when text sits in its input that nobody submitted.
 */
import type { PresetRule, PresetSpec } from '../config/preset-types.js';
import { liveRegion, readInput, type InputReading } from './screen.js';

export type Activity = 'busy' | 'idle' | 'waiting';

export interface ClassifyInput {
  preset: PresetSpec;
  /** the pane's visible text (`capture-pane -p`), or null when not captured */
  screen: string | null;
  /** how long the pane's output has not changed */
  quietMs: number;
}

export interface Verdict {
  activity: Activity;
  /**
   * why: a waiting rule's reason (`permission`, `dialog`, …), a busy rule's, `output`
   * (still changing), `no-prompt` (quiet, but no idle rule matched yet), `draft` (idle
   * with unsubmitted text in the input), an idle rule's, or `quiet` (no screen read)
   */
  reason: string;
  /** the rule that decided, if one did */
  rule: PresetRule | null;
  /** the live region read (empty without a screen) */
  live: string[];
  input: InputReading | null;
  /**
   * the screen shows the CLI's input line, so it takes text (docs/presets.md, "Start-up"):
   * idle and the preset's `ready.match` matches — by default an idle rule decided, or, for a
   * preset with no idle rule, idle at all
   */
  ready: boolean;
}

/** The first rule whose patterns all match the live region and none of its `unless`. */
export function matchRule(rules: readonly PresetRule[], live: string): PresetRule | null {
  for (const rule of rules) {
    if (rule.match.every((re) => re.test(live)) && !rule.unless.some((re) => re.test(live))) return rule;
  }
  return null;
}

/** busy | idle | waiting, with the reason and the rule that decided. */
export function classify({ preset, screen, quietMs }: ClassifyInput): Verdict {
  const quiet = quietMs >= preset.quietMs;
  if (screen === null) return { activity: quiet ? 'idle' : 'busy', reason: quiet ? 'quiet' : 'output', rule: null, live: [], input: null, ready: false };
  const live = liveRegion(screen, preset.live);
  const text = live.join('\n');
  const input = readInput(live, preset.input);
  const rule = matchRule(preset.rules, text);
  const verdict = (activity: Activity, reason: string, by: PresetRule | null = null): Verdict => ({
    activity,
    reason,
    rule: by,
    live,
    input,
    ready: activity === 'idle' && showsInput(preset, text, by),
  });
  if (rule && rule.activity !== 'idle') return verdict(rule.activity, rule.reason, rule);
  if (!quiet) return verdict('busy', 'output');
  if (!rule && quietMs < preset.quietMs * preset.unreadyFactor) return verdict('busy', 'no-prompt');
  if (input && !input.empty) return verdict('idle', 'draft', rule);
  return verdict('idle', rule?.reason ?? 'quiet', rule);
}

/** Does the live region show the CLI's input line (the preset's `ready.match`, else its idle rules)? */
function showsInput(preset: PresetSpec, live: string, rule: PresetRule | null): boolean {
  if (preset.ready.when === 'idle') return true;
  if (preset.ready.match.length > 0) return preset.ready.match.some((re) => re.test(live));
  if (rule?.activity === 'idle') return true;
  return !preset.rules.some((r) => r.activity === 'idle');
}

/**
 * The screen line that made a rule match: the first live line one of its patterns matches
 * on its own, else (a pattern spanning lines) the last line of the region.
 */
export function ruleLine(rule: PresetRule, live: readonly string[]): string | null {
  const line = live.find((l) => rule.match.some((re) => re.test(l))) ?? live[live.length - 1];
  return line === undefined ? null : plainLine(line);
}

/** A screen line without the box it is drawn in (`│ Allow? │` → `Allow?`) and long runs of blanks. */
function plainLine(line: string): string {
  return line.replace(/^[\s│┃║|]+|[\s│┃║|]+$/g, '').replace(/\s{3,}/g, '  ');
}

/** A verdict as the runner reports it: the activity, why, and the line a waiting agent shows. */
export function seenOf(verdict: Verdict): { activity: Activity; reason: string; line: string | null; ready: boolean; known: boolean } {
  const line = verdict.activity === 'waiting' && verdict.rule ? ruleLine(verdict.rule, verdict.live) : null;
  const known = verdict.rule !== null || (verdict.input !== null && !verdict.input.empty);
  return { activity: verdict.activity, reason: verdict.reason, line, ready: verdict.ready, known };
}
