/**
 * Model prices (docs/needs-you.md, "Tokens and cost"): the table shipped in the package
 * (`prices.yaml`) under the project's own `prices:` in muster.yaml, model name → US
 * dollars per million tokens of each kind. A model no entry matches has no price: its
 * cost is unknown, never guessed. Pure.
 */

export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface Price {
  /** dollars per million tokens */
  input: number;
  output: number;
  /** null: the vendor does not sell this kind separately (counted as input) */
  cacheWrite: number | null;
  cacheRead: number | null;
}

/** One entry of a price table: a model name, `*` matching any text. */
export interface PriceEntry {
  pattern: string;
  price: Price;
  /** where it is written, for messages */
  from: string;
}

export const NO_TOKENS: TokenCounts = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** The first entry whose pattern matches the model (entries in order: the project's first). */
export function priceOf(model: string, table: readonly PriceEntry[]): PriceEntry | null {
  for (const entry of table) if (globToRegExp(entry.pattern).test(model)) return entry;
  return null;
}

/** Dollars for these tokens at this price. */
export function costOf(tokens: TokenCounts, price: Price): number {
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    tokens.input * perToken(price.input) +
    tokens.output * perToken(price.output) +
    tokens.cacheWrite * perToken(price.cacheWrite ?? price.input) +
    tokens.cacheRead * perToken(price.cacheRead ?? price.input)
  );
}

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return { input: a.input + b.input, output: a.output + b.output, cacheWrite: a.cacheWrite + b.cacheWrite, cacheRead: a.cacheRead + b.cacheRead };
}
