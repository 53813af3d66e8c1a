import { describe, expect, it } from 'vitest';
import { lastCommitFromReflog } from '../../../src/git/reflog.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const line = (ts: number, msg: string) => `${Z} ${A} Dev Eloper <dev@example.com> ${ts} +0100\t${msg}`;

describe('lastCommitFromReflog', () => {
  it.each([
    ['commit (initial): first', 1700000000000],
    ['commit: second', 1700000000000],
    ['commit (amend): second, better', 1700000000000],
    ['commit (merge): Merge branch x', 1700000000000],
  ])('counts %s', (msg, want) => {
    expect(lastCommitFromReflog(`${line(1700000000, msg)}\n`)).toBe(want);
  });

  it('takes the last commit entry and skips HEAD moves that are not commits', () => {
    const text = [
      line(1000, 'commit (initial): one'),
      line(2000, 'commit: two'),
      `${A} ${B} Dev <d@e> 3000 -0700\tcheckout: moving from main to topic`,
      line(4000, 'reset: moving to HEAD~1'),
      line(5000, 'rebase (finish): returning to refs/heads/topic'),
      line(6000, 'pull: Fast-forward'),
      '',
    ].join('\n');
    expect(lastCommitFromReflog(text)).toBe(2_000_000);
  });

  it('is null without a commit entry, and ignores torn or foreign lines', () => {
    expect(lastCommitFromReflog('')).toBeNull();
    expect(lastCommitFromReflog(`${line(1, 'clone: from https://example.com/x.git')}\n`)).toBeNull();
    expect(lastCommitFromReflog(`${line(7, 'commit: ok')}\n${Z} ${A} Dev <d@e> 9`)).toBe(7000);
    expect(lastCommitFromReflog('commit: not a reflog line\n')).toBeNull();
  });
});
