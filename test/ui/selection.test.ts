import { describe, expect, it } from 'vitest';
import { layoutOf, listedAgents, moveSelection, normalize, scrollTop } from '../../src/ui/selection.js';
import { agent, handoff, manyAgents, snapshot, stateWith } from './fixtures.js';

describe('selection and scrolling', () => {
  it('filters agents by every word, on id, state and reason', () => {
    const s = stateWith(snapshot([agent('web/api'), agent('web/ui', { state: 'failed', reason: 'circuit' }), agent('ops/db', { state: 'pending', reason: 'after' })]));
    expect(listedAgents({ ...s, filter: 'web' }).map((a) => a.id)).toEqual(['web/api', 'web/ui']);
    expect(listedAgents({ ...s, filter: 'web fail' }).map((a) => a.id)).toEqual(['web/ui']);
    expect(listedAgents({ ...s, filter: 'after' }).map((a) => a.id)).toEqual(['ops/db']);
    expect(listedAgents({ ...s, mode: { kind: 'filter', text: 'ops' } }).map((a) => a.id)).toEqual(['ops/db']);
  });

  it('scrolls as little as needed to keep a row in view', () => {
    expect(scrollTop(0, 100, 10, 0)).toBe(0);
    expect(scrollTop(9, 100, 10, 0)).toBe(0);
    expect(scrollTop(10, 100, 10, 0)).toBe(1);
    expect(scrollTop(50, 100, 10, 0)).toBe(41);
    expect(scrollTop(45, 100, 10, 41)).toBe(41);
    expect(scrollTop(40, 100, 10, 41)).toBe(40);
    expect(scrollTop(5, 8, 10, 3)).toBe(0);
    expect(scrollTop(99, 100, 10, 95)).toBe(90);
  });

  it('keeps the selected agent visible while moving through a long crew', () => {
    let s = normalize(stateWith(snapshot(manyAgents(60))));
    const height = layoutOf(s).grid;
    expect(s.selectedId).toBe('crew/a00');
    for (let i = 1; i < 60; i++) {
      s = moveSelection(s, 1);
      const index = listedAgents(s).findIndex((a) => a.id === s.selectedId);
      expect(index).toBe(i);
      expect(index).toBeGreaterThanOrEqual(s.agentTop);
      expect(index).toBeLessThan(s.agentTop + height);
    }
    s = moveSelection(s, 1);
    expect(s.selectedId).toBe('crew/a59');
    s = moveSelection(s, -Infinity);
    expect(s.selectedId).toBe('crew/a00');
    expect(s.agentTop).toBe(0);
  });

  it('keeps the selection when snapshots reorder nothing, and picks the first agent when the selected one is filtered out', () => {
    let s = normalize(stateWith(snapshot(manyAgents(5))));
    s = moveSelection(s, 3);
    s = normalize({ ...s, snapshot: snapshot(manyAgents(5)) });
    expect(s.selectedId).toBe('crew/a03');
    s = normalize({ ...s, filter: 'a01' });
    expect(s.selectedId).toBe('crew/a01');
  });

  it('keeps the selection in view when the terminal shrinks', () => {
    let s = normalize(stateWith(snapshot(manyAgents(60))));
    s = moveSelection(s, 30);
    s = normalize({ ...s, size: { cols: 100, rows: 12 } });
    const index = listedAgents(s).findIndex((a) => a.id === s.selectedId);
    expect(index).toBe(30);
    expect(index - s.agentTop).toBeLessThan(layoutOf(s).grid);
    expect(index).toBeGreaterThanOrEqual(s.agentTop);
  });

  it('moves in the handoff list when it has focus, and falls back to the grid when none are pending', () => {
    let s = normalize(stateWith(snapshot(manyAgents(3), [handoff('h1'), handoff('h2')]), { panel: 'handoffs' }));
    expect(s.selectedHandoff).toBe('h1');
    s = moveSelection(s, 1);
    expect(s.selectedHandoff).toBe('h2');
    expect(s.selectedId).toBe('crew/a00');
    s = normalize({ ...s, snapshot: snapshot(manyAgents(3), [handoff('h1', { state: 'delivered' }), handoff('h2', { state: 'delivered' })]) });
    expect(s.panel).toBe('agents');
  });
});
