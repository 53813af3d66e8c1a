/**
 * Units of the user's files (README, "A team file"): CPU percentages, memory sizes,
 * durations and machine percentages. Every parser takes the raw YAML value
 * and returns a value or a short message; none of them throws.
 */

/** The outcome of parsing one user-written value. */
export type UnitResult<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): UnitResult<T> => ({ ok: true, value });
const fail = <T>(error: string): UnitResult<T> => ({ ok: false, error });

/** Shows a raw value the way the user wrote it: strings quoted, others bare. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return '(empty)';
  if (Array.isArray(v)) return '(a list)';
  if (typeof v === 'object') return '(a map)';
  return String(v);
}

const NUMBER = String.raw`\d+(?:\.\d+)?`;

/**
 * CPU as a percentage of one core: `50%`, `200%` (two cores); a bare number
 * is a percentage too. Must be more than 0.
 */
export function parseCpu(v: unknown): UnitResult<number> {
  const error = `bad cpu ${showValue(v)}: use a percentage of one core, e.g. 50% or 200%`;
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = new RegExp(`^(${NUMBER})\\s*%?$`).exec(v.trim());
    if (m?.[1] !== undefined) n = Number(m[1]);
  }
  if (n === null || !Number.isFinite(n) || n <= 0) return fail(error);
  return ok(n);
}

const MEMORY_UNITS: Record<string, number> = {
  B: 1,
  K: 1024,
  KiB: 1024,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
};

/**
 * Memory in bytes: a whole number of bytes, or a number with `B`, `KiB`,
 * `MiB`, `GiB`, `TiB` (or `K M G T`, same binary meaning). Must be more than 0.
 */
export function parseMemory(v: unknown): UnitResult<number> {
  const error = `bad memory ${showValue(v)}: use bytes or KiB, MiB, GiB`;
  let bytes: number | null = null;
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) bytes = v;
  } else if (typeof v === 'string') {
    const m = new RegExp(`^(${NUMBER})\\s*([A-Za-z]*)$`).exec(v.trim());
    const amount = m?.[1];
    const unit = m?.[2] ?? '';
    if (amount !== undefined) {
      const factor = unit === '' ? 1 : MEMORY_UNITS[unit];
      const n = Number(amount);
      if (factor !== undefined && (factor > 1 || Number.isInteger(n))) bytes = Math.round(n * factor);
    }
  }
  if (bytes === null || bytes <= 0) return fail(error);
  return ok(bytes);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration in milliseconds: `500ms`, `30s`, `15m`, `2h`, `1d`, or parts combined
 * as in `1h30m`. A bare number is an error (the unit would be a guess).
 * Zero (`0s`) is allowed; callers that need more say so with `positive`.
 */
export function parseDuration(v: unknown, options: { positive?: boolean } = {}): UnitResult<number> {
  if (typeof v === 'number') return fail(`bad duration ${v}: add a unit: ms, s, m or h (e.g. ${v}s)`);
  const error = `bad duration ${showValue(v)}: use a number with ms, s, m or h, e.g. 30s, 15m or 1h30m`;
  if (typeof v !== 'string') return fail(error);
  const text = v.trim();
  const part = new RegExp(`(${NUMBER})(ms|s|m|h|d)`, 'y');
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    const amount = m?.[1];
    const unit = m?.[2];
    if (!m || amount === undefined || unit === undefined) return fail(error);
    total += Number(amount) * (DURATION_UNITS[unit] ?? 0);
    at = part.lastIndex;
  }
  if (text.length === 0) return fail(error);
  if (options.positive && total <= 0) return fail(`bad duration ${showValue(v)}: must be more than 0`);
  return ok(Math.round(total));
}

/** A share of the whole machine, 0–100: `60%` or a bare number. */
export function parsePercent(v: unknown): UnitResult<number> {
  const error = `bad percentage ${showValue(v)}: use 0% to 100%`;
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = new RegExp(`^(${NUMBER})\\s*%?$`).exec(v.trim());
    if (m?.[1] !== undefined) n = Number(m[1]);
  }
  if (n === null || !Number.isFinite(n) || n < 0 || n > 100) return fail(error);
  return ok(n);
}

const TOKEN_UNITS: Record<string, number> = { '': 1, K: 1e3, k: 1e3, M: 1e6, G: 1e9 };

/** A number of tokens: a whole number, or a number with K, M or G (decimal: 5M = 5,000,000). More than 0. */
export function parseTokens(v: unknown): UnitResult<number> {
  const error = `bad tokens ${showValue(v)}: use a number of tokens, or one with K, M or G, e.g. 500K or 5M`;
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = new RegExp(`^(${NUMBER})\\s*([kKMG]?)$`).exec(v.trim());
    const factor = TOKEN_UNITS[m?.[2] ?? 'x'];
    if (m?.[1] !== undefined && factor !== undefined) n = Math.round(Number(m[1]) * factor);
  }
  if (n === null || !Number.isSafeInteger(n) || n <= 0) return fail(error);
  return ok(n);
}

/** US dollars: a number, or `$` and a number (`$10`, `2.50`). More than 0. */
export function parseDollars(v: unknown): UnitResult<number> {
  const error = `bad cost ${showValue(v)}: use US dollars, e.g. 10 or $2.50`;
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = new RegExp(`^\\$?\\s*(${NUMBER})$`).exec(v.trim());
    if (m?.[1] !== undefined) n = Number(m[1]);
  }
  if (n === null || !Number.isFinite(n) || n <= 0) return fail(error);
  return ok(n);
}
