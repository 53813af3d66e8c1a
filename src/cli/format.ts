/** Small pure formatters for the command line's human output. */

/** `123456789` → `117.7M` (binary units, like `ps` and `top`). */
export function formatBytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)}${units[i]}`;
}

export function formatPercent(n: number | null): string {
  return n === null ? '-' : `${n.toFixed(n >= 100 ? 0 : 1)}%`;
}

/** How long ago (or until, for a future time) `iso` is, from `now`: `3m ago`, `in 12m`. */
export function formatRelative(iso: string | null, now: number): string {
  if (!iso) return '-';
  const delta = Date.parse(iso) - now;
  const abs = Math.abs(delta);
  const text = abs < 60_000 ? `${Math.round(abs / 1000)}s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)}m` : `${(abs / 3_600_000).toFixed(1)}h`;
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

/** Left-aligned columns separated by two spaces; every row must have as many cells as the header. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
