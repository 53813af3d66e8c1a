/** The grid's TOKENS and COST columns and the budget's figure in WHY (docs/needs-you.md). */
import { describe, expect, it } from 'vitest';
import { gridLines } from '../../src/ui/grid-view.js';
import type { UsageView } from '../../src/supervisor/control/contract.js';
import { agent } from './fixtures.js';

const text = (line: { text: string }[]) => line.map((s) => s.text).join('');
const usage = (over: Partial<UsageView> = {}): UsageView => ({
  session: 's1',
  tokens: { input: 1200, output: 300, cache_write: 0, cache_read: 4_000_000 },
  calls: 3,
  cost: 1.234,
  unpriced: [],
  models: [],
  files: [],
  budget: null,
  ...over,
});

describe('usage in the grid', () => {
  const grid = (agents: ReturnType<typeof agent>[]) => gridLines({ agents, top: 0, height: 10, selectedId: null, focused: false, width: 160, now: Date.now() });

  it('no TOKENS or COST column while no agent has usage', () => {
    expect(text(grid([agent('t/a')]).header)).not.toContain('TOKENS');
  });

  it('tokens of every kind, the cost, "?" for a cost unknown, "-" for an agent without usage', () => {
    const g = grid([agent('t/a', { usage: usage() }), agent('t/b', { usage: usage({ cost: null, unpriced: ['m'] }) }), agent('t/c')]);
    expect(text(g.header)).toMatch(/TOKENS\s+COST/);
    expect(text(g.rows[0] ?? [])).toMatch(/4M\s+\$1\.23/);
    expect(text(g.rows[1] ?? [])).toMatch(/4M\s+\?/);
    expect(text(g.rows[2] ?? [])).toMatch(/-\s+-/);
  });

  it('paused (budget) shows the figure that reached it', () => {
    const budget = { tokens: 3000, cost: null, window_ms: null, on_exceed: 'pause' as const, count_cache: false, used_tokens: 4058, used_cost: null, window_start: null, reached: '4.1K tokens of its 3K budget' };
    const g = grid([agent('t/a', { state: 'paused', reason: 'budget', usage: usage({ budget }) })]);
    expect(text(g.rows[0] ?? [])).toContain('paused');
    expect(text(g.rows[0] ?? [])).toContain('budget: 4.1K tokens of its 3K budget');
  });
});
