import { describe, expect, it } from 'vitest';
import { freshRuntime } from '../../../src/core/agent-state.js';
import { backoffDelay, decideExit } from '../../../src/core/restart-policy.js';
import { agent } from '../../helpers/specs.js';

describe('backoffDelay', () => {
  it.each([
    [1000, 60_000, 0, 1000],
    [1000, 60_000, 1, 2000],
    [1000, 60_000, 3, 8000],
    [1000, 60_000, 6, 60_000],
    [1000, 60_000, 100, 60_000],
    [5000, 2000, 0, 5000],
  ])('backoff %i max %i after %i restarts → %i', (b, max, n, want) => {
    expect(backoffDelay(b, max, n)).toBe(want);
  });
});

describe('decideExit', () => {
  const now = 1_000_000;
  const rt = (over = {}) => ({ ...freshRuntime('t/a'), ...over });

  it.each([
    ['on-failure, exit 0 → done', 'on-failure', 0, { kind: 'done' }],
    ['never, exit 0 → done', 'never', 0, { kind: 'done' }],
    ['never, exit 1 → failed', 'never', 1, { kind: 'failed', reason: 'exit' }],
    ['on-failure, killed → restart', 'on-failure', null, { kind: 'restart', delayMs: 1000, restartTimes: [now] }],
    ['always, exit 0 → restart', 'always', 0, { kind: 'restart', delayMs: 1000, restartTimes: [now] }],
  ] as const)('%s', (_name, policy, code, want) => {
    const spec = agent('a', { restart: { policy, max: 3, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 8000 } });
    expect(decideExit(spec, rt(), code, now)).toEqual(want);
  });

  it('doubles the delay for each recent restart and forgets old ones', () => {
    const spec = agent('a', { restart: { policy: 'on-failure', max: 5, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 8000 } });
    const recent = [now - 50_000, now - 10_000, now - 70_000];
    expect(decideExit(spec, rt({ restartTimes: recent }), 1, now)).toEqual({
      kind: 'restart',
      delayMs: 4000,
      restartTimes: [now - 50_000, now - 10_000, now],
    });
  });

  it('opens the circuit after `max` restarts within the window', () => {
    const spec = agent('a', { restart: { policy: 'on-failure', max: 2, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 8000 } });
    expect(decideExit(spec, rt({ restartTimes: [now - 2000, now - 1000] }), 1, now)).toEqual({ kind: 'failed', reason: 'circuit' });
    expect(decideExit(spec, rt({ restartTimes: [now - 61_000, now - 1000] }), 1, now).kind).toBe('restart');
  });

  it('one-shot agents retry `retries` times, then fail', () => {
    const spec = agent('a', { retries: 2 });
    expect(decideExit(spec, rt(), 0, now)).toEqual({ kind: 'done' });
    expect(decideExit(spec, rt(), 3, now)).toEqual({ kind: 'retry', delayMs: 1000 });
    expect(decideExit(spec, rt({ retriesUsed: 1 }), 3, now)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(decideExit(spec, rt({ retriesUsed: 2 }), 3, now)).toEqual({ kind: 'failed', reason: 'exit' });
  });

  it('an attempt ended for memory is never done, even with exit 0', () => {
    const spec = agent('a', { restart: { policy: 'never', max: 3, withinMs: 60_000, backoffMs: 1000, maxBackoffMs: 8000 } });
    expect(decideExit(spec, rt(), 0, now, 'memory')).toEqual({ kind: 'failed', reason: 'memory' });
  });
});
