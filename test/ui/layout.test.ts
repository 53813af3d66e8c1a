import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/ui/layout.js';

describe('computeLayout', () => {
  it('keeps the frame below the terminal height at every size', () => {
    for (let rows = 4; rows <= 80; rows++) {
      for (const pending of [0, 1, 3, 10]) {
        const l = computeLayout({ cols: 100, rows }, pending);
        const sum = l.header + 1 + l.grid + (l.handoffs ? l.handoffs + 1 : 0) + (l.preview ? l.preview + 1 : 0) + 2;
        expect(l.total).toBe(sum);
        if (rows >= 7) expect(l.total).toBeLessThanOrEqual(rows - 1);
        expect(l.grid).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('shows handoffs only when some are pending, and a preview when there is room', () => {
    expect(computeLayout({ cols: 100, rows: 40 }, 0).handoffs).toBe(0);
    expect(computeLayout({ cols: 100, rows: 40 }, 2).handoffs).toBe(2);
    expect(computeLayout({ cols: 100, rows: 40 }, 9).handoffs).toBe(4);
    expect(computeLayout({ cols: 100, rows: 40 }, 0).preview).toBeGreaterThan(0);
    expect(computeLayout({ cols: 100, rows: 12 }, 0).preview).toBe(0);
  });

  it('leaves the last column free', () => {
    expect(computeLayout({ cols: 100, rows: 40 }, 0).width).toBe(99);
  });
});
