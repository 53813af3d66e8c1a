/** git's machine-readable output, parsed: worktree lists, numstat, status, merge-tree. */
import { describe, expect, it } from 'vitest';
import { lastHeadFromReflog } from '../../../src/git/reflog.js';
import { parseLeftRight, parseMergeTreeZ, parseNumstatZ, parseStatusZ, parseWorktreeList, sumNumstat } from '../../../src/git/porcelain.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseWorktreeList', () => {
  it('reads the main checkout, a branch, a detached one, a locked and a prunable one', () => {
    const text = [
      `worktree /repo\0HEAD ${A}\0branch refs/heads/main\0`,
      `worktree /repo/.muster/worktrees/web/dev\0HEAD ${B}\0branch refs/heads/muster/web/dev\0locked initializing\0`,
      `worktree /tmp/x\0HEAD ${A}\0detached\0prunable gitdir file points to non-existent location\0`,
      `worktree /tmp/new\0HEAD ${'0'.repeat(40)}\0branch refs/heads/fresh\0locked\0`,
      '',
    ].join('\0');
    expect(parseWorktreeList(text)).toEqual([
      { path: '/repo', head: A, branch: 'refs/heads/main', bare: false, detached: false, locked: null, prunable: null },
      { path: '/repo/.muster/worktrees/web/dev', head: B, branch: 'refs/heads/muster/web/dev', bare: false, detached: false, locked: 'initializing', prunable: null },
      { path: '/tmp/x', head: A, branch: null, bare: false, detached: true, locked: null, prunable: 'gitdir file points to non-existent location' },
      { path: '/tmp/new', head: null, branch: 'refs/heads/fresh', bare: false, detached: false, locked: '', prunable: null },
    ]);
  });

  it('a path with spaces', () => {
    expect(parseWorktreeList(`worktree /a b/c\0HEAD ${A}\0bare\0\0`)[0]).toMatchObject({ path: '/a b/c', bare: true });
  });
});

describe('parseNumstatZ', () => {
  it('counts lines, binary files and renames', () => {
    const text = `3\t1\tsrc/a.ts\0-\t-\timg.png\0` + `0\t0\t\0old name.txt\0new name.txt\0` + `10\t0\tdir/tab\there.txt\0`;
    const entries = parseNumstatZ(text);
    expect(entries).toEqual([
      { path: 'src/a.ts', added: 3, deleted: 1 },
      { path: 'img.png', added: null, deleted: null },
      { path: 'new name.txt', added: 0, deleted: 0 },
      { path: 'dir/tab\there.txt', added: 10, deleted: 0 },
    ]);
    expect(sumNumstat(entries)).toEqual({ files: 4, added: 13, deleted: 1 });
  });
  it('empty output', () => {
    expect(parseNumstatZ('')).toEqual([]);
  });
});

describe('parseStatusZ', () => {
  it('staged, unstaged, untracked, a rename and an unmerged path', () => {
    const text = 'M  staged.ts\0 M changed.ts\0?? new file.txt\0R  to.ts\0from.ts\0UU both.ts\0';
    expect(parseStatusZ(text)).toEqual([
      { code: 'M ', path: 'staged.ts' },
      { code: ' M', path: 'changed.ts' },
      { code: '??', path: 'new file.txt' },
      { code: 'R ', path: 'to.ts' },
      { code: 'UU', path: 'both.ts' },
    ]);
  });
});

describe('parseMergeTreeZ', () => {
  it('a clean merge gives the tree', () => {
    expect(parseMergeTreeZ(`${A}\0`, 0)).toEqual({ clean: true, tree: A });
  });
  it('a conflict gives the conflicted files once each', () => {
    expect(parseMergeTreeZ(`${A}\0a.txt\0b c.txt\0a.txt\0\0`, 1)).toEqual({ clean: false, tree: A, conflicts: ['a.txt', 'b c.txt'] });
  });
});

describe('parseLeftRight and reflog heads', () => {
  it('reads the two counts', () => {
    expect(parseLeftRight('3\t5\n')).toEqual({ left: 3, right: 5 });
  });
  it('the last commit HEAD had, even when the branch is gone', () => {
    const reflog = [
      `${'0'.repeat(40)} ${A} t <t@t> 1700000000 +0000\tcommit (initial): one`,
      `${A} ${B} t <t@t> 1700000100 +0000\tcommit: two`,
      '',
    ].join('\n');
    expect(lastHeadFromReflog(reflog)).toBe(B);
    expect(lastHeadFromReflog('')).toBeNull();
  });
});
