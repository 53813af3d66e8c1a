/**
 * CrewServer against a real tmux server on a socket of its own (killed in afterAll).
 */
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrewServer } from '../../../src/tmux/crew-server.js';
import { TmuxCommandError, TmuxError } from '../../../src/tmux/errors.js';
import type { PaneDeath } from '../../../src/tmux/pane-format.js';
import type { TeamLayout } from '../../../src/tmux/team-plan.js';
import { alive, killTestServer, serverAnswers, tmuxOn, uniqueSocket, waitFor } from '../../helpers/tmux.js';

const socket = uniqueSocket('crew');
let dir: string;
let server: CrewServer;
const deaths: PaneDeath[] = [];

const team: TeamLayout = {
  name: 'web',
  windows: [
    { name: 'PM', layout: null, panes: [{ agentId: 'web/pm', title: 'the pm' }] },
    {
      name: 'Work',
      layout: 'tiled',
      panes: [
        { agentId: 'web/a', title: 'a' },
        { agentId: 'web/b', title: 'b' },
        { agentId: 'web/c', title: 'c' },
      ],
    },
    { name: 'Server', layout: 'main-vertical', panes: [{ agentId: 'web/server', title: 'server' }] },
  ],
};
let ids: Map<string, string>;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'muster-tmux-')));
  // The caller runs inside someone's tmux and Claude Code: none of it may reach the crew.
  server = new CrewServer({
    socketName: socket,
    env: { ...process.env, TMUX: '/tmp/users-own-tmux,999,0', TMUX_PANE: '%999', CLAUDECODE: '1' },
  });
  server.on('paneDied', (_paneId, _status, death) => deaths.push(death));
  await server.open();
  ids = await server.ensureTeam(team);
});

afterAll(async () => {
  await server?.close();
  await killTestServer(socket);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function launchOpts(over: Partial<Parameters<CrewServer['launch']>[1]> = {}): Parameters<CrewServer['launch']>[1] {
  return { command: ['/bin/sh', '-c', 'true'], cwd: dir, env: {}, attempt: '1', logFile: path.join(dir, 'logs', 'x.log'), ...over };
}

describe('CrewServer', () => {
  it('starts its server with an anchor session and knows its socket and pid', async () => {
    expect(await CrewServer.probe(socket)).toBe(true);
    const pid = await server.serverPid();
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid as number)).toBe(true);
    const sessions = await tmuxOn(socket, ['list-sessions', '-F', '#{session_name}']);
    expect(sessions.stdout.split('\n')).toContain('_muster');
    const socketPath = (await tmuxOn(socket, ['display-message', '-p', '#{socket_path}'])).stdout.trim();
    expect(server.socketPath()).toBe(socketPath);
    const remain = (await tmuxOn(socket, ['show-options', '-gv', 'remain-on-exit'])).stdout.trim();
    expect(remain).toBe('on');
    const globalEnv = (await tmuxOn(socket, ['show-environment', '-g'])).stdout.split('\n');
    expect(globalEnv.some((l) => /^(TMUX|TMUX_PANE|CLAUDECODE)=/.test(l))).toBe(false);
    expect(globalEnv.some((l) => l.startsWith('PATH='))).toBe(true);
  });

  it('brings a team up with the right windows, panes, names and options', async () => {
    expect([...ids.keys()].sort()).toEqual(['web/a', 'web/b', 'web/c', 'web/pm', 'web/server']);
    const panes = (await server.listPanes()).filter((p) => p.sessionName === 'web');
    expect(panes).toHaveLength(5);
    for (const [agentId, paneId] of ids) expect(panes.find((p) => p.paneId === paneId)?.agentId).toBe(agentId);
    const windows = new Map<string, string[]>();
    for (const p of panes) windows.set(p.windowName, [...(windows.get(p.windowName) ?? []), p.agentId ?? '?']);
    expect([...windows.keys()]).toEqual(['PM', 'Work', 'Server']);
    expect(windows.get('Work')).toEqual(['web/a', 'web/b', 'web/c']);
    const work = await tmuxOn(socket, ['list-panes', '-t', ids.get('web/a') as string, '-F', '#{pane_title}|#{window_layout}|#{pane_width}x#{pane_height}']);
    const rows = work.stdout.trim().split('\n');
    expect(rows.map((r) => r.split('|')[0])).toEqual(['a', 'b', 'c']);
    // tiled: 3 panes over 200x50 make two side by side on top and the last one spanning the bottom row
    const sizes = rows.map((r) => (r.split('|')[2] as string).split('x').map(Number));
    expect(sizes.map(([w]) => w && w >= 99 && w <= 100)).toEqual([true, true, false]);
    expect(sizes[2]).toEqual([200, 25]);
    const title = await tmuxOn(socket, ['display-message', '-p', '-t', ids.get('web/pm') as string, '#{pane_title}']);
    expect(title.stdout.trim()).toBe('the pm');
  });

  it('shows a placeholder in new panes, which stay visible as dead', async () => {
    const pm = ids.get('web/pm') as string;
    await waitFor('placeholder to exit', async () => (await server.listPanes()).find((p) => p.paneId === pm)?.dead);
    expect(await server.capture(pm)).toContain('muster: web/pm is waiting to start');
  });

  it('creates nothing new when the team is ensured again, and only what is missing', async () => {
    const before = await server.listPanes();
    const again = await server.ensureTeam(team);
    expect(again).toEqual(ids);
    expect(await server.listPanes()).toHaveLength(before.length);

    const bigger: TeamLayout = {
      ...team,
      windows: [...team.windows.slice(0, 2), { ...(team.windows[2] as TeamLayout['windows'][number]), panes: [{ agentId: 'web/server', title: 'server' }, { agentId: 'web/db', title: 'db' }] }, { name: 'Extra', layout: null, panes: [{ agentId: 'web/extra', title: 'extra' }] }],
    };
    const more = await server.ensureTeam(bigger);
    expect(more.get('web/server')).toBe(ids.get('web/server'));
    const after = (await server.listPanes()).filter((p) => p.sessionName === 'web');
    expect(after).toHaveLength(7);
    const db = after.find((p) => p.agentId === 'web/db');
    expect(db?.windowName).toBe('Server');
    expect(after.find((p) => p.agentId === 'web/extra')?.windowName).toBe('Extra');
    expect(await server.killSession('nope')).toBe(false);
  });

  it('launches a command with env and cwd, logs its output, and reports its exit status', async () => {
    const paneId = ids.get('web/a') as string;
    const logFile = path.join(dir, 'logs', 'web', "a's #1.log");
    const cwd = path.join(dir);
    const { pid } = await server.launch(paneId, launchOpts({
      command: ['/bin/sh', '-c', 'echo "cwd=$(pwd)"; echo "FOO=$FOO"; echo "TMUX=$TMUX"; echo "PANE=$TMUX_PANE"; echo "CC=${CLAUDECODE-unset}"; sleep 0.3; exit 7'],
      cwd,
      env: { FOO: 'a b $HOME #{pane_id} ;' },
      attempt: '3',
      logFile,
    }));
    expect(pid).toBeGreaterThan(0);
    const died = await waitFor('the death of the launched command', () => deaths.find((d) => d.paneId === paneId && d.pid === pid));
    expect(died.status).toBe(7);
    const log = await waitFor('the log', async () => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.includes('CC=') ? text : undefined;
    });
    expect(log).toContain(`cwd=${cwd}`);
    expect(log).toContain('FOO=a b $HOME #{pane_id} ;');
    expect(log).toContain(`PANE=${paneId}`);
    expect(log).toContain('CC=unset');
    expect(log).not.toContain('users-own-tmux');
    const info = (await server.listPanes()).find((p) => p.paneId === paneId);
    expect(info).toMatchObject({ dead: true, deadStatus: 7, attempt: '3', panePid: pid });
  });

  it('appends to the log across launches and reports a signal death', async () => {
    const paneId = ids.get('web/b') as string;
    const logFile = path.join(dir, 'logs', 'b.log');
    // Each run stays a moment after its output: tmux 3.3 can close the pane of a process that
    // exits within milliseconds of writing, before the kernel hands it the last bytes.
    await server.launch(paneId, launchOpts({ command: ['/bin/sh', '-c', 'echo first; sleep 0.3'], logFile }));
    await waitFor('first run to end', async () => (await server.listPanes()).find((p) => p.paneId === paneId && p.dead && p.deadStatus === 0));
    const { pid } = await server.launch(paneId, launchOpts({ command: ['/bin/sh', '-c', 'echo second; sleep 0.3; kill -9 $$'], logFile, attempt: '2' }));
    const died = await waitFor('signal death', () => deaths.find((d) => d.paneId === paneId && d.pid === pid));
    expect(died).toMatchObject({ status: null, signal: 9 });
    await waitFor('both runs in the log', async () => /first[\s\S]*second/.test(await readFile(logFile, 'utf8').catch(() => '')));
  });

  it('runs a one-element command without word splitting, and kills a live process on relaunch', async () => {
    const paneId = ids.get('web/c') as string;
    const { pid } = await server.launch(paneId, launchOpts({ command: ['sleep 30'] }));
    await waitFor('exec failure of "sleep 30" as one word', async () => (await server.listPanes()).find((p) => p.paneId === paneId && p.dead && p.deadStatus === 127));
    expect(pid).toBeGreaterThan(0);
    const long = await server.launch(paneId, launchOpts({ command: ['sleep', '30'], attempt: '2' }));
    expect(alive(long.pid)).toBe(true);
    const next = await server.launch(paneId, launchOpts({ command: ['sleep', '30'], attempt: '3' }));
    await waitFor('the old process to be killed', () => !alive(long.pid));
    expect(next.pid).not.toBe(long.pid);
    await server.launch(paneId, launchOpts({ command: ['/bin/sh', '-c', 'exit 0'], attempt: '4' }));
  });

  it('refuses a missing working directory and an unknown pane', async () => {
    await expect(server.launch(ids.get('web/c') as string, launchOpts({ cwd: path.join(dir, 'missing') }))).rejects.toThrow(/does not exist/);
    await expect(server.launch('%9999', launchOpts())).rejects.toBeInstanceOf(TmuxCommandError);
    await expect(server.launch('web/c', launchOpts())).rejects.toBeInstanceOf(TmuxError);
  });

  it('pastes text and keys into a reading process and reads it back', async () => {
    const paneId = ids.get('web/pm') as string;
    await server.launch(paneId, launchOpts({ command: ['/bin/sh', '-c', 'while read l; do echo "got:$l"; done'] }));
    await server.pasteText(paneId, "hello 'world' $HOME ; #x");
    await server.sendKeys(paneId, ['Enter']);
    await waitFor('the echo of one line', async () => (await server.capture(paneId)).includes("got:hello 'world' $HOME ; #x"));
    await server.pasteText(paneId, 'line one\nline two\n');
    await waitFor('the echo of two lines', async () => {
      const screen = await server.capture(paneId, { lines: 100 });
      return screen.includes('got:line one') && screen.includes('got:line two');
    });
    const buffers = await tmuxOn(socket, ['list-buffers', '-F', '#{buffer_name}']);
    expect(buffers.stdout).not.toContain('muster-paste');
    await server.sendKeys(paneId, ['C-c']);
    await waitFor('C-c to end the loop', async () => (await server.listPanes()).find((p) => p.paneId === paneId)?.dead);
  });

  it('captures history lines', async () => {
    const paneId = ids.get('web/server') as string;
    await server.launch(paneId, launchOpts({ command: ['/bin/sh', '-c', 'i=0; while [ $i -lt 120 ]; do i=$((i+1)); echo "row $i"; done; exec sleep 60'] }));
    await waitFor('output', async () => (await server.capture(paneId)).includes('row 120'));
    const screen = await server.capture(paneId);
    expect(screen).not.toContain('row 1\n');
    const withHistory = await server.capture(paneId, { lines: 200 });
    expect(withHistory).toContain('row 1\n');
  });

  it('resizes a window', async () => {
    const info = (await server.listPanes()).find((p) => p.paneId === ids.get('web/server'));
    await server.resize(info?.windowId as string, { cols: 120, rows: 40 });
    const size = await tmuxOn(socket, ['display-message', '-p', '-t', info?.windowId as string, '#{window_width}x#{window_height}']);
    expect(size.stdout.trim()).toBe('120x40');
  });

  it('reports pane deaths and removals as they happen (a subscription)', async () => {
    expect(server.reportsPaneChanges).toBe(true);
    const gone: string[] = [];
    server.on('paneGone', (paneId) => gone.push(paneId));
    const out = await tmuxOn(socket, ['new-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=web', 'sleep 600']);
    const paneId = out.stdout.trim();
    await waitFor('the new pane in the subscription', async () => (await server.listPanes()).some((p) => p.paneId === paneId));
    await new Promise((r) => setTimeout(r, 1200)); // subscriptions are sent at most once a second
    expect((await tmuxOn(socket, ['kill-pane', '-t', paneId])).code).toBe(0);
    await waitFor('paneGone', () => gone.includes(paneId), 10_000);
  });

  it('keeps the server and panes when the control client closes, and reconnects', async () => {
    await server.close();
    expect(server.isOpen).toBe(false);
    await expect(server.listPanes()).rejects.toBeInstanceOf(TmuxError);
    expect(await CrewServer.probe(socket)).toBe(true);
    expect(await server.exec(['display-message', '-p', '#{session_name}'])).toBeTruthy();
    await server.open({ start: false });
    const again = await server.ensureTeam(team);
    expect(again).toEqual(ids);
  });

  it('recreates the anchor session when it was killed by hand', async () => {
    await server.close();
    expect((await tmuxOn(socket, ['kill-session', '-t', '=_muster'])).code).toBe(0);
    await server.open({ start: false });
    const sessions = (await tmuxOn(socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n');
    expect(sessions).toContain('_muster');
    expect(await server.ensureTeam(team)).toEqual(ids);
  });

  it('kills a session by its exact name', async () => {
    await tmuxOn(socket, ['new-session', '-d', '-s', 'webby', '/bin/sh', '-c', 'sleep 30']);
    expect(await server.killSession('web')).toBe(true);
    const sessions = (await tmuxOn(socket, ['list-sessions', '-F', '#{session_name}'])).stdout.split('\n');
    expect(sessions).toContain('webby');
    expect(sessions).not.toContain('web');
  });

  it('open({ start: false }) does not start a missing server', async () => {
    const other = new CrewServer({ socketName: uniqueSocket('none') });
    await expect(other.open({ start: false })).rejects.toThrow(/not running/);
    expect(await serverAnswers(other.socketName)).toBe(false);
  });
});
