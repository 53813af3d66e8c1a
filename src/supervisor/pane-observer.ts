/**
 * What each agent's pane shows, looked at once per pulse (docs/presets.md, "How muster
 * reads a screen"). The screen is captured again whenever the agent's log grew since the
 * last capture, so a prompt is seen as `waiting` even while the output never goes quiet
 * (Codex blinks its terminal title while it asks); while the log stays the same size the
 * cached screen is classified again with the new quiet time, and only when that time
 * crosses one of the preset's thresholds. An idle crew costs one `stat` per agent a pulse.
 */
import * as fs from 'node:fs';
import { ActivityTracker } from '../activity/activity-tracker.js';
import { classify, type Verdict } from '../activity/classify.js';
import type { PresetSpec } from '../config/preset-types.js';

/** One look at a pane: the verdict and the quiet time it was judged with. */
export interface Look {
  verdict: Verdict;
  quietMs: number;
  /** the screen read (null when it could not be captured) */
  screen: string | null;
}

interface Cached {
  /** the log's size when the screen was captured */
  size: number;
  screen: string;
  /** which side of the preset's quiet thresholds the verdict was judged on */
  band: number;
  verdict: Verdict;
}

/** 0: output moving; 1: quiet, but not yet quiet enough without an idle rule; 2: quiet past both. */
function band(preset: PresetSpec, quietMs: number): number {
  if (quietMs < preset.quietMs) return 0;
  return quietMs < preset.quietMs * preset.unreadyFactor ? 1 : 2;
}

export class PaneObserver {
  private readonly tracker = new ActivityTracker();
  private readonly screens = new Map<string, Cached>();
  /** captures taken so far (for tests of the pulse's cost) */
  captures = 0;

  constructor(
    private readonly capture: (pane: string) => Promise<string>,
    private readonly logFile: (agentId: string) => string,
  ) {}

  /** A new attempt starts with fresh output: its quiet time counts from now. */
  launched(agentId: string, now: number): void {
    this.forget(agentId);
    this.tracker.observe(agentId, -1, now);
  }

  /** Text was typed into the agent: that is output too, and the screen must be read again. */
  typed(agentId: string, now: number): void {
    this.tracker.touch(agentId, now);
    this.screens.delete(agentId);
  }

  forget(agentId: string): void {
    this.tracker.forget(agentId);
    this.screens.delete(agentId);
  }

  /** How long the agent's output has been quiet, by its log's size now. */
  quietMs(agentId: string, now: number): number {
    const stat = statOrNull(this.logFile(agentId));
    return this.tracker.observe(agentId, stat?.size ?? 0, now, stat?.mtimeMs);
  }

  /**
   * The pulse's look at one agent. `fresh`: capture whatever the log says (for `muster
   * explain`, and right before typing).
   */
  async look(agentId: string, pane: string, preset: PresetSpec, now: number, fresh = false): Promise<Look> {
    const stat = statOrNull(this.logFile(agentId));
    const size = stat?.size ?? 0;
    const quietMs = this.tracker.observe(agentId, size, now, stat?.mtimeMs);
    const b = band(preset, quietMs);
    const cached = this.screens.get(agentId);
    if (!fresh && cached && cached.size === size) {
      if (cached.band !== b) {
        cached.verdict = classify({ preset, screen: cached.screen, quietMs });
        cached.band = b;
      }
      return { verdict: cached.verdict, quietMs, screen: cached.screen };
    }
    this.captures++;
    const screen = await this.capture(pane).catch(() => null);
    const verdict = classify({ preset, screen, quietMs });
    if (screen !== null) this.screens.set(agentId, { size, screen, band: b, verdict });
    else this.screens.delete(agentId);
    return { verdict, quietMs, screen };
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
