/** Small pure formatters for the TUI's cells and the CLI's tables: sizes, percentages, times, sparklines, fitting text. */

/** `123456789` → `117.7M` (binary units, like `top`); null → `-`. */
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

/** `12.34` → `12.3%`; null → `-`. */
export function formatPercent(n: number | null): string {
  return n === null ? '-' : `${n.toFixed(n >= 100 ? 0 : 1)}%`;
}

/** A duration as one short figure: `45s`, `12m`, `3.5h`, `2d`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)}s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)}m`;
  if (abs < 86_400_000) return `${(abs / 3_600_000).toFixed(1)}h`;
  return `${Math.round(abs / 86_400_000)}d`;
}

/** How long ago (or until) `iso` is from `now`: `3m ago`, `in 12m`; null → `-`. */
export function formatRelative(iso: string | null, now: number): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const delta = t - now;
  return delta < 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(delta)}`;
}

/** `HH:MM:SS` of an ISO time (local time of the viewer). */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as one bar each, padded on the left to `width`. With `max`
 * (a limit), bars run from 0 to it (values above it are full bars); without, they run
 * from the lowest to the highest value shown (over at least a quarter of the highest,
 * so that noise stays low), so a steady value is a flat low line and growth a rise.
 */
export function sparkline(values: readonly number[], width: number, max: number | null = null): string {
  if (width <= 0) return '';
  const recent = values.slice(-width).map((v) => (Number.isFinite(v) ? v : 0));
  const low = max !== null ? 0 : Math.min(...recent);
  const high = max !== null ? max : Math.max(...recent);
  const span = max !== null ? high : Math.max(high - low, Math.abs(high) * 0.25);
  const bars = recent.map((v) => {
    if (span <= 0 || v <= low) return BARS[0];
    const i = Math.min(BARS.length - 1, Math.max(0, Math.ceil(((v - low) / span) * BARS.length) - 1));
    return BARS[i];
  });
  return bars.join('').padStart(width);
}

/** Cuts `text` to `width` characters, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** `text` cut or padded with spaces to exactly `width` characters. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width);
}

/** Removes control characters (escape sequences included) from text read from a pane. */
export function plainText(text: string): string {
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\t/g, '  ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
