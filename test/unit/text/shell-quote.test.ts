import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src/text/shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['plain/path-1.log', 'plain/path-1.log'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['$HOME', "'$HOME'"],
  ])('%j', (s, want) => {
    expect(shellQuote(s)).toBe(want);
  });
});
