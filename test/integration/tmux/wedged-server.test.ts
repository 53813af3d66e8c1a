/**
 * A crew tmux server that takes our control client and then stops answering it: killed
 * while our client cannot read (here: stopped), tmux is exiting but waits for that client,
 * refusing every other one ("server exited unexpectedly"). The command times out, the
 * client is closed, the old server can end, and a new `open()` brings up a fresh server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrewServer } from '../../../src/tmux/crew-server.js';
import { killTestServer, serverAnswers, tmuxOn, uniqueSocket, waitFor } from '../../helpers/tmux.js';

const socket = uniqueSocket('wedge');
const server = new CrewServer({ socketName: socket, commandTimeoutMs: 1000 });

afterAll(async () => {
  await server.close();
  if (await serverAnswers(socket)) await killTestServer(socket);
});

describe('a tmux server that stops answering our client', () => {
  it('times out, closes the client, and a new open() starts a fresh server', async () => {
    await server.open();
    const oldPid = await server.serverPid();
    const exits: string[] = [];
    server.on('clientExit', (reason) => exits.push(reason));
    const client = server.clientPid as number;
    expect(client).toBeGreaterThan(0);
    process.kill(client, 'SIGSTOP'); // our own control client cannot read its exit message
    await tmuxOn(socket, ['kill-server']); // our own server: now exiting, waiting for that client
    expect((await tmuxOn(socket, ['list-sessions'])).stderr).toMatch(/exited unexpectedly|no server/);

    await expect(server.run(['display-message', '-p', 'x'])).rejects.toThrow(/did not answer/);
    await waitFor('the client exit', () => exits.length > 0, 10_000);

    await server.open();
    const newPid = await server.serverPid();
    expect(newPid).not.toBeNull();
    expect(newPid).not.toBe(oldPid);
    expect(await server.run(['display-message', '-p', 'alive'])).toEqual(['alive']);
  });
});
