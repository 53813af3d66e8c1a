/**
 * The real runner (src/supervisor/supervisor.ts) over in-memory ports and a fake clock:
 * a pulse, a stop that leaves a survivor, a handoff typed into an idle agent, a crash
 * between saving a state and performing its effects, a full disk, and a pids limit reached.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

const state = (s: StatusView, id: string) => s.agents.find((a) => a.id === id);

describe('the runner', () => {
  it('a pulse: measures, judges, throttles with this pulse’s processes, sees an idle pane, saves and publishes', async () => {
    const w = world(['a'], ['b', { limits: { cpu: 50, memory: null, pids: null, onMemory: 'restart', onCpu: 'throttle' } }]);
    const runner = await w.runner();
    const snapshots: StatusView[] = [];
    runner.subscribe({ publish: (m) => void (m.type === 'snapshot' && snapshots.push(m.snapshot)), wantsSnapshots: () => true });
    expect(runner.status().agents.map((a) => a.state)).toEqual(['running', 'running']);

    w.sampler.cpu.set('t/b', 90);
    await w.clock.advance(2000); // one pulse
    const b = w.machine.paneOf('t/b');
    const child = w.machine.members(b!.pid).find((pid) => pid !== b!.pid);
    expect(state(runner.status(), 't/b')?.state).toBe('throttled');
    expect(w.limitCalls).toContain(`throttle t/b 50% [${child}]`);
    expect(w.ledger.kinds('t/b')).toContain('throttled');
    expect(snapshots).toHaveLength(1);
    expect(state(snapshots[0]!, 't/a')?.activity).toBe('idle'); // quiet for a pulse, a prompt on screen

    await w.clock.advance(2000); // the next pulse brings the agent's processes of now under the throttle again
    expect(w.limitCalls.filter((c) => c.startsWith('throttle t/b'))).toHaveLength(2);
    expect(JSON.parse(w.ledger.snapshot!).crew.agents['t/b'].status.state).toBe('throttled');
    await runner.shutdown();
  });

  it('a stop that leaves a survivor: stopping until the kill returns, then stopped with the survivor named', async () => {
    const w = world(['a']);
    const runner = await w.runner();
    const pane = w.machine.paneOf('t/a')!;
    const child = w.machine.members(pane.pid).find((pid) => pid !== pane.pid)!;
    w.machine.unkillable.add(child);
    const handlers = commandHandlers({ supervisor: runner, tmux: w.machine.tmux, worktrees: w.worktrees, end: () => undefined });

    const reply = handlers.stop({ agents: ['a'], all: false });
    await w.clock.advance(100);
    expect(state(runner.status(), 't/a')?.state).toBe('stopping');
    await w.clock.advance(10_000); // interrupt, TERM, KILL rounds
    expect(await reply).toEqual({ agents: ['t/a'], survivors: [{ agent: 't/a', pids: [child] }] });
    expect(state(runner.status(), 't/a')).toMatchObject({ state: 'stopped', reason: 'survivors', pid: null });
    expect(w.machine.signals).toContain(`SIGKILL ${child}`);
    expect(w.ledger.kinds('t/a')).toEqual(['started', 'stopping', 'survivors']);
    await runner.shutdown();
  });

  it('a handoff is typed into its target once the target is idle, submitted, and delivered', async () => {
    const w = world(['pm'], ['dev', { after: ['t/pm'] }]);
    const runner = await w.runner();
    expect(state(runner.status(), 't/dev')?.state).toBe('pending');

    expect(w.inbox.deliver({ id: 'r1', kind: 'handoff', agent: 't/pm', message: 'build it', to: 'dev', file: null })).toBeUndefined();
    await w.clock.advance(10);
    expect(state(runner.status(), 't/dev')?.state).toBe('running'); // the handoff released `after`
    expect(runner.status().handoffs).toMatchObject([{ from: 't/pm', to: 't/dev', state: 'pending' }]);

    await w.clock.advance(6000); // quiet, a prompt on screen: idle; paste, pause, Enter, read back
    expect(w.machine.paneOf('t/dev')?.submitted).toEqual(['Handoff from t/pm: build it']);
    expect(runner.status().handoffs).toMatchObject([{ id: 'r1', state: 'delivered' }]);
    expect(JSON.parse(w.ledger.snapshot!).crew.handoffs).toMatchObject([{ id: 'r1', state: 'delivered' }]);
    expect(w.ledger.kinds('t/dev')).toContain('delivered');
    await runner.shutdown();
  });

  it('a crash between saving a stop and carrying it out: the next runner finishes the stop from the ledger', async () => {
    const w = world(['a']);
    const first = await w.runner();
    const pane = w.machine.paneOf('t/a')!;
    const members = w.machine.members(pane.pid);
    w.machine.hang = true; // tmux stops answering: the kill never gets under way
    first.dispatch({ type: 'stop', agents: ['t/a'] });
    expect(JSON.parse(w.ledger.snapshot!).crew.agents['t/a'].status.state).toBe('stopping');
    expect(members.every((pid) => w.machine.rows.has(pid))).toBe(true);
    w.clock.dropTimers(); // the first runner is gone
    w.machine.hang = false;

    const second = await w.runner();
    await w.clock.advance(5000);
    expect(members.filter((pid) => w.machine.rows.has(pid))).toEqual([]);
    expect(state(second.status(), 't/a')).toMatchObject({ state: 'stopped', reason: 'user', attempt: 1 });
    expect(w.ledger.kinds('t/a').filter((k) => k === 'started')).toHaveLength(1); // not started again
    await second.shutdown();
  });

  it('a crash between saving a launch and carrying it out: the next runner launches it, uncounted', async () => {
    const w = world(['a'], ['b', { after: ['t/a'] }]);
    const first = await w.runner();
    w.machine.hang = true; // tmux stops answering: the launch never gets under way
    first.dispatch({ type: 'done', agent: 't/a', message: null });
    const decided = JSON.parse(w.ledger.snapshot!).crew.agents['t/b'];
    expect([decided.status.state, decided.attempt]).toEqual(['starting', 1]);
    w.clock.dropTimers(); // the first runner is gone
    w.machine.hang = false;

    const second = await w.runner();
    await w.clock.advance(100);
    expect(state(second.status(), 't/b')).toMatchObject({ state: 'running', attempt: 1, restarts: 0 });
    expect(state(second.status(), 't/a')?.state).toBe('done');
    await second.shutdown();
  });

  it('a full disk: the runner goes on, says so (event, status), and what waited is saved once there is room', async () => {
    const w = world(['a']);
    const runner = await w.runner();
    const events: string[] = [];
    runner.subscribe({ publish: (m) => void (m.type === 'event' && events.push(m.event.kind)), wantsSnapshots: () => false });
    w.ledger.setDiskFull(true, w.clock.now());
    expect(events).toEqual(['disk-full']);
    expect(runner.status().disk).toMatchObject({ full: true, since: new Date(w.clock.now()).toISOString() });

    // a check-in while the disk is full: taken, shown, kept to be saved
    w.inbox.deliver({ id: 'r1', kind: 'checkin', agent: 't/a', message: 'still going', to: null, file: null });
    await w.clock.advance(2000);
    expect(state(runner.status(), 't/a')).toMatchObject({ state: 'running', checkin: { message: 'still going' } });
    expect(runner.status().disk?.pendingEvents).toBeGreaterThan(0);
    expect(JSON.parse(w.ledger.snapshot!).crew.agents['t/a'].checkinMessage).toBeNull();

    w.ledger.setDiskFull(false);
    expect(events.slice(-1)).toEqual(['disk-ok']);
    expect(runner.status().disk).toMatchObject({ full: false, since: null, pendingEvents: 0 });
    expect(JSON.parse(w.ledger.snapshot!).crew.agents['t/a'].checkinMessage).toBe('still going');
    expect((w.ledger.events as { kind: string }[]).map((e) => e.kind)).toEqual(expect.arrayContaining(['disk-full', 'checkin', 'disk-ok']));
    await runner.shutdown();
  });

  it('an agent that reached its pids limit: one event, reason pids while it runs, the limit in status', async () => {
    const w = world(['a'], ['b', { limits: { cpu: null, memory: null, pids: 4096, onMemory: 'restart', onCpu: 'throttle' } }]);
    const runner = await w.runner();
    w.pidsLimited.add('t/a');
    await w.clock.advance(2000);
    await w.clock.advance(2000);
    expect(w.ledger.kinds('t/a').filter((k) => k === 'pids')).toHaveLength(1);
    expect(state(runner.status(), 't/a')).toMatchObject({ state: 'running', reason: 'pids' });
    expect(state(runner.status(), 't/b')?.reason).toBeNull();
    expect(state(runner.status(), 't/b')?.limits.pids).toBe(4096);
    await runner.shutdown();
  });
});
