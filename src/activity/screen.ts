/**
 * Reading an agent's screen the way its preset says (docs/presets.md): the live region
 * (the input box, a prompt, a spinner — never the transcript above them, where model text
 * can say anything) and the text in the input line. Pure.
 */
import type { InputSpec, LiveRegionSpec } from '../config/preset-types.js';

/** What the input line holds. */
export interface InputReading {
  /** the input's text, with the characters the CLI adds removed */
  text: string;
  /** nothing typed (or only a placeholder) */
  empty: boolean;
  /** a mark standing for pasted text that was not submitted */
  pending: boolean;
}

/** The non-blank lines of a screen, right-trimmed. */
function nonBlankLines(screen: string): string[] {
  return screen
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

/**
 * The live region's lines: the last `lines` non-blank lines, from `above` lines above the
 * `nth` last separator among them (when there is one; the separator included) to the bottom.
 */
export function liveRegion(screen: string, live: LiveRegionSpec): string[] {
  let region = nonBlankLines(screen).slice(-live.lines);
  const below = live.below;
  if (below) {
    const seps = region.flatMap((l, i) => (below.test(l) ? [i] : []));
    if (seps.length > 0) {
      const cut = seps[Math.max(0, seps.length - live.nth)] as number;
      region = region.slice(Math.max(0, cut - live.above));
    }
  }
  return region;
}

/** Removes the characters a CLI adds to its input (e.g. U+200B) and trims. */
export function cleanInput(text: string, ignore: readonly string[]): string {
  let out = text;
  for (const ch of ignore) out = out.split(ch).join('');
  return out.trim();
}

/** The input line as the preset finds it in the live region (the lowest match), or null. */
export function readInput(region: readonly string[], input: InputSpec): InputReading | null {
  const re = input.line;
  if (!re) return null;
  for (let i = region.length - 1; i >= 0; i--) {
    const m = re.exec(region[i] as string);
    if (!m) continue;
    const text = cleanInput(m[1] ?? '', input.ignore);
    const pending = input.pending.some((p) => p.test(text));
    const empty = !pending && (text === '' || input.empty.some((p) => p.test(text)));
    return { text, empty, pending };
  }
  return null;
}
