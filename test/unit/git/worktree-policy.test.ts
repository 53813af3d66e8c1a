/** The worktree decisions as tables: start repair, merged, land, discard. */
import { describe, expect, it } from 'vitest';
import { discardDecision, isMerged, landDecision, prepareStep, type DiscardFacts, type LandFacts, type PrepareFacts } from '../../../src/git/worktree-policy.js';

describe('prepareStep: from whatever was left to a whole worktree', () => {
  const f = (over: Partial<PrepareFacts>): PrepareFacts => ({ meta: 'ready', registered: 'yes', folderExists: true, branchExists: true, ...over });
  it.each([
    ['first start: nothing there', f({ meta: 'none', registered: 'no', folderExists: false, branchExists: false }), { kind: 'create', clearHalfMade: false }],
    ['killed after the branch was made, before the folder', f({ meta: 'creating', registered: 'no', folderExists: false }), { kind: 'create', clearHalfMade: false }],
    ['killed during the checkout (git locked it as initializing)', f({ meta: 'creating', registered: 'initializing' }), { kind: 'create', clearHalfMade: true }],
    ['killed with the folder begun but not registered', f({ meta: 'creating', registered: 'no', folderExists: true }), { kind: 'create', clearHalfMade: true }],
    ['registered, folder gone, never finished', f({ meta: 'creating', registered: 'yes', folderExists: false }), { kind: 'create', clearHalfMade: true }],
    ['git finished, its record not written', f({ meta: 'creating' }), { kind: 'adopt' }],
    ['a worktree without a record (record deleted)', f({ meta: 'none' }), { kind: 'adopt' }],
    ['whole', f({}), { kind: 'ready' }],
    ['folder removed by hand', f({ folderExists: false }), { kind: 'restore-folder' }],
    ['folder removed by hand and pruned by git', f({ folderExists: false, registered: 'no' }), { kind: 'restore-folder' }],
    ['branch deleted by hand', f({ branchExists: false }), { kind: 'restore-branch' }],
  ])('%s', (_what, facts, step) => {
    expect(prepareStep(facts)).toEqual(step);
  });

  it.each([
    ['a folder muster did not make', f({ meta: 'none', registered: 'no', folderExists: true })],
    ['a worktree folder git forgot', f({ registered: 'no' })],
    ['a ready worktree still locked as initializing', f({ registered: 'initializing' })],
  ])('refuses, touching nothing: %s', (_what, facts) => {
    expect(prepareStep(facts).kind).toBe('refuse');
  });
});

describe('isMerged', () => {
  const base = 'b'.repeat(40);
  const head = 'h'.repeat(40);
  it.each([
    ['all commits in the target', { ahead: 0, branchHead: head, baseCommit: base, landed: null }, true],
    ['commits the target lacks', { ahead: 2, branchHead: head, baseCommit: base, landed: null }, false],
    ['nothing done yet (still at its base)', { ahead: 0, branchHead: base, baseCommit: base, landed: null }, false],
    ['this head was squash-landed', { ahead: 3, branchHead: head, baseCommit: base, landed: { commit: head, into: 'main', how: 'squash' as const, result: 'r', at: 't' } }, true],
    ['commits after the squash', { ahead: 4, branchHead: 'n'.repeat(40), baseCommit: base, landed: { commit: head, into: 'main', how: 'squash' as const, result: 'r', at: 't' } }, false],
    ['no branch', { ahead: 0, branchHead: null, baseCommit: base, landed: null }, false],
  ])('%s', (_what, facts, merged) => {
    expect(isMerged(facts)).toBe(merged);
  });
});

describe('landDecision', () => {
  const f = (over: Partial<LandFacts>): LandFacts => ({
    agent: 'web/dev',
    branch: 'muster/web/dev',
    branchHead: 'h',
    into: 'main',
    intoHead: 'm',
    uncommitted: [],
    ahead: 2,
    squash: false,
    landed: null,
    target: { path: '/repo', dirty: [], midOperation: null },
    canFastForward: true,
    preview: null,
    ...over,
  });
  it.each([
    ['fast-forward', f({}), { kind: 'land', how: 'fast-forward' }],
    ['merge when the target moved on', f({ canFastForward: false, preview: { clean: true } }), { kind: 'land', how: 'merge' }],
    ['squash', f({ squash: true, preview: { clean: true } }), { kind: 'land', how: 'squash' }],
    ['into a branch nobody has checked out', f({ target: null }), { kind: 'land', how: 'fast-forward' }],
  ])('%s', (_what, facts, decision) => {
    expect(landDecision(facts)).toEqual(decision);
  });

  it('nothing to land', () => {
    expect(landDecision(f({ ahead: 0 }))).toMatchObject({ kind: 'nothing' });
    const head = 'h';
    expect(landDecision(f({ ahead: 3, landed: { commit: head, into: 'main', how: 'squash', result: 'r', at: 't' } }))).toMatchObject({ kind: 'nothing' });
  });

  it.each([
    ['no branch', f({ branchHead: null }), /does not exist/, false],
    ['no base branch known', f({ into: null }), /detached checkout/, true],
    ['an unknown --into', f({ into: 'nope', intoHead: null }), /no branch "nope"/, true],
    ['into itself', f({ into: 'muster/web/dev' }), /into itself/, true],
    ['uncommitted changes in the agent', f({ uncommitted: ['a.ts', 'b.ts'] }), /uncommitted changes \(2 files: a\.ts, b\.ts\)/, false],
    ['the target checkout is dirty', f({ target: { path: '/repo', dirty: ['README'], midOperation: null } }), /\/repo\) has uncommitted changes \(README\)/, false],
    ['the target checkout is mid-merge', f({ target: { path: '/repo', dirty: [], midOperation: 'merge' } }), /middle of a merge/, false],
    ['conflicts', f({ canFastForward: false, preview: { clean: false, conflicts: ['x.ts', 'y.ts'] } }), /would conflict in x\.ts, y\.ts/, false],
    ['unrelated histories', f({ canFastForward: false, preview: { unrelated: true } }), /no history in common/, false],
  ])('refuses: %s', (_what, facts, reason, usage) => {
    const d = landDecision(facts);
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.reason).toMatch(reason);
    expect(d.hint.length).toBeGreaterThan(0);
    expect(Boolean(d.usage)).toBe(usage);
  });

  it('the agent committing comes first: its uncommitted changes are named even when nothing is committed', () => {
    expect(landDecision(f({ ahead: 0, uncommitted: ['wip.ts'] }))).toMatchObject({ kind: 'refuse', hint: expect.stringContaining('commit') });
  });
});

describe('discardDecision', () => {
  const f = (over: Partial<DiscardFacts>): DiscardFacts => ({
    agent: 'web/dev',
    branch: 'muster/web/dev',
    running: [],
    force: false,
    branchExists: true,
    merged: false,
    ahead: 0,
    into: 'main',
    uncommitted: [],
    ...over,
  });
  it.each([
    ['no work', f({}), 'discard'],
    ['merged work', f({ ahead: 0, merged: true }), 'discard'],
    ['squash-landed work', f({ ahead: 3, merged: true }), 'discard'],
    ['unmerged commits', f({ ahead: 2 }), 'refuse'],
    ['uncommitted changes', f({ uncommitted: ['a'] }), 'refuse'],
    ['unmerged commits, forced', f({ ahead: 2, uncommitted: ['a'], force: true }), 'discard'],
    ['an agent runs in it', f({ running: ['web/dev'] }), 'refuse'],
    ['an agent runs in it, forced', f({ running: ['web/review'], force: true }), 'refuse'],
    ['branch gone, nothing uncommitted', f({ branchExists: false, ahead: 0 }), 'discard'],
  ])('%s → %s', (_what, facts, kind) => {
    expect(discardDecision(facts).kind).toBe(kind);
  });

  it('says what would be lost', () => {
    const d = discardDecision(f({ ahead: 2, uncommitted: ['a.ts'] }));
    expect(d).toMatchObject({ kind: 'refuse', reason: "web/dev's worktree holds 2 commits not in main and 1 uncommitted file (a.ts)" });
  });
});
