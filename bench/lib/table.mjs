/**
 * Result tables: one structure, printed as aligned text on the terminal and as
 * Markdown for `bench/results.md`. A table is `{ title, columns, rows, notes }`
 * where each row is an array of already formatted cells.
 */

/** Per column: right-aligned when every cell is a figure (starts with a digit) or a dash. */
function numericColumns(table) {
  return table.columns.map((_, i) => i > 0 && table.rows.every((r) => /^(\d|—|-$)/.test(String(r[i] ?? ''))));
}

/** Aligned plain-text rendering (figures right-aligned, text left-aligned). */
export function toText(table) {
  const cells = [table.columns, ...table.rows].map((r) => r.map((c) => String(c)));
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const right = numericColumns(table);
  const line = (r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [table.title, '', line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells.slice(1)) out.push(line(r));
  if (table.notes?.length) out.push('', ...table.notes.map((n) => `  ${n}`));
  return out.join('\n');
}

function mdCell(c) {
  return String(c).replace(/\|/g, '\\|');
}

/** GitHub-flavoured Markdown rendering. */
export function toMarkdown(table) {
  const out = [`### ${table.title}`, ''];
  out.push(`| ${table.columns.map(mdCell).join(' | ')} |`);
  const right = numericColumns(table);
  out.push(`| ${table.columns.map((_, i) => (right[i] ? '---:' : '---')).join(' | ')} |`);
  for (const r of table.rows) out.push(`| ${r.map(mdCell).join(' | ')} |`);
  if (table.notes?.length) out.push('', ...table.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

/** `12.3 %` style CPU cell; `—` for a missing value. */
export function fmtCpu(v, digits = 2) {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : `${v.toFixed(digits)} %`;
}

/** Bytes as MiB with one decimal. */
export function fmtMiB(bytes) {
  return bytes === null || bytes === undefined ? '—' : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Seconds with two decimals, or the given fallback text. */
export function fmtSeconds(ms, fallback = '—') {
  return ms === null || ms === undefined ? fallback : `${(ms / 1000).toFixed(2)} s`;
}

/** `a / b` as `3.4×`, or `—` when either is missing or b is zero. */
export function fmtRatio(a, b) {
  if (a === null || b === null || a === undefined || b === undefined || b === 0) return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toPrecision(2)}×`;
}
