/** How the core words figures in its event lines: sizes, percentages, durations. Pure. */

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function pct(n: number): string {
  return `${n.toFixed(n >= 10 ? 0 : 1)}%`;
}

export const DEFAULT_NUDGE = 'Please check in: run `muster checkin "<one line on your progress>"`.';

/** `1500` → `1.5s`, `120000` → `2m`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
