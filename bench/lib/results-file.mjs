/**
 * bench/results.md holds one block per benchmark section, each written by the run that
 * measured it: a run replaces the blocks of the sections it ran and keeps the others, so
 * `npm run bench -- --only agents` does not erase the overhead figures of an earlier run.
 *
 *   <!-- bench:NAME -->
 *   `command` on DATE: machine. Took …
 *   …tables…
 *   <!-- /bench:NAME -->
 */
const HEADER = [
  '## Benchmark results',
  '',
  'Each section below was written by the run that measured it (its first line says which run,',
  'when, on what machine and under what load); `npm run bench -- --only NAME` replaces that',
  'section alone.',
].join('\n');

const BLOCK = /<!-- bench:([a-z-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g;

/** The blocks of a results file, by section name, in file order. */
export function parseResults(text) {
  const blocks = new Map();
  for (const m of text.matchAll(BLOCK)) blocks.set(m[1], m[2]);
  return blocks;
}

/**
 * The results file after a run: `fresh` (section name → body) replaces those sections; the
 * others stay as they were. Sections come in `order`, then any others in file order.
 */
export function mergeResults(oldText, fresh, order) {
  const blocks = parseResults(oldText);
  for (const [name, body] of fresh) blocks.set(name, body);
  const names = [...order.filter((n) => blocks.has(n)), ...[...blocks.keys()].filter((n) => !order.includes(n))];
  const parts = names.map((n) => `<!-- bench:${n} -->\n${blocks.get(n).trim()}\n<!-- /bench:${n} -->`);
  return `${[HEADER, ...parts].join('\n\n')}\n`;
}
