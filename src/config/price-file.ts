/**
 * The price table (`prices.yaml` in the package; `prices:` in muster.yaml, read first):
 * model name → dollars per million tokens of each kind (docs/needs-you.md). Problems are
 * FILE:LINE:COL like every user file's.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { FileProblem } from '../errors.js';
import type { PriceEntry } from '../usage/prices.js';
import type { ConfigIo } from './io.js';
import { check, strict } from './issues.js';
import { parseYamlSource, problemAtStart, type Path, type YamlSource } from './yaml-source.js';

/** The package's price table. */
export const BUILTIN_PRICES_FILE = fileURLToPath(new URL('../../prices.yaml', import.meta.url));

const dollars = z.number({ error: 'use dollars per million tokens, e.g. 3 or 0.30' }).min(0, { error: 'use 0 or more dollars per million tokens' });

/** One model's prices. */
export const priceSchema = strict(
  {
    input: dollars.meta({ description: 'Dollars per million input tokens (not read from or written to the cache).' }),
    output: dollars.meta({ description: 'Dollars per million output tokens (thinking included).' }),
    cache_write: dollars.meta({ description: 'Dollars per million tokens written to the prompt cache. Default: the input price.' }).optional(),
    cache_read: dollars.meta({ description: 'Dollars per million tokens read from the prompt cache. Default: the input price.' }).optional(),
  },
  'use a map with input, output, cache_write, cache_read (dollars per million tokens)',
);

/** Model name (`*` matches any text) → prices. */
export const priceTableSchema = z.record(z.string().min(1), priceSchema, { error: 'use a map of model names to prices' });

/** The entries of a checked table, in the order written; `from` names the file. */
export function priceEntries(table: z.output<typeof priceTableSchema>, src: YamlSource, path: Path): PriceEntry[] {
  return Object.entries(table).map(([pattern, p]) => {
    const at = src.problem([...path, pattern], '', 'key');
    return {
      pattern,
      price: { input: p.input, output: p.output, cacheWrite: p.cache_write ?? null, cacheRead: p.cache_read ?? null },
      from: `${at.file}:${at.line}`,
    };
  });
}

/** Reads a price file (a map with `models:`). */
export async function readPriceFile(absFile: string, shown: string, io: ConfigIo): Promise<{ entries: PriceEntry[]; problems: FileProblem[] }> {
  const read = await io.readText(absFile);
  if ('error' in read) return { entries: [], problems: [problemAtStart(shown, read.error)] };
  const src = parseYamlSource(shown, read.text);
  if (src.syntaxProblems.length > 0) return { entries: [], problems: src.syntaxProblems };
  const checked = check(strict({ models: priceTableSchema }, 'use a map with models'), src.value ?? {}, src, [], 'price file');
  if (!checked.ok) return { entries: [], problems: checked.problems };
  return { entries: priceEntries(checked.data.models, src, ['models']), problems: [] };
}
