/**
 * The control-mode client and the quoting against a real tmux server on a
 * socket of its own (killed in afterAll).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../../src/tmux/control-client.js';
import type { ControlNotification } from '../../../src/tmux/control-protocol.js';
import { TmuxClientClosedError, TmuxCommandError, TmuxError } from '../../../src/tmux/errors.js';
import { cleanEnv, killTestServer, tmuxOn, uniqueSocket, waitFor } from '../../helpers/tmux.js';

const socket = uniqueSocket('ctl');
let dir: string;
let client: ControlClient;
const notes: ControlNotification[] = [];

function startClient(): Promise<ControlClient> {
  return ControlClient.start({ tmuxBin: 'tmux', args: ['-L', socket, '-f', '/dev/null', '-C', 'attach-session', '-t', '=main'], env: cleanEnv() });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muster-ctl-'));
  const started = await tmuxOn(socket, ['new-session', '-d', '-s', 'main', '-x', '80', '-y', '24', '/bin/sh', '-c', 'sleep 600']);
  expect(started.code).toBe(0);
  client = await startClient();
  client.on('notification', (n) => notes.push(n));
});

afterAll(async () => {
  await client?.close();
  await killTestServer(socket);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const nasty = [
  'plain',
  'two words',
  "it's 'quoted'",
  '"double" and \\"escaped\\"',
  'semi;colon ; spaced ;',
  '# not a comment',
  '#{pane_id} #(echo no) ##',
  '$HOME ${HOME} $(echo no) `echo no`',
  '~ ~/path ~root',
  'line one\nline two\n',
  'tab\there\r\ncrlf',
  'back\\slash \\n \\012 \\',
  '{ braces } %if %endif',
  '-starts-with-dash',
  '--',
  'é ü 中文 🙂',
  'ctl \u0001 \u001b[1m esc',
  "'",
  "''''",
  '\\',
  ';',
];

describe('ControlClient', () => {
  it('answers a command with its output lines', async () => {
    expect(await client.run(['display-message', '-p', 'hello #{session_name}'])).toEqual(['hello main']);
  });

  it.each(nasty.map((s) => [JSON.stringify(s), s]))('quoting keeps %s intact through tmux', async (_label, value) => {
    const file = path.join(dir, `buf-${nasty.indexOf(value)}`);
    await client.runLine([
      ['set-buffer', '-b', 'q', '--', value],
      ['save-buffer', '-b', 'q', file],
    ]);
    expect(await readFile(file, 'utf8')).toBe(value);
  });

  it.each(['', "a 'b' \"c\" ; #d $e ~f"])('quoting keeps the pane option value %j intact', async (value) => {
    await client.run(['set-option', '-p', '-t', 'main:', '@muster_test', value]);
    expect(await client.run(['display-message', '-p', '-t', 'main:', '[#{@muster_test}]'])).toEqual([`[${value}]`]);
  });

  it('pipelines many commands and matches every reply to its command', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => client.run(['display-message', '-p', `n=${i}`])));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => [`n=${i}`]));
  });

  it('rejects a failing command with tmux message, and the next commands still work', async () => {
    const bad = client.run(['kill-pane', '-t', '%99999']);
    const good = client.run(['display-message', '-p', 'after']);
    const err = await bad.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TmuxCommandError);
    expect(err).toBeInstanceOf(TmuxError);
    expect((err as TmuxCommandError).tmuxMessage).toMatch(/can't find pane/);
    expect(await good).toEqual(['after']);
  });

  it('returns the output of each command of a line, and rejects the line at the first error', async () => {
    expect(await client.runLine([['display-message', '-p', 'a'], ['display-message', '-p', 'b']])).toEqual([['a'], ['b']]);
    const line = client.runLine([['display-message', '-p', 'x'], ['kill-pane', '-t', '%99999'], ['display-message', '-p', 'never']]);
    const next = client.run(['display-message', '-p', 'next']);
    await expect(line).rejects.toBeInstanceOf(TmuxCommandError);
    expect(await next).toEqual(['next']);
    await expect(client.runLine([['display-message', '-p', 'x'], ['no-such-command']])).rejects.toThrow(/unknown command/);
    expect(await client.run(['display-message', '-p', 'still fine'])).toEqual(['still fine']);
  });

  it('reads command output that starts with % but is no well-formed notification as output', async () => {
    const text = '%end 1 1 1\n%outputs %1 x\n%window-add foo\n%begin 1 2 3\n%% 100%';
    await client.run(['set-buffer', '-b', 'pct', '--', text]);
    expect(await client.run(['show-buffer', '-b', 'pct'])).toEqual(text.split('\n'));
  });

  it('turns pane output off unless asked for', async () => {
    const clients = await client.run(['list-clients', '-F', '#{client_pid} #{client_flags}']);
    expect(clients.find((l) => l.startsWith(`${client.pid} `))).toMatch(/no-output/);
  });

  it('emits notifications', async () => {
    await client.run(['rename-window', '-t', 'main:', 'renamed']);
    await waitFor('a window-renamed notification', () => notes.find((n) => n.name === 'window-renamed' && n.rest.endsWith('renamed')));
  });

  it('rejects pending and later commands once the client exits', async () => {
    const other = await startClient();
    const exited = new Promise<string>((resolve) => other.once('exit', resolve));
    const pending = other.run(['display-message', '-p', 'x']);
    const closing = other.close();
    await pending.catch(() => undefined); // answered or rejected, depending on timing
    await closing;
    expect(other.closed).toBe(true);
    expect(await exited).toBeTruthy();
    await expect(other.run(['display-message', '-p', 'x'])).rejects.toBeInstanceOf(TmuxClientClosedError);
  });

  it('fails to start with a typed error when the session does not exist', async () => {
    const err = await ControlClient.start({ tmuxBin: 'tmux', args: ['-L', socket, '-f', '/dev/null', '-C', 'attach-session', '-t', '=nope'], env: cleanEnv() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TmuxError);
    expect((err as Error).message).toMatch(/can't find session/);
  });
});

describe('a tmux server that stops answering', () => {
  it('fails the command after commandTimeoutMs and closes the client, instead of waiting forever', async () => {
    const stuckSocket = uniqueSocket('stuck');
    expect((await tmuxOn(stuckSocket, ['new-session', '-d', '-s', 'main', '/bin/sh', '-c', 'sleep 600'])).code).toBe(0);
    const pid = Number((await tmuxOn(stuckSocket, ['display-message', '-p', '#{pid}'])).stdout.trim());
    const c = await ControlClient.start({
      tmuxBin: 'tmux',
      args: ['-L', stuckSocket, '-f', '/dev/null', '-C', 'attach-session', '-t', '=main'],
      env: cleanEnv(),
      commandTimeoutMs: 500,
    });
    const exits: string[] = [];
    c.on('exit', (reason) => exits.push(reason));
    process.kill(pid, 'SIGSTOP'); // our own test server, stopped: it cannot answer
    try {
      await expect(c.run(['display-message', '-p', 'x'])).rejects.toThrow(/did not answer `display-message -p x` within 500 ms/);
      await waitFor('the client closed', () => c.closed);
      expect(exits[0]).toMatch(/did not answer/);
      await expect(c.run(['display-message', '-p', 'y'])).rejects.toBeInstanceOf(TmuxClientClosedError);
    } finally {
      process.kill(pid, 'SIGCONT');
      await killTestServer(stuckSocket);
    }
  });
});
