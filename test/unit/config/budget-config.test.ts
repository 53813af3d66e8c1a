/** The budget key of team files and the prices key of muster.yaml: values, defaults and FILE:LINE:COL problems. */
import { describe, expect, test } from 'vitest';
import { priceOf } from '../../../src/usage/prices.js';
import { problemsOf, projectOf, yaml } from './memory-io.js';

const team = (...lines: string[]) => yaml('name: web', 'defaults:', '  budget: { tokens: 5M, window: 1d }', 'agents:', '  pm:', '    run: claude', ...lines);

describe('budget', () => {
  test('defaults and an agent merge key by key; units: tokens with K/M, dollars, a window of days', async () => {
    const p = await projectOf({ 'teams/web.yaml': team('    budget: { cost: $2.50, on_exceed: nudge, count_cache: true }', '  dev: { run: claude, budget: off }') });
    const [pm, dev] = p.teams[0]?.agents ?? [];
    expect(pm?.budget).toEqual({ tokens: 5_000_000, cost: 2.5, windowMs: 86_400_000, onExceed: 'nudge', countCache: true, nudge: null });
    expect(dev?.budget).toBeNull();
  });

  test('no budget by default; on_exceed pause and cache reads left out by default', async () => {
    const p = await projectOf({ 'teams/web.yaml': yaml('name: web', 'agents:', '  a: { run: x }', '  b: { run: x, budget: { tokens: 500K } }') });
    expect(p.teams[0]?.agents[0]?.budget).toBeNull();
    expect(p.teams[0]?.agents[1]?.budget).toEqual({ tokens: 500_000, cost: null, windowMs: null, onExceed: 'pause', countCache: false, nudge: null });
  });

  test.each([
    ['    budget: { tokens: lots }', 5 + 2, 23, 'bad tokens "lots": use a number of tokens, or one with K, M or G, e.g. 500K or 5M'],
    ['    budget: { tokens: -3 }', 7, 23, 'bad tokens -3'],
    ['    budget: { cost: ten }', 7, 21, 'bad cost "ten": use US dollars, e.g. 10 or $2.50'],
    ['    budget: { tokens: 1M, on_exceed: kill }', 7, 38, 'bad on_exceed "kill": use pause, stop, nudge or none'],
    ['    budget: { tokens: 1M, window: 1 }', 7, 35, 'bad duration 1: add a unit'],
    ['    budget: { tokens: 1M, count_cache: yes please }', 7, 40, 'bad count_cache "yes please": use true or false'],
    ['    budget: { tokens: 1M, ceiling: 3 }', 7, 27, 'unknown key "ceiling": use tokens, cost, window, on_exceed, count_cache or nudge'],
    ['    budget: lots', 7, 13, 'bad budget "lots": use off or a map with tokens, cost, window, on_exceed, count_cache, nudge'],
  ])('%s', async (line, row, col, message) => {
    const p = await problemsOf({ 'teams/web.yaml': team(line) });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`teams/web.yaml:${row}:${col}: ${message}`);
  });

  test('a budget with neither tokens nor cost says what to add', async () => {
    const p = await problemsOf({ 'teams/web.yaml': yaml('name: web', 'agents:', '  pm:', '    run: claude', '    budget: { window: 1d }') });
    expect(p).toEqual(['teams/web.yaml:5:13: budget needs "tokens" or "cost" (e.g. tokens: 5M), or use budget: off']);
  });
});

describe('prices in muster.yaml', () => {
  test('read before the shipped table', async () => {
    const p = await projectOf({ 'muster.yaml': yaml('prices:', '  claude-sonnet-4*: { input: 1, output: 2 }', '  test-model: { input: 0.5, output: 1, cache_read: 0.05 }'), 'teams/web.yaml': yaml('name: web', 'agents:', '  a: { run: x }') });
    expect(priceOf('claude-sonnet-4-5', p.prices)?.price).toEqual({ input: 1, output: 2, cacheWrite: null, cacheRead: null });
    expect(priceOf('claude-sonnet-4-5', p.prices)?.from).toBe('muster.yaml:2');
    expect(priceOf('claude-haiku-4-5', p.prices)?.price.input).toBe(1); // the shipped table
    expect(priceOf('test-model', p.prices)?.price.cacheRead).toBe(0.05);
  });

  test('a bad entry is FILE:LINE:COL', async () => {
    const p = await problemsOf({ 'muster.yaml': yaml('prices:', '  m1: { input: 1, output: free }', '  m2: { input: 1 }', '  m3: 4'), 'teams/web.yaml': yaml('name: web', 'agents:', '  a: { run: x }') });
    expect(p).toEqual([
      'muster.yaml:2:27: bad output "free": use dollars per million tokens, e.g. 3 or 0.30',
      'muster.yaml:3:3: missing "output"',
      'muster.yaml:4:7: bad m3 4: use a map with input, output, cache_write, cache_read (dollars per million tokens)',
    ]);
  });
});
