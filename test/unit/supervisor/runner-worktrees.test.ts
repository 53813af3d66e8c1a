/**
 * The runner and agents' worktrees over in-memory ports (world.ts): an agent with a worktree
 * starts inside it (the port made it whole first, its notes are events), a worktree that
 * cannot be made fails the launch, a stop ends a setup under way, a handoff from an agent
 * with a worktree carries its branch and head (typed text, status, ledger), and `land` is
 * the port's, for the agent or the one whose worktree it shares (docs/worktrees.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorktreeSpec } from '../../../src/config/types.js';
import { commandHandlers } from '../../../src/supervisor/commands.js';
import type { StatusView } from '../../../src/supervisor/control/contract.js';
import { builtinPreset } from '../../helpers/presets.js';
import { agent } from '../../helpers/specs.js';
import { project, World } from './world.js';

const shell = await builtinPreset('shell');
const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.dispose();
});

function world(...agents: Parameters<typeof agent>[]): World {
  const w = new World(project(agents.map(([id, over]) => agent(id, { preset: shell, ...over }))));
  worlds.push(w);
  return w;
}

const own = (owner: string): WorktreeSpec => ({ mode: 'own', owner, base: null, include: [], setup: null });
const share = (owner: string): WorktreeSpec => ({ mode: 'share', owner, base: null, include: [], setup: null });
const state = (s: StatusView, id: string) => s.agents.find((a) => a.id === id);

describe('the runner with worktrees', () => {
  it('starts an agent inside its worktree, a sharer inside the owner’s, and says what was made', async () => {
    const w = world(['dev', { worktree: own('t/dev') }], ['review', { worktree: share('t/dev') }], ['plain']);
    const runner = await w.runner();
    expect(runner.status().agents.map((a) => a.state)).toEqual(['running', 'running', 'running']);
    expect(w.worktrees.calls).toEqual(expect.arrayContaining(['cwdFor t/dev', 'cwdFor t/review']));
    expect(w.worktrees.calls).not.toContain('cwdFor t/plain');
    const dev = w.machine.paneOf('t/dev')?.cwd;
    expect(dev).toMatch(/worktrees\/t-dev$/);
    expect(w.machine.paneOf('t/review')?.cwd).toBe(dev);
    expect(w.machine.paneOf('t/plain')?.cwd).not.toBe(dev);
    expect(w.ledger.kinds('t/dev')).toContain('worktree');
    // status carries the worktree field only for agents with one (null until read)
    expect(state(runner.status(), 't/dev')?.worktree).toBeNull();
    expect(state(runner.status(), 't/plain')).not.toHaveProperty('worktree');
    await runner.shutdown();
  });

  it('a worktree that cannot be made fails the launch with the reason; a stop ends a setup under way', async () => {
    const w = world(['dev', { worktree: own('t/dev'), restart: { policy: 'never', max: 5, withinMs: 600_000, backoffMs: 1000, maxBackoffMs: 60_000 } }], ['ok', { worktree: own('t/ok') }]);
    w.worktrees.failing.set('t/dev', 'base "nope" is not a branch, tag or commit of the repository');
    const runner = await w.runner();
    await w.clock.advance(10);
    const dev = state(runner.status(), 't/dev');
    expect(dev?.state).toBe('failed');
    expect(w.ledger.messages('t/dev').join('\n')).toMatch(/worktree: base "nope"/);
    expect(state(runner.status(), 't/ok')?.state).toBe('running');

    const handlers = commandHandlers({ supervisor: runner, tmux: w.machine.tmux, worktrees: w.worktrees, end: () => undefined });
    const stopped = handlers.stop({ agents: ['ok'], all: false });
    await w.clock.advance(5000);
    await stopped;
    expect(w.worktrees.calls).toContain('abortSetup t/ok');
    await runner.shutdown();
  });

  it('a handoff from an agent with a worktree carries its branch and head: typed, in status and in the ledger', async () => {
    const w = world(['dev', { worktree: own('t/dev') }], ['review', { after: ['t/dev'] }]);
    w.worktrees.heads.set('t/dev', '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d');
    const runner = await w.runner();
    await w.inbox.deliver({ id: 'r1', kind: 'handoff', agent: 't/dev', message: 'review it', to: 'review', file: null });
    await w.clock.advance(10);
    expect(state(runner.status(), 't/review')?.state).toBe('running');
    expect(runner.status().handoffs).toMatchObject([{ id: 'r1', branch: 'muster/t/dev', commit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', state: 'pending' }]);
    expect(w.ledger.messages('t/dev').join('\n')).toContain('handed off to t/review (on branch muster/t/dev at 1a2b3c4): review it');

    await w.clock.advance(6000);
    expect(w.machine.paneOf('t/review')?.submitted).toEqual(['Handoff from t/dev (on branch muster/t/dev at 1a2b3c4): review it']);
    const saved = JSON.parse(w.ledger.snapshot!).crew.handoffs;
    expect(saved).toMatchObject([{ id: 'r1', branch: 'muster/t/dev', commit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', state: 'delivered' }]);
    await runner.shutdown();

    // the next supervisor reads the handoff's branch back from the ledger
    const next = await w.runner();
    expect(next.status().handoffs).toMatchObject([{ id: 'r1', branch: 'muster/t/dev' }]);
    await next.shutdown();
  });

  it('land: the port’s, for the agent or the owner of the worktree it shares; refused for an agent without one', async () => {
    const w = world(['dev', { worktree: own('t/dev') }], ['review', { worktree: share('t/dev') }], ['plain']);
    const runner = await w.runner();
    const asked: string[] = [];
    w.worktrees.land = async (owner, opts) => {
      asked.push(`${owner} squash=${opts.squash} into=${opts.into} checkins=${opts.checkins.join('|')}`);
      return { kind: 'landed', how: 'fast-forward', agent: owner, branch: `muster/${owner}`, into: 'main', from: 'aaa', commit: 'bbb', message: `${owner} landed into main` };
    };
    // a squash's message is built from every check-in of the owner in the event log
    const logged: Record<string, string[]> = { 't/dev': ['parser done', 'tests green'], 't/review': ['looks good'] };
    const handlers = commandHandlers({ supervisor: runner, tmux: w.machine.tmux, worktrees: w.worktrees, checkins: (a) => logged[a] ?? [], end: () => undefined });
    expect(await handlers.land({ agent: 'dev', squash: false, into: null })).toEqual({ agent: 't/dev', landed: true, message: 't/dev landed into main' });
    expect(await handlers.land({ agent: 'review', squash: true, into: 'release' })).toMatchObject({ agent: 't/dev', message: "t/dev landed into main (t/review works in t/dev's worktree)" });
    expect(asked).toEqual(['t/dev squash=false into=null checkins=', 't/dev squash=true into=release checkins=parser done|tests green']);
    await expect(async () => handlers.land({ agent: 'plain', squash: false, into: null })).rejects.toThrow(/t\/plain has no worktree/);
    await runner.shutdown();
  });
});
