/**
 * The screen through ink-testing-library: the store is fed snapshots and events, keys go
 * in through stdin, and the frame is read back.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatusView } from '../../src/supervisor/control/contract.js';
import type { TuiController as Controller } from '../../src/ui/controller.js';
import type { TuiStore as Store } from '../../src/ui/tui-store.js';
import { agent, handoff, manyAgents, NOW, replyFor, snapshot, stateWith } from './fixtures.js';

// Ink's colours come from chalk, which decides once, on import, whether to colour:
// force colour so that the NO_COLOR test shows it is the TUI that leaves colour out.
let ink: typeof import('ink-testing-library');
let App: typeof import('../../src/ui/App.js').App;
let TuiStore: typeof import('../../src/ui/tui-store.js').TuiStore;
let TuiController: typeof import('../../src/ui/controller.js').TuiController;
beforeAll(async () => {
  vi.stubEnv('FORCE_COLOR', '1');
  ink = await import('ink-testing-library');
  ({ App } = await import('../../src/ui/App.js'));
  ({ TuiStore } = await import('../../src/ui/tui-store.js'));
  ({ TuiController } = await import('../../src/ui/controller.js'));
  vi.unstubAllEnvs();
});
afterAll(() => ink.cleanup());

const COLOUR = /\x1b\[(3[0-7]|9[0-7]|38;)/;
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const tick = () => new Promise((r) => setTimeout(r, 20));

interface Mounted {
  store: Store;
  requests: Array<{ cmd: string; args: unknown }>;
  calls: string[];
  frame(): string;
  raw(): string;
  press(...keys: string[]): Promise<void>;
}

async function mount(snap: StatusView | null, opts: { colors?: boolean; rows?: number; cols?: number } = {}): Promise<Mounted> {
  const store = new TuiStore(stateWith(snap, { colors: opts.colors ?? true, size: { cols: opts.cols ?? 100, rows: opts.rows ?? 30 } }), 0);
  const requests: Mounted['requests'] = [];
  const calls: string[] = [];
  const controller: Controller = new TuiController(store, {
    request: async (cmd, args) => {
      requests.push({ cmd, args });
      return replyFor(cmd, args);
    },
    attach: (a) => calls.push(`attach ${a.id}`),
    diff: (a) => calls.push(`diff ${a.id}`),
    cleanup: () => calls.push('cleanup'),
    quit: () => calls.push('quit'),
  });
  const r = ink.render(<App store={store} controller={controller} />);
  await tick();
  return {
    store,
    requests,
    calls,
    raw: () => r.lastFrame() ?? '',
    frame: () => strip(r.lastFrame() ?? ''),
    press: async (...keys: string[]) => {
      for (const k of keys) {
        r.stdin.write(k);
        await tick();
      }
    },
  };
}

const rowOf = (frame: string, name: string) => frame.split('\n').find((l) => l.includes(` ${name} `)) ?? '';

describe('the TUI screen', () => {
  it('shows the header, and each agent with its figures', async () => {
    const snap = snapshot([
      agent('crew/pm', { cpu: 12.5, limits: { cpu: 50, memory: 512 * 1024 ** 2 }, memory: 200 * 1024 ** 2, restarts: 2 }),
      agent('crew/dev', { state: 'pending', reason: 'after', pid: null, pane: null, cpu: null, memory: null, activity: null }),
      agent('crew/qa', { state: 'failed', reason: 'circuit', exitCode: 3, checkin: { last: null, message: null, due: new Date(NOW - 120_000).toISOString(), overdue: true, off: false } }),
    ]);
    const m = await mount(snap, { cols: 120 });
    const f = m.frame();
    expect(f).toContain('webshop');
    expect(f).toContain('3 agents');
    expect(f).toMatch(/machine cpu 42\.5\/60% mem 50\.0\/80% \(8\.0G of 16\.0G\)/);
    expect(f).toMatch(/supervisor pid 4242 0\.8% 45\.0M/);
    expect(f).toContain('cgroup v1 (cpu, memory)');
    expect(rowOf(f, 'pm')).toMatch(/crew\s+pm\s+running\s+busy\s+12\.5\/50%\s+\S+\s+200M\/512M\s+\S+\s+3m ago\s+in 12m\s+2/);
    expect(rowOf(f, 'dev')).toMatch(/pending .* after/);
    expect(rowOf(f, 'qa')).toMatch(/failed .*never\s+late 2m .*circuit · exit 3/);
    expect(f).toMatch(/[▁▂▃▄▅▆▇█]{8}/);
  });

  it('shows why an agent waits, and a draft in its input', async () => {
    const snap = snapshot([
      agent('crew/pm', { activity: 'waiting', activityReason: 'permission' }),
      agent('crew/dev', { activity: 'idle', activityReason: 'draft' }),
      agent('crew/qa', { activity: 'waiting', activityReason: 'dialog' }),
      agent('crew/ux', { activity: 'idle', activityReason: 'prompt' }),
    ]);
    const f = (await mount(snap, { cols: 140 })).frame();
    expect(rowOf(f, 'pm')).toMatch(/running\s+waiting \(permission\)\s/);
    expect(rowOf(f, 'dev')).toMatch(/running\s+idle \(draft\)\s/);
    expect(rowOf(f, 'qa')).toMatch(/running\s+waiting \(dialog\)\s/);
    expect(rowOf(f, 'ux')).toMatch(/running\s+idle\s+\d/);
  });

  it('says DISK FULL in the header while the supervisor cannot save, and shows check-ins of agents with checkin off', async () => {
    const snap = snapshot([
      agent('crew/talker', { checkin: { last: new Date(NOW - 5_000).toISOString(), message: 'up', due: null, overdue: false, off: true } }),
      agent('crew/quiet', { checkin: { last: null, message: null, due: null, overdue: false, off: true } }),
    ]);
    const full = await mount({ ...snap, disk: { full: true, since: new Date(NOW - 60_000).toISOString(), file: '/p/.muster/state.json', pendingEvents: 3 } }, { cols: 120 });
    expect(full.frame().split('\n')[0]).toContain('DISK FULL: state not saved');
    expect(rowOf(full.frame(), 'talker')).toMatch(/talker .*5s ago\s+-/);
    expect(rowOf(full.frame(), 'quiet')).toMatch(/quiet .*off\s+-/);
    const fine = await mount({ ...snap, disk: { full: false, since: null, file: null, pendingEvents: 0 } }, { cols: 120 });
    expect(fine.frame()).not.toContain('DISK FULL');
  });

  it('colours states, and leaves every colour out under NO_COLOR', async () => {
    const snap = snapshot([agent('crew/pm'), agent('crew/qa', { state: 'failed', reason: 'exit' })]);
    const coloured = await mount(snap, { colors: true });
    expect(coloured.raw()).toMatch(COLOUR);
    const plain = await mount(snap, { colors: false });
    expect(plain.raw()).not.toMatch(COLOUR);
    expect(plain.frame()).toContain('failed');
  });

  it('scrolls the grid to keep the selected agent visible, within the terminal height', async () => {
    const m = await mount(snapshot(manyAgents(80)), { rows: 24 });
    expect(m.frame().split('\n').length).toBeLessThanOrEqual(23);
    expect(m.frame()).toContain('> crew a00');
    expect(m.frame()).not.toContain(' a40 ');
    await m.press(...Array(40).fill('j'));
    const f = m.frame();
    expect(f).toContain('> crew a40');
    expect(f).not.toContain(' a00 ');
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
    await m.press('k', 'k');
    expect(m.frame()).toContain('> crew a38');
  });

  it('fits a narrow terminal by dropping columns, never wrapping a row', async () => {
    const m = await mount(snapshot(manyAgents(5)), { cols: 60, rows: 20 });
    for (const line of m.frame().split('\n')) expect(line.length).toBeLessThanOrEqual(59);
    expect(m.frame()).toContain('AGENT');
    expect(m.frame()).toContain('STATE');
  });

  it('resizes with the terminal', async () => {
    const m = await mount(snapshot(manyAgents(50)), { rows: 40 });
    const tall = m.frame().split('\n').length;
    m.store.setSize(100, 15);
    await tick();
    const short = m.frame().split('\n').length;
    expect(short).toBeLessThan(tall);
    expect(short).toBeLessThanOrEqual(14);
  });

  it('filters agents as the filter is typed', async () => {
    const m = await mount(snapshot([agent('web/api'), agent('web/ui'), agent('ops/db')]));
    await m.press('/', 'o', 'p');
    let f = m.frame();
    expect(f).toContain('filter: /op');
    expect(f).toContain(' db ');
    expect(f).not.toContain(' api ');
    await m.press('\r');
    f = m.frame();
    expect(f).toContain('filter "op": 1 shown');
    expect(f).not.toContain(' api ');
    await m.press('\x1b');
    await tick();
    expect(m.frame()).toContain(' api ');
  });

  it('shows the help on ? and closes it again', async () => {
    const m = await mount(snapshot(manyAgents(3)));
    await m.press('?');
    expect(m.frame()).toContain('emergency cleanup');
    expect(m.frame()).toContain('quit the TUI; the agents keep running');
    // the BRANCH column's words, and L's two ways of landing
    expect(m.frame()).toContain('BRANCH');
    expect(m.frame()).toContain('+3 ↑2 files changed, commits ahead');
    expect(m.frame()).toContain('s squashes into one commit');
    expect(m.frame()).not.toContain(' a01 ');
    await m.press('?');
    expect(m.frame()).toContain(' a01 ');
  });

  it('asks before stop all and cleanup, on the bottom line', async () => {
    const m = await mount(snapshot(manyAgents(3)));
    await m.press('S');
    expect(m.frame()).toContain('Stop all 3 agent(s)? (y/N)');
    await m.press('n');
    expect(m.frame()).toContain('cancelled');
    expect(m.requests).toEqual([]);
    await m.press('X');
    expect(m.frame()).toContain('EMERGENCY CLEANUP');
    await m.press('y');
    expect(m.calls).toEqual(['cleanup']);
    await m.press('S', 'y');
    expect(m.requests).toEqual([{ cmd: 'stop', args: { all: true } }]);
  });

  it('takes a message on one line and sends it with Enter', async () => {
    const m = await mount(snapshot(manyAgents(3)));
    await m.press('j', 'm');
    expect(m.frame()).toContain('message to crew/a01:');
    await m.press('fix the tests', 'q');
    expect(m.frame()).toContain('message to crew/a01: fix the testsq');
    expect(m.calls).toEqual([]);
    await m.press('\x7f', '\r');
    expect(m.requests).toEqual([{ cmd: 'send', args: { agent: 'crew/a01', message: 'fix the tests' } }]);
    expect(m.frame()).toContain('message submitted to crew/a01');
  });

  it('sends the key commands for the selected agent', async () => {
    const m = await mount(snapshot(manyAgents(3)));
    await m.press('j', 's', 'r', 'p', 'n', '\r', 'a', 'q');
    expect(m.requests.map((r) => r.cmd)).toEqual(['stop', 'restart', 'pause', 'nudge']);
    expect(m.calls).toEqual(['attach crew/a01', 'attach crew/a01', 'quit']);
  });

  it('lists pending handoffs, Tab focuses them and h delivers the selected one', async () => {
    const m = await mount(snapshot(manyAgents(3), [handoff('h1', { message: 'build the cart' }), handoff('h2', { message: 'review it', to: 'crew/qa' })]));
    expect(m.frame()).toContain('Handoffs pending (2)');
    expect(m.frame()).toContain('crew/pm → crew/dev');
    expect(m.frame()).toContain('build the cart');
    await m.press('\t', 'j', 'h');
    expect(m.requests).toEqual([{ cmd: 'deliver', args: { id: 'h2' } }]);
  });

  it('shows the latest event and the preview of the selected agent', async () => {
    const m = await mount(snapshot(manyAgents(3)));
    m.store.addEvent({ time: new Date(NOW).toISOString(), level: 'warn', agent: 'crew/a02', message: 'memory over the limit; restarting' });
    m.store.update((s) => ({ ...s, preview: { agent: 'crew/a00', text: 'line one\nline two\n\n', error: null } }));
    await tick();
    const f = m.frame();
    expect(f).toContain('crew/a02  memory over the limit; restarting');
    expect(f).toContain('crew/a00 (latest output)');
    expect(f).toMatch(/line one\nline two/);
  });

  it('says so while the supervisor is not connected', async () => {
    const m = await mount(null);
    expect(m.frame()).toContain('waiting for the supervisor');
    expect(m.frame()).toContain('connecting to the supervisor');
    m.store.applySnapshot(snapshot(manyAgents(2)));
    m.store.setConnected(false);
    await tick();
    expect(m.frame()).toContain('supervisor: not connected; retrying');
  });
});
