/**
 * `muster explain AGENT`: why an agent has its activity now — the live region read, the
 * rule that decided (file and line), the quiet time, the input line, and what would change
 * the verdict. For users fixing a preset after a CLI update, and for bug reports. Pure:
 * the caller reads the screen and the quiet time.
 */
import type { PresetRule, PresetSpec } from '../config/preset-types.js';
import type { Verdict } from './classify.js';

export interface Explanation {
  agent: string;
  preset: PresetSpec;
  verdict: Verdict;
  quietMs: number;
  /**
   * What the agent's own hooks last reported in this attempt and how long ago (null: they
   * have not spoken), and what the crew shows and from where (README, "Sessions, resume
   * and hooks"): the hooks are the authority over the screen once they spoke.
   */
  hooks?: { activity: 'busy' | 'idle' | 'waiting' | null; agoMs: number } | null;
  shown?: { activity: string | null; source: 'hook' | 'screen' | null };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function patterns(res: readonly RegExp[]): string {
  return res.map((re) => `/${re.source}/${re.flags.replace('m', '')}`).join(' and ');
}

/** `presets/claude.yaml:16` and what the rule says. */
export function describeRule(rule: PresetRule): string {
  const unless = rule.unless.length > 0 ? ` unless ${patterns(rule.unless)}` : '';
  return `${rule.at.file}:${rule.at.line}  ${rule.activity}: ${rule.reason}  when ${patterns(rule.match)}${unless}`;
}

function region(preset: PresetSpec): string {
  const { live } = preset;
  const below = live.below ? `, below the ${live.nth === 1 ? 'last' : `${live.nth}${live.nth === 2 ? 'nd' : live.nth === 3 ? 'rd' : 'th'}-last`} line matching /${live.below.source}/${live.above > 0 ? ` (and ${live.above} line(s) above it)` : ''}` : '';
  return `the last ${live.lines} non-blank lines${below}`;
}

/** What makes a new attempt ready for its first text (docs/presets.md, "Start-up"). */
function readyRule(preset: PresetSpec): string {
  if (preset.ready.when === 'idle') return 'ready.when: idle — once idle';
  if (preset.ready.match.length > 0) return `once idle with ${preset.ready.match.map((re) => `/${re.source}/`).join(' or ')} in the live region`;
  return preset.rules.some((r) => r.activity === 'idle') ? 'once an idle rule matches: the input line shows' : 'once idle (the preset has no idle rule)';
}

/** What would move the agent out of its current activity. */
export function whatWouldChange(e: Explanation): string {
  const { verdict, preset, quietMs } = e;
  const quietNeed = preset.quietMs;
  switch (verdict.activity) {
    case 'waiting':
      return `someone answering it in its pane (muster attach ${e.agent}); until then muster types nothing into it unless forced`;
    case 'busy':
      if (verdict.rule) return `the screen no longer matching ${verdict.rule.at.file}:${verdict.rule.at.line} (the CLI removes its busy mark), or a waiting rule matching`;
      if (verdict.reason === 'output') return `its output staying quiet for ${seconds(Math.max(0, quietNeed - quietMs))} more (idle needs ${seconds(quietNeed)} with an idle rule matching)`;
      return `an idle rule matching, or ${seconds(Math.max(0, quietNeed * preset.unreadyFactor - quietMs))} more of quiet output (no idle rule matches: idle after ${seconds(quietNeed * preset.unreadyFactor)})`;
    case 'idle':
      if (verdict.reason === 'draft') return 'the text in its input submitted or cleared by whoever typed it; muster types nothing over a draft unless forced';
      return 'new output (busy), or a waiting rule matching';
  }
}

/** The explanation as lines of text. */
export function explainLines(e: Explanation): string[] {
  const { verdict, preset } = e;
  const state = `${verdict.activity} (${verdict.reason})`;
  const lines = [`${e.agent}: ${state}`, `  preset ${preset.name}${preset.description ? ` — ${preset.description}` : ''} (${preset.files.join(', extending ')})`];
  lines.push(`  output quiet for ${seconds(e.quietMs)} (quiet enough for idle after ${seconds(preset.quietMs)})`);
  if (verdict.live.length === 0) {
    lines.push('  screen: not read (no pane, or nothing on it)');
  } else {
    lines.push(`  live region (${region(preset)}):`);
    for (const l of verdict.live) lines.push(`  │ ${l}`);
  }
  lines.push(verdict.rule ? `  rule ${describeRule(verdict.rule)}` : '  rule: none matched');
  if (verdict.input) {
    const what = verdict.input.pending ? 'pasted text not submitted' : verdict.input.empty ? 'empty' : 'text nobody submitted (a draft)';
    lines.push(`  input line: ${what}${verdict.input.text && !verdict.input.empty ? `: ${JSON.stringify(verdict.input.text)}` : ''}`);
  } else if (preset.input.line) {
    lines.push('  input line: not on screen');
  }
  lines.push(`  ready for text: ${verdict.ready ? 'yes' : 'no'} (${readyRule(preset)})`);
  lines.push(...hookLines(e));
  lines.push(`  would change on: ${whatWouldChange(e)}`);
  return lines;
}

/** The hooks' word beside the screen's, and which one the crew shows (when they disagree). */
function hookLines(e: Explanation): string[] {
  if (e.hooks === undefined) return [];
  if (e.hooks === null) return ['  hooks: none spoke in this attempt (the screen decides)'];
  const said = e.hooks.activity === null ? 'only the session id' : e.hooks.activity;
  const lines = [`  hooks: said ${said} ${seconds(e.hooks.agoMs)} ago`];
  const shown = e.shown;
  if (shown && shown.activity !== null && e.hooks.activity !== null && e.hooks.activity !== e.verdict.activity) {
    lines.push(
      shown.source === 'hook'
        ? `  the hooks and the screen disagree: ${shown.activity} is shown (the hooks are the authority until the screen shows idle after them)`
        : `  the hooks and the screen disagree: ${shown.activity} is shown (the screen has shown idle since the hooks last spoke)`,
    );
  }
  return lines;
}
