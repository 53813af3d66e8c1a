import { describe, expect, it } from 'vitest';
import { TuiStore, type StoreTimers } from '../../src/ui/tui-store.js';
import { agent, manyAgents, snapshot, stateWith } from './fixtures.js';

function fakeTimers(): StoreTimers & { run(): void; pending(): number } {
  let queue: Array<() => void> = [];
  return {
    setTimeout: (fn) => {
      queue.push(fn);
      return fn;
    },
    clearTimeout: (h) => {
      queue = queue.filter((f) => f !== h);
    },
    now: () => 0,
    run() {
      const q = queue;
      queue = [];
      q.forEach((f) => f());
    },
    pending: () => queue.length,
  };
}

describe('TuiStore', () => {
  it('announces a burst of snapshots and events once', () => {
    const timers = fakeTimers();
    const store = new TuiStore(stateWith(null), 50, timers);
    let renders = 0;
    store.subscribe(() => renders++);
    store.applySnapshot(snapshot(manyAgents(3)));
    store.addEvent({ time: '2026-11-21T10:00:00Z', level: 'info', agent: 'crew/a00', message: 'started' });
    store.applySnapshot(snapshot(manyAgents(4)));
    expect(renders).toBe(0);
    expect(timers.pending()).toBe(1);
    timers.run();
    expect(renders).toBe(1);
    expect(store.getState().snapshot?.agents).toHaveLength(4);
    expect(store.getState().connected).toBe(true);
  });

  it('announces keyboard changes at once, taking pending data along', () => {
    const timers = fakeTimers();
    const store = new TuiStore(stateWith(snapshot([agent('crew/a'), agent('crew/b')])), 50, timers);
    let renders = 0;
    store.subscribe(() => renders++);
    store.applySnapshot(snapshot([agent('crew/a'), agent('crew/b'), agent('crew/c')]));
    store.update((s) => ({ ...s, selectedId: 'crew/c' }));
    expect(renders).toBe(1);
    expect(timers.pending()).toBe(0);
    expect(store.getState().selectedId).toBe('crew/c');
  });

  it('keeps the last 100 events', () => {
    const store = new TuiStore(stateWith(null), 50, fakeTimers());
    for (let i = 0; i < 150; i++) store.notice('info', `n${i}`);
    expect(store.getState().events).toHaveLength(100);
    expect(store.getState().events[0]?.message).toBe('n50');
  });

  it('does not announce a change that changes nothing', () => {
    const store = new TuiStore(stateWith(null), 50, fakeTimers());
    let renders = 0;
    store.subscribe(() => renders++);
    store.setSize(100, 30);
    expect(renders).toBe(0);
    store.setSize(80, 24);
    expect(renders).toBe(1);
  });
});
