import { describe, expect, it } from 'vitest';
import { PreviewPoller } from '../../src/ui/preview-poller.js';
import { moveSelection } from '../../src/ui/selection.js';
import { TuiStore } from '../../src/ui/tui-store.js';
import { waitFor } from '../helpers/tmux.js';
import { agent, manyAgents, snapshot, stateWith } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(fail = false) {
  const store = new TuiStore(stateWith(snapshot(manyAgents(5))), 0);
  const captures: Array<{ agent: string; lines: number }> = [];
  const poller = new PreviewPoller({
    store,
    settleMs: 10,
    capture: async (agentId, lines) => {
      captures.push({ agent: agentId, lines });
      if (fail) throw new Error('the supervisor does not know the command "capture"');
      return `output of ${agentId}\n`;
    },
  });
  return { store, captures, poller };
}

describe('PreviewPoller', () => {
  it('captures the selected agent once per pulse, and only that agent', async () => {
    const { store, captures, poller } = setup();
    poller.start();
    await waitFor('the first capture', () => store.getState().preview.agent === 'crew/a00');
    expect(captures.map((c) => c.agent)).toEqual(['crew/a00']);
    expect(captures[0]?.lines).toBeGreaterThan(0);
    expect(store.getState().preview).toEqual({ agent: 'crew/a00', text: 'output of crew/a00\n', error: null });
    store.applySnapshot(snapshot(manyAgents(5)));
    poller.pulse();
    await waitFor('a capture for the pulse', () => captures.length === 2);
    store.applySnapshot(snapshot(manyAgents(5)));
    poller.pulse();
    await waitFor('a capture for the next pulse', () => captures.length === 3);
    expect(captures.map((c) => c.agent)).toEqual(['crew/a00', 'crew/a00', 'crew/a00']);
    store.update((s) => ({ ...s, mode: { kind: 'help' } }));
    poller.pulse();
    store.update((s) => ({ ...s, mode: { kind: 'normal' } }));
    store.applySnapshot(snapshot(manyAgents(5)));
    store.flush();
    await sleep(50);
    expect(captures).toHaveLength(3);
    poller.stop();
  });

  it('captures once after the selection settles on another agent', async () => {
    const { store, captures, poller } = setup();
    poller.start();
    await waitFor('the first capture', () => captures.length === 1);
    for (let i = 0; i < 3; i++) store.update((s) => moveSelection(s, 1));
    await waitFor('the capture after the move', () => captures.length === 2);
    await sleep(50);
    expect(captures.map((c) => c.agent)).toEqual(['crew/a00', 'crew/a03']);
    poller.stop();
  });

  it('shows why there is no preview: a failed capture, or no pane', async () => {
    const { store, poller } = setup(true);
    poller.start();
    await waitFor('the failed capture', () => store.getState().preview.error !== null);
    expect(store.getState().preview.error).toBe('the supervisor does not know the command "capture"');
    store.applySnapshot(snapshot([agent('crew/a00', { pane: null, state: 'pending' })]));
    poller.pulse();
    await waitFor('the no-pane preview', () => store.getState().preview.error === 'pending: no pane');
    expect(store.getState().preview).toEqual({ agent: 'crew/a00', text: '', error: 'pending: no pane' });
    poller.stop();
  });
});
