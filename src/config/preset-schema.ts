/**
 * The zod schema of a preset (`presets/<name>.yaml`, or a map under an agent's `preset:`
 * key); docs/presets.md describes every key. Patterns are JavaScript regular expressions,
 * checked here and compiled (multi-line: `^` and `$` match at each line) when the preset
 * is resolved.
 */
import { z } from 'zod';
import { strict } from './issues.js';
import { WAITING_REASONS } from './preset-types.js';
import { parseDuration } from './units.js';

/** A preset name: a file name in a `presets/` folder. */
export const PRESET_NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** Compiles a pattern as muster does (`m`, and `i` when asked). */
export function compilePattern(source: string, ignoreCase = false): RegExp {
  return new RegExp(source, ignoreCase ? 'mi' : 'm');
}

/** Why `v` is not a usable pattern, or null. */
function patternProblem(v: unknown): string | null {
  if (typeof v !== 'string') return `bad pattern ${JSON.stringify(v)}: use a regular expression in quotes`;
  try {
    compilePattern(v);
    return null;
  } catch (err) {
    return `bad pattern ${JSON.stringify(v)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

const pattern = z.unknown().transform((v, ctx): string => {
  const problem = patternProblem(v);
  if (problem === null) return v as string;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});
/** One pattern, or a list of them (all must match). */
const patterns = z.unknown().transform((v, ctx): string[] => {
  if (typeof v === 'string') {
    const problem = patternProblem(v);
    if (problem === null) return [v];
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  if (!Array.isArray(v) || v.length === 0) {
    ctx.addIssue({ code: 'custom', message: `bad patterns ${JSON.stringify(v)}: use a pattern or a list of patterns` });
    return z.NEVER;
  }
  v.forEach((p, i) => {
    const problem = patternProblem(p);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
  });
  return v as string[];
});

const duration = (min: number) =>
  z.unknown().transform((v, ctx): number => {
    const r = parseDuration(v);
    if (r.ok && r.value >= min) return r.value;
    ctx.addIssue({ code: 'custom', message: r.ok ? `bad duration ${JSON.stringify(v)}: use at least ${min}ms` : r.error });
    return z.NEVER;
  });

const word = z.string().regex(/^[a-z][a-z0-9_-]*$/, { error: 'use a word of a-z, 0-9, _ and -' });

/** One rule; exactly one of `waiting`, `busy` and `idle` says what it means. */
export const ruleSchema = strict(
  {
    waiting: z.enum(WAITING_REASONS).optional(),
    busy: word.optional(),
    idle: word.optional(),
    match: patterns,
    unless: patterns.optional(),
    ignore_case: z.boolean().optional(),
  },
  'use a map with waiting, busy or idle, and match',
).superRefine((rule, ctx) => {
  const kinds = (['waiting', 'busy', 'idle'] as const).filter((k) => rule[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: kinds.length === 0 ? 'a rule needs one of waiting, busy or idle (e.g. waiting: permission)' : `a rule has one meaning: use only one of ${kinds.join(', ')}`,
    });
  }
});

/** Keys a preset file and an inline `preset:` map share. */
export const presetShape = {
  description: z.string().optional(),
  extends: z.string().regex(PRESET_NAME_RE, { error: 'use a preset name, e.g. claude' }).optional(),
  commands: z.array(z.string().min(1), { error: 'use a list of program names, e.g. [claude]' }).optional(),
  quiet: duration(100).optional(),
  unready: z.number({ error: 'use a number of at least 1' }).min(1).optional(),
  live: strict(
    {
      lines: z.number().int().min(1).max(200).optional(),
      below: pattern.optional(),
      nth: z.number().int().min(1).max(10).optional(),
      above: z.number().int().min(0).max(20).optional(),
    },
    'use a map with lines, below, nth, above',
  ).optional(),
  rules: z.array(ruleSchema, { error: 'use a list of rules' }).optional(),
  input: strict(
    {
      line: pattern.optional(),
      empty: patterns.optional(),
      pending: patterns.optional(),
      ignore: z.array(z.string().min(1)).optional(),
    },
    'use a map with line, empty, pending, ignore',
  ).optional(),
  submit: strict(
    {
      pause: duration(50).optional(),
      paste: z.enum(['bracketed', 'plain']).optional(),
      enter_while_busy: z.enum(['queue', 'steer']).optional(),
    },
    'use a map with pause, paste, enter_while_busy',
  ).optional(),
  keys: strict({ clear: z.array(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'use tmux key names, e.g. C-u' })).optional() }, 'use a map with clear').optional(),
};

export const presetSchema = strict(presetShape, 'use a map of preset keys');
export type RawPreset = z.output<typeof presetSchema>;
export type RawRule = z.output<typeof ruleSchema>;

/** An agent's `preset:`: a preset's name, or a map that extends one. */
export const presetRefSchema = z.union([z.string().regex(PRESET_NAME_RE, { error: 'use a preset name, e.g. claude' }), presetSchema], {
  error: 'use a preset name (e.g. claude) or a map with extends and the keys to change',
});
