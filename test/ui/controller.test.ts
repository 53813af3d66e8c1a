import { describe, expect, it } from 'vitest';
import type { AgentStatusView } from '../../src/supervisor/control/contract.js';
import { deliverOutcome, sendOutcome, stopOutcome, TuiController } from '../../src/ui/controller.js';
import type { TuiAction } from '../../src/ui/keymap.js';
import { TuiStore } from '../../src/ui/tui-store.js';
import { agent, handoff, replyFor, snapshot, stateWith } from './fixtures.js';

function setup(agents: AgentStatusView[] = [agent('crew/pm'), agent('crew/dev')], handoffs = [handoff('h1')], fail?: (cmd: string) => Error | null) {
  const store = new TuiStore(stateWith(snapshot(agents, handoffs)));
  const requests: Array<{ cmd: string; args: unknown }> = [];
  const calls: string[] = [];
  const controller = new TuiController(store, {
    request: async (cmd, args) => {
      requests.push({ cmd, args });
      const id = (args as { agent?: string } | undefined)?.agent ?? '';
      if (cmd === 'land') calls.push(`land ${id}`);
      if (cmd === 'land' && id.endsWith('dirty')) throw Object.assign(new Error(`${id} has uncommitted changes (1 file: a.txt)`), { hint: 'Ask it to commit.' });
      const err = fail?.(cmd);
      if (err) throw err;
      return replyFor(cmd, args);
    },
    attach: (a) => calls.push(`attach ${a.id}`),
    diff: (a) => calls.push(`diff ${a.id}`),
    cleanup: () => calls.push('cleanup'),
    quit: () => calls.push('quit'),
  });
  const press = (...actions: TuiAction[]) => actions.forEach((a) => controller.handle(a));
  const lastEvent = () => store.getState().events.at(-1)?.message ?? '';
  return { store, controller, requests, calls, press, lastEvent };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TuiController', () => {
  it('sends stop, reset, pause, nudge for the selected agent and says how each ended', async () => {
    const t = setup();
    t.press({ type: 'move', delta: 1 }, { type: 'stop' });
    expect(t.lastEvent()).toBe('stopping crew/dev…');
    await flush();
    expect(t.lastEvent()).toBe('crew/dev stopped');
    t.press({ type: 'reset' }, { type: 'pauseResume' }, { type: 'nudge' });
    await flush();
    expect(t.requests).toEqual([
      { cmd: 'stop', args: { agents: ['crew/dev'] } },
      { cmd: 'restart', args: { agents: ['crew/dev'] } },
      { cmd: 'pause', args: { agents: ['crew/dev'] } },
      { cmd: 'nudge', args: { agent: 'crew/dev' } },
    ]);
  });

  it('resumes a paused agent with p', async () => {
    const t = setup([agent('crew/pm', { state: 'paused' })]);
    t.press({ type: 'pauseResume' });
    await flush();
    expect(t.requests).toEqual([{ cmd: 'resume', args: { agents: ['crew/pm'] } }]);
  });

  it('shows a failed command on the event line and carries on', async () => {
    const t = setup(undefined, undefined, (cmd) => (cmd === 'nudge' ? new Error('the supervisor does not know the command "nudge"') : null));
    t.press({ type: 'nudge' });
    await flush();
    expect(t.store.getState().events.at(-1)).toMatchObject({ level: 'error', message: 'nudge failed: the supervisor does not know the command "nudge"' });
    t.press({ type: 'stop' });
    await flush();
    expect(t.lastEvent()).toBe('crew/pm stopped');
  });

  it('asks before stopping all, and stops all only on y', async () => {
    const t = setup();
    t.press({ type: 'stopAll' });
    expect(t.store.getState().mode).toMatchObject({ kind: 'confirm', action: 'stopAll' });
    t.press({ type: 'cancel' });
    expect(t.store.getState().mode.kind).toBe('normal');
    expect(t.requests).toEqual([]);
    t.press({ type: 'stopAll' }, { type: 'confirm' });
    await flush();
    expect(t.requests).toEqual([{ cmd: 'stop', args: { all: true } }]);
  });

  it('runs the emergency cleanup only after y', () => {
    const t = setup();
    t.press({ type: 'cleanup' });
    expect(t.store.getState().mode).toMatchObject({ kind: 'confirm', action: 'cleanup' });
    expect(t.calls).toEqual([]);
    t.press({ type: 'confirm' });
    expect(t.calls).toEqual(['cleanup']);
  });

  it('types a one-line message: Enter sends it, Esc cancels', async () => {
    const t = setup();
    t.press({ type: 'message' }, { type: 'inputText', text: 'hello' }, { type: 'inputText', text: ' wrld' }, { type: 'inputBackspace' }, { type: 'inputBackspace' }, { type: 'inputBackspace' });
    expect(t.store.getState().mode).toEqual({ kind: 'message', agent: 'crew/pm', text: 'hello w' });
    t.press({ type: 'inputText', text: 'orld' }, { type: 'inputSubmit' });
    await flush();
    expect(t.requests).toEqual([{ cmd: 'send', args: { agent: 'crew/pm', message: 'hello world' } }]);
    expect(t.store.getState().mode.kind).toBe('normal');
    t.press({ type: 'message' }, { type: 'inputText', text: 'never' }, { type: 'cancel' });
    await flush();
    expect(t.requests).toHaveLength(1);
    expect(t.lastEvent()).toBe('message not sent');
  });

  it('filters: typed text narrows the grid at once, Enter keeps it, Esc clears it', () => {
    const t = setup([agent('web/api'), agent('web/ui'), agent('ops/db')]);
    t.press({ type: 'filter' }, { type: 'inputText', text: 'ops' });
    expect(t.store.getState().selectedId).toBe('ops/db');
    t.press({ type: 'inputSubmit' });
    expect(t.store.getState()).toMatchObject({ filter: 'ops', mode: { kind: 'normal' } });
    t.press({ type: 'clearFilter' });
    expect(t.store.getState().filter).toBe('');
    t.press({ type: 'filter' }, { type: 'inputText', text: 'web' }, { type: 'cancel' });
    expect(t.store.getState()).toMatchObject({ filter: '', mode: { kind: 'normal' } });
  });

  it('delivers the selected handoff from the list, or the selected agent\'s oldest one', async () => {
    const t = setup([agent('crew/pm'), agent('crew/dev')], [handoff('h1', { to: 'crew/dev' }), handoff('h2', { to: 'crew/dev' }), handoff('h3', { to: 'crew/qa' })]);
    t.press({ type: 'deliver' });
    expect(t.store.getState().events.at(-1)).toMatchObject({ level: 'warn' });
    t.press({ type: 'move', delta: 1 }, { type: 'deliver' });
    t.press({ type: 'nextPanel' }, { type: 'move', delta: 2 }, { type: 'deliver' });
    await flush();
    expect(t.requests).toEqual([
      { cmd: 'deliver', args: { id: 'h1' } },
      { cmd: 'deliver', args: { id: 'h3' } },
    ]);
  });

  it('attaches to the selected agent, not to one without a pane', () => {
    const t = setup([agent('crew/pm'), agent('crew/dev', { pane: null, state: 'pending', reason: 'after' })]);
    t.press({ type: 'attach' }, { type: 'move', delta: 1 }, { type: 'attach' });
    expect(t.calls).toEqual(['attach crew/pm']);
    expect(t.lastEvent()).toContain('crew/dev has no pane');
  });

  it('opens and closes the help, and quits', () => {
    const t = setup();
    t.press({ type: 'help' });
    expect(t.store.getState().mode.kind).toBe('help');
    t.press({ type: 'closeHelp' }, { type: 'quit' });
    expect(t.store.getState().mode.kind).toBe('normal');
    expect(t.calls).toEqual(['quit']);
  });

  it('reads the answers of send and deliver', () => {
    expect(sendOutcome('crew/a', { agent: 'crew/a', submitted: true, queued: false })).toEqual({ level: 'info', text: 'message submitted to crew/a' });
    expect(sendOutcome('crew/a', { agent: 'crew/a', submitted: false, queued: true }).text).toContain('queued');
    expect(sendOutcome('crew/a', { agent: 'crew/a', submitted: false, queued: false }).level).toBe('warn');
    expect(sendOutcome('crew/a', { agent: 'crew/a', submitted: false, queued: false, why: 'the text still sits in its input' }).text).toBe(
      'message not delivered to crew/a: the text still sits in its input',
    );
    expect(deliverOutcome('crew/b', { id: 'h1', state: 'delivering' }).text).toBe('handoff to crew/b is being delivered');
    expect(stopOutcome('crew/a stopped', { agents: ['crew/a'], survivors: [] })).toEqual({ level: 'info', text: 'crew/a stopped' });
    expect(stopOutcome('x', { agents: ['crew/a'], survivors: [{ agent: 'crew/a', pids: [7] }] })).toEqual({
      level: 'warn',
      text: 'stopped, but processes survived SIGKILL: crew/a (pid 7)',
    });
    expect(deliverOutcome('crew/b', { id: 'h1', state: 'delivered' })).toEqual({ level: 'warn', text: 'the handoff to crew/b is already delivered' });
  });
});

describe('worktree keys', () => {
  const wt = (over = {}) => ({ owner: 'crew/dev', branch: 'muster/crew/dev', path: '/p/.muster/worktrees/crew/dev', state: 'ready', head: 'a'.repeat(40), into: 'main', ahead: 2, behind: 0, files: 3, uncommitted: 0, merged: false, ...over });

  it('d hands the terminal to the diff of the selected agent; an agent without a worktree is told so', () => {
    const t = setup([agent('crew/pm'), agent('crew/dev', { worktree: wt() })]);
    t.press({ type: 'diff' });
    expect(t.calls).toEqual([]);
    expect(t.lastEvent()).toBe('crew/pm has no worktree (worktree: off)');
    t.press({ type: 'move', delta: 1 }, { type: 'diff' });
    expect(t.calls).toEqual(['diff crew/dev']);
  });

  it('L asks first, lands on y, and shows a refusal with its hint on the event line', async () => {
    const t = setup([agent('crew/dev', { worktree: wt() }), agent('crew/dirty', { worktree: wt({ owner: 'crew/dirty', branch: 'muster/crew/dirty' }) })]);
    t.press({ type: 'land' });
    expect(t.store.getState().mode).toEqual({ kind: 'confirm', action: 'land', agent: 'crew/dev', prompt: 'Land muster/crew/dev into main? y merge, s squash into one commit, N cancel' });
    t.press({ type: 'cancel' });
    expect(t.calls).toEqual([]);
    t.press({ type: 'land' }, { type: 'confirm' });
    await flush();
    expect(t.calls).toEqual(['land crew/dev']);
    expect(t.requests.at(-1)).toEqual({ cmd: 'land', args: { agent: 'crew/dev', squash: false } });
    expect(t.lastEvent()).toBe('crew/dev landed');
    t.press({ type: 'move', delta: 1 }, { type: 'land' }, { type: 'confirm' });
    await flush();
    expect(t.lastEvent()).toBe('land refused: crew/dirty has uncommitted changes (1 file: a.txt) — Ask it to commit.');
  });

  it('L then s lands as one squashed commit; s at another question cancels it', async () => {
    const t = setup([agent('crew/dev', { worktree: wt() })]);
    t.press({ type: 'land' }, { type: 'confirmSquash' });
    expect(t.lastEvent()).toBe('landing crew/dev as one squashed commit…');
    await flush();
    expect(t.requests).toEqual([{ cmd: 'land', args: { agent: 'crew/dev', squash: true } }]);
    expect(t.lastEvent()).toBe('crew/dev landed');
    t.press({ type: 'stopAll' }, { type: 'confirmSquash' });
    await flush();
    expect(t.store.getState().mode).toEqual({ kind: 'normal' });
    expect(t.requests).toHaveLength(1);
    expect(t.lastEvent()).toBe('cancelled');
  });
});
