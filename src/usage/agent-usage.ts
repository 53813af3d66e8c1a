/**
 * One agent's tokens, summed from the usage records of its transcripts (docs/needs-you.md,
 * "Tokens and cost"): a record seen again (a transcript read again after it was replaced, a
 * response written over several lines) replaces itself, so nothing counts twice and
 * nothing already counted is lost when a file goes. Cost per model from the price table;
 * a model with no price makes the cost unknown. Pure.
 */
import { addTokens, costOf, NO_TOKENS, priceOf, type PriceEntry, type TokenCounts } from './prices.js';

export interface TallyRecord {
  id: string;
  model: string | null;
  tokens: TokenCounts;
}

/** Tokens of one model. */
export interface ModelTokens {
  model: string;
  tokens: TokenCounts;
}

function sub(a: TokenCounts, b: TokenCounts): TokenCounts {
  return { input: a.input - b.input, output: a.output - b.output, cacheWrite: a.cacheWrite - b.cacheWrite, cacheRead: a.cacheRead - b.cacheRead };
}

const UNKNOWN_MODEL = '(unknown model)';

export class UsageTally {
  private readonly records = new Map<string, { model: string; tokens: TokenCounts }>();
  private readonly models = new Map<string, TokenCounts>();
  private sum: TokenCounts = NO_TOKENS;
  /** records counted (model calls) */
  get calls(): number {
    return this.records.size;
  }

  add(rec: TallyRecord): void {
    const model = rec.model ?? UNKNOWN_MODEL;
    const old = this.records.get(rec.id);
    if (old) {
      this.models.set(old.model, sub(this.models.get(old.model) ?? NO_TOKENS, old.tokens));
      this.sum = sub(this.sum, old.tokens);
    }
    this.records.set(rec.id, { model, tokens: rec.tokens });
    this.models.set(model, addTokens(this.models.get(model) ?? NO_TOKENS, rec.tokens));
    this.sum = addTokens(this.sum, rec.tokens);
  }

  totals(): TokenCounts {
    return this.sum;
  }

  byModel(): ModelTokens[] {
    return [...this.models].filter(([, t]) => t.input + t.output + t.cacheWrite + t.cacheRead > 0).map(([model, tokens]) => ({ model, tokens }));
  }

  /** Dollars at these prices, or null with the models that have none. */
  cost(prices: readonly PriceEntry[]): { cost: number | null; unpriced: string[] } {
    let cost = 0;
    const unpriced: string[] = [];
    for (const { model, tokens } of this.byModel()) {
      const entry = model === UNKNOWN_MODEL ? null : priceOf(model, prices);
      if (entry) cost += costOf(tokens, entry.price);
      else unpriced.push(model);
    }
    return { cost: unpriced.length > 0 ? null : cost, unpriced };
  }
}
