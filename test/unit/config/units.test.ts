import { describe, expect, test } from 'vitest';
import { parseCpu, parseDuration, parseMemory, parsePercent, showValue } from '../../../src/config/units.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseCpu', () => {
  test.each([
    ['50%', 50],
    ['200%', 200],
    ['12.5%', 12.5],
    [' 75 % ', 75],
    [50, 50],
    ['50', 50],
    [0.5, 0.5],
  ] as const)('%j is %d percent of one core', (input, value) => {
    expect(parseCpu(input)).toEqual({ ok: true, value });
  });

  test.each([['fifty'], ['50%%'], ['-5%'], [0], ['0%'], [null], [true], ['50 cores'], [[50]]] as const)('%j is an error', (input) => {
    const r = parseCpu(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('use a percentage of one core');
  });
});

describe('parseMemory', () => {
  test.each([
    [1048576, MiB],
    ['1048576', MiB],
    ['100B', 100],
    ['64KiB', 64 * KiB],
    ['64K', 64 * KiB],
    ['512MiB', 512 * MiB],
    ['512M', 512 * MiB],
    ['1GiB', GiB],
    ['2G', 2 * GiB],
    ['1.5GiB', 1.5 * GiB],
    ['768 MiB', 768 * MiB],
    ['1TiB', 1024 * GiB],
  ] as const)('%j is %d bytes', (input, value) => {
    expect(parseMemory(input)).toEqual({ ok: true, value });
  });

  test.each([['512MB'], ['1GB'], ['512mb'], ['1.5'], [1.5], ['lots'], [0], ['0MiB'], [-1], [''], [null], [{}]] as const)(
    '%j is an error',
    (input) => {
      const r = parseMemory(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^bad memory .*: use bytes or KiB, MiB, GiB$/);
    },
  );

  test('the message quotes what was written', () => {
    expect(parseMemory('512MB')).toEqual({ ok: false, error: 'bad memory "512MB": use bytes or KiB, MiB, GiB' });
  });
});

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['1.5s', 1500],
    ['0s', 0],
  ] as const)('%j is %d ms', (input, value) => {
    expect(parseDuration(input)).toEqual({ ok: true, value });
  });

  test('a bare number is an error that asks for a unit', () => {
    expect(parseDuration(30)).toEqual({ ok: false, error: 'bad duration 30: add a unit: ms, s, m or h (e.g. 30s)' });
  });

  test.each([['30'], ['5x'], ['m5'], ['1w'], [''], ['1h 30m'], ['-5s'], [null], [[]]] as const)('%j is an error', (input) => {
    const r = parseDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('use a number with ms, s, m or h');
  });

  test('positive durations refuse zero', () => {
    expect(parseDuration('0s', { positive: true })).toEqual({ ok: false, error: 'bad duration "0s": must be more than 0' });
    expect(parseDuration('1ms', { positive: true })).toEqual({ ok: true, value: 1 });
  });
});

describe('parsePercent', () => {
  test.each([
    ['60%', 60],
    ['100%', 100],
    ['0%', 0],
    [80, 80],
    ['12.5', 12.5],
  ] as const)('%j is %d percent', (input, value) => {
    expect(parsePercent(input)).toEqual({ ok: true, value });
  });

  test.each([['120%'], [101], [-1], ['high'], [null]] as const)('%j is an error', (input) => {
    const r = parsePercent(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('use 0% to 100%');
  });
});

test('showValue shows strings quoted and structures by kind', () => {
  expect([showValue('a'), showValue(3), showValue(true), showValue(null), showValue([1]), showValue({ a: 1 })]).toEqual([
    '"a"',
    '3',
    'true',
    '(empty)',
    '(a list)',
    '(a map)',
  ]);
});
