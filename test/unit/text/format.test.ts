import { describe, expect, it } from 'vitest';
import { fit, formatBytes, formatDuration, formatPercent, formatRelative, plainText, sparkline, truncate } from '../../../src/text/format.js';

describe('TUI formatters', () => {
  it('formats sizes, percentages and durations', () => {
    expect(formatBytes(null)).toBe('-');
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(123 * 1024 * 1024)).toBe('123M');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5G');
    expect(formatPercent(12.34)).toBe('12.3%');
    expect(formatPercent(null)).toBe('-');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(12 * 60_000)).toBe('12m');
    expect(formatDuration(3.5 * 3_600_000)).toBe('3.5h');
  });

  it('says how long ago or until a time is', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(formatRelative('2026-11-21T09:57:00Z', now)).toBe('3m ago');
    expect(formatRelative('2026-11-21T10:12:00Z', now)).toBe('in 12m');
    expect(formatRelative(null, now)).toBe('-');
  });

  it('draws sparklines against a limit, or against their own range', () => {
    expect(sparkline([0, 25, 50, 100], 4, 100)).toBe('▁▂▄█');
    expect(sparkline([200], 1, 100)).toBe('█');
    expect(sparkline([5, 5, 5], 3)).toBe('▁▁▁');
    expect(sparkline([1, 2, 3], 3)).toBe('▁▄█');
    expect(sparkline([100, 101, 102], 3)).toBe('▁▁▁');
    expect(sparkline([1, 2], 4, 2)).toBe('  ▄█');
    expect(sparkline([1, 2, 3, 4, 5, 6], 3, 6)).toHaveLength(3);
    expect(sparkline([], 3)).toBe('   ');
  });

  it('fits text to a width', () => {
    expect(truncate('hello world', 5)).toBe('hell…');
    expect(truncate('hi', 5)).toBe('hi');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('ab', 4, 'right')).toBe('  ab');
    expect(fit('abcdef', 4)).toBe('abc…');
  });

  it('strips escape sequences and control characters from pane text', () => {
    expect(plainText('\x1b[31mred\x1b[0m\tx\x07\r')).toBe('red  x');
  });
});
