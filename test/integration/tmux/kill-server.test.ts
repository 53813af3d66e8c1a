/**
 * killServer stops only the crew's own server, waits for it to be gone, and
 * leaves any other tmux server alone. Sockets of their own, killed in afterAll.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CrewServer } from '../../../src/tmux/crew-server.js';
import { alive, killTestServer, serverAnswers, tmuxOn, uniqueSocket, waitFor } from '../../helpers/tmux.js';

const crewSocket = uniqueSocket('kill');
const bystanderSocket = uniqueSocket('bystander');
const server = new CrewServer({ socketName: crewSocket });
const team = { name: 'solo', windows: [{ name: 'one', layout: null, panes: [{ agentId: 'solo/one', title: 'one' }] }] };

beforeAll(async () => {
  const started = await tmuxOn(bystanderSocket, ['new-session', '-d', '-s', 'mine', '/bin/sh', '-c', 'sleep 600']);
  expect(started.code).toBe(0);
});

afterAll(async () => {
  await server.close();
  await killTestServer(crewSocket);
  await killTestServer(bystanderSocket);
});

it('kills the crew server and its panes, waits until gone, and spares a bystander server', async () => {
  await server.open();
  const ids = await server.ensureTeam(team);
  const { pid: panePid } = await server.launch(ids.get('solo/one') as string, {
    command: ['sleep', '600'], cwd: tmpdir(), env: {}, attempt: '1', logFile: path.join(tmpdir(), `${crewSocket}.log`),
  });
  const serverPid = await server.serverPid();
  expect(serverPid).toBeGreaterThan(0);
  const bystanderPid = Number((await tmuxOn(bystanderSocket, ['display-message', '-p', '#{pid}'])).stdout.trim());

  const exits: string[] = [];
  server.on('clientExit', (reason) => exits.push(reason));
  await server.killServer();

  expect(alive(serverPid as number)).toBe(false);
  expect(await CrewServer.probe(crewSocket)).toBe(false);
  expect(await server.serverPid()).toBeNull();
  expect(server.isOpen).toBe(false);
  expect(exits).toHaveLength(1);
  await waitFor('the pane process to end with its server', () => !alive(panePid));

  expect(await serverAnswers(bystanderSocket)).toBe(true);
  expect(alive(bystanderPid)).toBe(true);
});

it('can start a fresh server on the same socket right after the kill', async () => {
  await server.open();
  const ids = await server.ensureTeam(team);
  const panes = await server.listPanes();
  expect(panes.filter((p) => p.sessionName === 'solo').map((p) => p.paneId)).toEqual([ids.get('solo/one')]);
  expect(panes.some((p) => p.sessionName === '_muster')).toBe(true);
  await server.killServer();
  await server.killServer(); // nothing left to kill: still fine
  expect(await serverAnswers(crewSocket)).toBe(false);
  expect(await serverAnswers(bystanderSocket)).toBe(true);
});

it('gives the command line to run tmux on the crew socket by hand', async () => {
  await server.open();
  const cmd = server.tmuxCommand(['display-message', '-p', '#{socket_path}']);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(cmd.file, cmd.args, { env: cmd.env }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  expect(out.trim()).toBe(server.socketPath());
  expect(cmd.env.TMUX).toBeUndefined();
  expect((await server.exec(['list-sessions', '-F', '#{session_name}'])).split('\n')).toContain('_muster');
});
