import { describe, expect, it } from 'vitest';
import { ActivityTracker } from '../../../src/activity/activity-tracker.js';

describe('ActivityTracker', () => {
  it('measures quiet time from the last change of the log size', () => {
    const t = new ActivityTracker();
    expect(t.observe('a', 100, 1000)).toBe(0);
    expect(t.observe('a', 100, 3000)).toBe(2000);
    expect(t.observe('a', 150, 5000)).toBe(0); // grew
    expect(t.observe('a', 150, 9000)).toBe(4000);
    expect(t.observe('a', 10, 9500)).toBe(0); // rotated or replaced: a change too
    expect(t.observe('a', 10, 10_000)).toBe(500);
  });

  it('starts from the log mtime on first sight, never in the future', () => {
    const t = new ActivityTracker();
    expect(t.observe('a', 5, 10_000, 4000)).toBe(6000);
    expect(t.observe('b', 5, 10_000, 20_000)).toBe(0);
  });

  it('keeps agents apart, and can be touched and forget', () => {
    const t = new ActivityTracker();
    t.observe('a', 1, 0);
    t.observe('b', 1, 0);
    t.observe('a', 2, 500);
    expect(t.observe('a', 2, 1000)).toBe(500);
    expect(t.observe('b', 1, 800)).toBe(800);
    t.touch('b', 900);
    expect(t.observe('b', 1, 1000)).toBe(100);
    t.touch('c', 100); // touched before first observed: the size seen next is adopted, not a change
    expect(t.observe('c', 7, 600)).toBe(500);
    t.forget('a');
    expect(t.observe('a', 2, 1000)).toBe(0); // seen anew
  });
});
