import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module of the benchmark, without types
import { mergeResults, parseResults } from '../../bench/lib/results-file.mjs';

const merge = mergeResults as (old: string, fresh: Map<string, string>, order: string[]) => string;
const parse = parseResults as (text: string) => Map<string, string>;

describe('bench/results.md', () => {
  it('a run replaces the sections it measured and keeps the others, in the sections order', () => {
    const first = merge('', new Map([['agents', 'run A\n\n| a |'], ['overhead', 'run A\n\n| o |']]), ['overhead', 'portable', 'agents']);
    expect([...parse(first).keys()]).toEqual(['overhead', 'agents']);
    const second = merge(first, new Map([['portable', 'run B\n\n| p |'], ['agents', 'run B\n\n| a2 |']]), ['overhead', 'portable', 'agents']);
    const blocks = parse(second);
    expect([...blocks.keys()]).toEqual(['overhead', 'portable', 'agents']);
    expect(blocks.get('overhead')).toBe('run A\n\n| o |');
    expect(blocks.get('agents')).toBe('run B\n\n| a2 |');
    expect(second.startsWith('## Benchmark results\n')).toBe(true);
  });

  it('a section the order does not know is kept after the known ones', () => {
    const text = merge('', new Map([['old-bench', 'x'], ['agents', 'y']]), ['agents']);
    expect([...parse(merge(text, new Map(), ['agents'])).keys()]).toEqual(['agents', 'old-bench']);
  });
});
