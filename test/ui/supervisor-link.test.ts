/** The TUI's link to a real control socket: snapshots and events in, commands out, reconnection. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatusView } from '../../src/supervisor/control/contract.js';
import { handlersWith } from '../helpers/control.js';
import { connectControl } from '../../src/supervisor/control/control-client.js';
import { ControlServer } from '../../src/supervisor/control/control-server.js';
import { SupervisorLink } from '../../src/ui/supervisor-link.js';
import { TuiStore } from '../../src/ui/tui-store.js';
import { waitFor } from '../helpers/tmux.js';
import { manyAgents, snapshot, stateWith } from './fixtures.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-tuilink-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function serve(stateDir: string, snap: StatusView): Promise<ControlServer> {
  const server = new ControlServer(stateDir, { tmpDir: root });
  server.onCommand(handlersWith({ stop: (args) => ({ agents: args.agents, survivors: [] }) }));
  server.onSubscribe((client) => client.send({ type: 'snapshot', snapshot: snap }));
  await server.listen();
  return server;
}

describe('SupervisorLink', () => {
  it('feeds the store, sends commands, and reconnects when the supervisor comes back', async () => {
    const stateDir = path.join(root, 'p1', '.muster');
    let server = await serve(stateDir, snapshot(manyAgents(2)));
    const store = new TuiStore(stateWith(null), 0);
    const link = new SupervisorLink({ store, connect: () => connectControl(stateDir, { tmpDir: root }), retryMs: 50 });
    try {
      expect(await link.start()).toBe(true);
      await waitFor('the first snapshot', () => store.getState().snapshot?.agents.length === 2);
      expect(store.getState().connected).toBe(true);
      server.broadcast({ type: 'event', event: { time: '2026-11-21T10:00:00.000Z', level: 'warn', agent: 'crew/a01', kind: 'memory', message: 'over the limit' } });
      await waitFor('the event', () => store.getState().events.some((e) => e.message === 'over the limit'));
      expect(await link.request('stop', { agents: ['crew/a01'] })).toEqual({ agents: ['crew/a01'], survivors: [] });
      await expect(link.request('nudge', { agent: 'crew/a01' })).rejects.toThrow('does not handle "nudge"');

      await server.close();
      await waitFor('the link to notice', () => store.getState().connected === false);
      await expect(link.request('stop', { agents: [] })).rejects.toThrow('not connected');
      server = await serve(stateDir, snapshot(manyAgents(3)));
      await waitFor('the link to reconnect', () => store.getState().connected && store.getState().snapshot?.agents.length === 3, 5000);
    } finally {
      link.close();
      await server.close();
    }
  });

  it('keeps trying when no supervisor listens yet', async () => {
    const stateDir = path.join(root, 'p2', '.muster');
    const store = new TuiStore(stateWith(null), 0);
    const link = new SupervisorLink({ store, connect: () => connectControl(stateDir, { tmpDir: root }), retryMs: 50 });
    let server: ControlServer | null = null;
    try {
      expect(await link.start()).toBe(false);
      expect(store.getState().events.at(-1)?.message).toMatch(/cannot reach the supervisor/);
      server = await serve(stateDir, snapshot(manyAgents(1)));
      await waitFor('the link to connect', () => store.getState().connected, 5000);
    } finally {
      link.close();
      await server?.close();
    }
  });
});
