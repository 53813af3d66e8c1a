/**
 * Tokens and cost per agent (docs/needs-you.md, "Tokens and cost"): each pulse, what the
 * agents' transcripts gained (through the transcript port), priced with the project's price
 * table; the totals go to the core as observations (budgets, core/budget-policy.ts) and
 * to status as each agent's `usage`.
 */
import type { AgentSpec, ProjectSpec } from '../config/types.js';
import type { CrewState } from '../core/agent-state.js';
import { spent, type TokenObservation } from '../core/budget-policy.js';
import type { TokensView, UsageView } from './control/contract.js';
import type { TranscriptPort } from './ports.js';
import { costOf, priceOf, type TokenCounts } from '../usage/prices.js';
import { transcriptFormat } from '../usage/session-ref.js';

const view = (t: TokenCounts): TokensView => ({ input: t.input, output: t.output, cache_write: t.cacheWrite, cache_read: t.cacheRead });

/** Where an agent's CLI keeps what the reader looks at: its environment (with the hooks') and muster's own usage records. */
type Places = { env: Record<string, string | undefined>; records?: string };

export class TokenUsage {
  private readonly views = new Map<string, UsageView>();
  /** each agent with its places, fixed by its spec: worked out once, not every pulse */
  private readonly placed: ReadonlyArray<{ spec: AgentSpec; places: Places }>;

  constructor(
    private readonly port: TranscriptPort | undefined,
    private readonly specs: readonly AgentSpec[],
    private readonly prices: ProjectSpec['prices'],
    /** what muster gives the agent's CLI beside its run line (agent-hooks.ts, cliFiles) */
    cliFiles?: (spec: AgentSpec) => { env: Record<string, string>; records: string },
  ) {
    this.placed = specs.map((spec) => {
      const given = cliFiles?.(spec);
      return { spec, places: given ? { env: { ...spec.env, ...given.env }, records: given.records } : { env: spec.env } };
    });
  }

  /** One pulse's reading: each agent's totals so far, for the core. */
  read(crew: CrewState, now: number): Record<string, TokenObservation> {
    const out: Record<string, TokenObservation> = {};
    if (!this.port) return out;
    for (const { spec, places } of this.placed) {
      const format = transcriptFormat(spec.preset.name);
      const rt = crew.agents[spec.id];
      // the crew's record of the CLI's session (muster's id, the run's own `--session-id`, or a hook's)
      const session = rt?.session ?? null;
      if (format === null || session === null || !rt || rt.attempt === 0) continue;
      const r = this.port.read(spec.id, { format, session, ...places }, now);
      let cost: number | null = 0;
      const unpriced: string[] = [];
      for (const m of r.byModel) {
        const entry = priceOf(m.model, this.prices);
        if (entry && cost !== null) cost += costOf(m.tokens, entry.price);
        else if (!entry) {
          cost = null;
          unpriced.push(m.model);
        }
      }
      out[spec.id] = { tokens: r.tokens, cost };
      this.views.set(spec.id, {
        session,
        tokens: view(r.tokens),
        calls: r.calls,
        cost: cost === null ? null : Math.round(cost * 1e6) / 1e6,
        unpriced,
        models: r.byModel.map((m) => ({ model: m.model, tokens: view(m.tokens) })),
        files: r.files,
        budget: null,
      });
    }
    return out;
  }

  /** What status shows per agent, with its budget as the crew counts it now. */
  statusViews(crew: CrewState): Map<string, UsageView> {
    const out = new Map<string, UsageView>();
    for (const spec of this.specs) {
      const v = this.views.get(spec.id);
      if (!v) continue;
      const b = spec.budget;
      const w = crew.agents[spec.id]?.budget ?? null;
      const obs: TokenObservation = {
        tokens: { input: v.tokens.input, output: v.tokens.output, cacheWrite: v.tokens.cache_write, cacheRead: v.tokens.cache_read },
        cost: v.cost,
      };
      const used = b && w ? spent(w, obs, b.countCache) : null;
      out.set(spec.id, {
        ...v,
        budget: b
          ? {
              tokens: b.tokens,
              cost: b.cost,
              window_ms: b.windowMs,
              on_exceed: b.onExceed,
              count_cache: b.countCache,
              used_tokens: used?.tokens ?? 0,
              used_cost: used ? (used.cost === null ? null : Math.round(used.cost * 1e6) / 1e6) : null,
              window_start: w ? new Date(w.start).toISOString() : null,
              reached: w?.reached ?? null,
            }
          : null,
      });
    }
    return out;
  }
}
