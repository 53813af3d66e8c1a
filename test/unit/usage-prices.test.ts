import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES_FILE, readPriceFile } from '../../src/config/price-file.js';
import { nodeIo } from '../../src/config/io.js';
import { costOf, priceOf, type PriceEntry } from '../../src/usage/prices.js';
import { memoryIo, ROOT } from './config/memory-io.js';

describe('prices', () => {
  it('the shipped table reads without problems; specific names come before general ones', async () => {
    const { entries, problems } = await readPriceFile(BUILTIN_PRICES_FILE, 'prices.yaml', nodeIo);
    expect(problems).toEqual([]);
    expect(priceOf('claude-sonnet-4-5-20250929', entries)?.price.input).toBe(3);
    expect(priceOf('gpt-5-mini', entries)?.pattern).toBe('gpt-5-mini*');
    expect(priceOf('gpt-5.1-codex', entries)?.pattern).toBe('gpt-5*');
    expect(priceOf('scripted-model-1', entries)).toBeNull(); // cost unknown, never guessed
  });

  it('cost from each kind of token; cache kinds without a price count as input', () => {
    const price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
    expect(costOf({ input: 1_000_000, output: 100_000, cacheWrite: 0, cacheRead: 2_000_000 }, price)).toBeCloseTo(3 + 1.5 + 0.6, 9);
    expect(costOf({ input: 0, output: 0, cacheWrite: 0, cacheRead: 1_000_000 }, { ...price, cacheRead: null })).toBeCloseTo(3, 9);
  });

  it('a bad entry is a FILE:LINE:COL problem', async () => {
    const io = memoryIo({ 'p.yaml': 'models:\n  x*: { input: 3, output: cheap }\n  y: { input: -1, output: 1 }\n' });
    const { problems } = await readPriceFile(`${ROOT}/p.yaml`, 'p.yaml', io);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`)).toEqual([
      'p.yaml:2:27: bad output "cheap": use dollars per million tokens, e.g. 3 or 0.30',
      'p.yaml:3:15: bad input -1: use 0 or more dollars per million tokens',
    ]);
    const entries: PriceEntry[] = (await readPriceFile(`${ROOT}/q.yaml`, 'q.yaml', memoryIo({ 'q.yaml': 'models:\n  a*: { input: 1, output: 2 }\n' }))).entries;
    expect(entries[0]?.from).toBe('q.yaml:2');
  });
});
