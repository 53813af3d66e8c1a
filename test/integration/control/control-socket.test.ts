import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MusterError } from '../../../src/errors.js';
import { connectControl, type ControlClient } from '../../../src/supervisor/control/control-client.js';
import { ControlServer, controlSocketPath } from '../../../src/supervisor/control/control-server.js';
import { CONTROL_PROTOCOL, type ControlPush, type StatusView } from '../../../src/supervisor/control/contract.js';
import { handlersWith, notice } from '../../helpers/control.js';
import { findControlSocket } from '../../../src/supervisor/control/socket-path.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-ctl-'));
const children: ChildProcess[] = [];
const servers: ControlServer[] = [];
const clients: ControlClient[] = [];
let stateDir = '';
let n = 0;

beforeEach(() => {
  stateDir = path.join(root, `p${++n}`, '.muster');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});

async function startServer(dir = stateDir, options = {}): Promise<ControlServer> {
  const server = new ControlServer(dir, { tmpDir: root, ...options });
  servers.push(server);
  await server.listen();
  return server;
}

async function connect(dir = stateDir): Promise<ControlClient> {
  const client = await connectControl(dir, { timeoutMs: 5000, tmpDir: root });
  clients.push(client);
  return client;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('requests', () => {
  it('round-trips a command of the contract, and carries errors with hint and exit code', async () => {
    const server = await startServer();
    server.onCommand(
      handlersWith({
        capture: (args) => ({ agent: args.agent, text: `lines ${args.lines}` }),
        nudge: (args) => {
          throw new MusterError(`no agent ${args.agent}`, { hint: 'see `muster status`', exitCode: 2 });
        },
      }),
    );
    const client = await connect();
    expect(await client.request('capture', { agent: 'x/é' })).toEqual({ agent: 'x/é', text: 'lines 0' });
    const err = await client.request('nudge', { agent: 'x/y' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MusterError);
    expect(err).toMatchObject({ message: 'no agent x/y', hint: 'see `muster status`', exitCode: 2 });
  });

  it('answers a request the contract does not allow with an error, never calling a handler', async () => {
    const server = await startServer();
    let called = 0;
    server.onCommand(handlersWith({ stop: () => (called++, { agents: [], survivors: [] }) }));
    const raw = net.connect(controlSocketPath(stateDir, root));
    let got = '';
    raw.setEncoding('utf8').on('data', (d: string) => (got += d));
    await new Promise((r) => raw.once('connect', r));
    const send = (m: object) => raw.write(`${JSON.stringify({ v: CONTROL_PROTOCOL, ...m })}\n`);
    send({ id: 1, cmd: 'stop', args: { agents: 'x/y' } });
    send({ id: 2, cmd: 'stop', args: { agents: [], all: false } });
    send({ id: 3, cmd: 'stop', args: { agents: ['a'], force: true } });
    send({ id: 4, cmd: 'frobnicate' });
    send({ id: 5, cmd: 'constructor' });
    await until(() => got.split('\n').length > 5, 'five replies');
    const replies = got.trim().split('\n').map((l) => JSON.parse(l) as { id: number; ok: boolean; error?: { message: string; exitCode: number } });
    expect(replies.map((r) => [r.id, r.ok, r.error?.exitCode])).toEqual([
      [1, false, 2],
      [2, false, 2],
      [3, false, 2],
      [4, false, 2],
      [5, false, 2],
    ]);
    expect(replies[0]?.error?.message).toBe('bad arguments for "stop": agents: Invalid input: expected array, received string');
    expect(replies[1]?.error?.message).toBe('bad arguments for "stop": name at least one agent, or all');
    expect(replies[3]?.error?.message).toBe('the supervisor does not know the command "frobnicate"');
    expect(called).toBe(0);
    raw.destroy();
  });

  it('a client and a supervisor of different protocol versions each say so clearly', async () => {
    const server = await startServer();
    server.onCommand(handlersWith({ status: () => ({}) as never }));
    // a client of another version
    const raw = net.connect(controlSocketPath(stateDir, root));
    let got = '';
    raw.setEncoding('utf8').on('data', (d: string) => (got += d));
    await new Promise((r) => raw.once('connect', r));
    raw.write(`${JSON.stringify({ v: CONTROL_PROTOCOL + 1, id: 1, cmd: 'status' })}\n`);
    await until(() => got.endsWith('\n'), 'the reply');
    expect(JSON.parse(got)).toMatchObject({
      id: 1,
      ok: false,
      error: { message: `the supervisor speaks control protocol ${CONTROL_PROTOCOL}, this muster control protocol ${CONTROL_PROTOCOL + 1}` },
    });
    raw.destroy();
    await server.close();

    // a supervisor of another version (one that answers without a version, as before versions existed)
    fs.mkdirSync(stateDir, { recursive: true });
    const old = net.createServer((socket) => {
      socket.on('data', (d) => {
        const req = JSON.parse(d.toString()) as { id: number };
        socket.write(`${JSON.stringify({ id: req.id, ok: true, result: {} })}\n`);
      });
    });
    await new Promise<void>((r) => old.listen(controlSocketPath(stateDir, root), r));
    try {
      const client = await connect();
      const err = await client.request('status').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MusterError);
      expect(err).toMatchObject({
        message: `the supervisor speaks an older control protocol, this muster control protocol ${CONTROL_PROTOCOL}`,
        hint: expect.stringContaining('another version of muster'),
      });
    } finally {
      await new Promise((r) => old.close(r));
    }
  });

  it('matches many concurrent requests to their replies by id', async () => {
    const server = await startServer();
    server.onCommand(
      handlersWith({
        capture: async (args) => {
          await new Promise((r) => setTimeout(r, (args.lines * 7) % 13)); // replies come back out of order
          return { agent: args.agent, text: String(args.lines * 2) };
        },
      }),
    );
    const [a, b] = [await connect(), await connect()];
    const ks = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(ks.map((k) => (k % 2 ? a : b).request('capture', { agent: 'a/b', lines: k })));
    expect(results.map((r) => Number(r.text))).toEqual(ks.map((k) => k * 2));
  });

  it('gives up on a request not answered within its timeout', async () => {
    const server = await startServer();
    server.onCommand(handlersWith({ status: () => new Promise(() => {}) }));
    const client = await connect();
    await expect(client.request('status', undefined, { timeoutMs: 100 })).rejects.toThrow('the supervisor did not answer `status` within 100 ms');
  });

  it('rejects pending requests when the server goes away', async () => {
    const server = await startServer();
    server.onCommand(handlersWith({ status: () => new Promise(() => {}) })); // never answers
    const client = await connect();
    let closedWith: unknown = 'not closed';
    client.onClose((e) => (closedWith = e));
    const pending = client.request('status');
    await until(() => server.clientCount === 1, 'the connection');
    await server.close();
    await expect(pending).rejects.toThrow('the supervisor closed the connection');
    expect(closedWith).toBeInstanceOf(MusterError);
  });

  it('drops a client that sends more than 4 MiB without a newline', async () => {
    await startServer();
    const raw = net.connect(controlSocketPath(stateDir, root));
    let got = '';
    raw.setEncoding('utf8').on('data', (d: string) => (got += d));
    raw.on('error', () => {});
    const closed = new Promise((r) => raw.once('close', r));
    raw.write(Buffer.alloc(4 * 1024 * 1024 + 1, 0x61));
    await closed;
    expect(JSON.parse(got.split('\n')[0] ?? '')).toMatchObject({ id: -1, ok: false, error: { message: expect.stringContaining('longer than') } });
  });
});

describe('subscriptions', () => {
  it('pushes the snapshot on subscribe and then every broadcast, only to subscribers', async () => {
    const server = await startServer();
    const snap = { version: 1, project: '/p', socket: 's', supervisor: { running: true, pid: 1 }, system: null, agents: [], handoffs: [] } satisfies StatusView;
    server.onSubscribe((c) => c.send({ type: 'snapshot', snapshot: snap }));
    const sub = await connect();
    // A raw client that never subscribes: everything it receives is recorded.
    const other = net.connect(controlSocketPath(stateDir, root));
    let otherGot = '';
    other.setEncoding('utf8').on('data', (d: string) => (otherGot += d));
    await new Promise((r) => other.once('connect', r));
    const got: ControlPush[] = [];
    await sub.subscribe((m) => got.push(m));
    for (let i = 1; i <= 3; i++) server.broadcast({ type: 'event', event: notice(`e${i}`) });
    await until(() => got.length === 4, 'the pushes');
    expect(got).toEqual([
      { v: CONTROL_PROTOCOL, type: 'snapshot', snapshot: snap },
      { v: CONTROL_PROTOCOL, type: 'event', event: notice('e1') },
      { v: CONTROL_PROTOCOL, type: 'event', event: notice('e2') },
      { v: CONTROL_PROTOCOL, type: 'event', event: notice('e3') },
    ]);
    other.write(`{"v":${CONTROL_PROTOCOL},"id":7,"cmd":"unsubscribe"}\n`); // its reply comes after anything broadcast before
    await until(() => otherGot.endsWith('\n'), 'the reply');
    expect(otherGot).toBe(`{"v":${CONTROL_PROTOCOL},"id":7,"ok":true,"result":null}\n`);
    other.destroy();
  });

  it('drops a subscriber that never reads, without its backlog growing past the limit', async () => {
    const limit = 1024 * 1024;
    const server = await startServer(stateDir, { maxBufferedBytes: limit });
    const fast = await connect();
    let fastCount = 0;
    await fast.subscribe(() => fastCount++);

    const slow = net.connect(controlSocketPath(stateDir, root));
    slow.on('error', () => {});
    await new Promise((r) => slow.once('connect', r));
    slow.write(`{"v":${CONTROL_PROTOCOL},"id":1,"cmd":"subscribe"}\n`);
    slow.pause(); // never reads: the kernel buffer fills, then the server's
    await until(() => server.clientCount === 2, 'the slow client');
    await new Promise((r) => setTimeout(r, 50)); // let the subscribe be handled

    const message = { type: 'event' as const, event: notice('z'.repeat(64 * 1024)) };
    const size = JSON.stringify(message).length + 1;
    let sent = 0;
    let maxBuffered = 0;
    while (server.clientCount === 2 && sent < 2000) {
      server.broadcast(message);
      sent++;
      maxBuffered = Math.max(maxBuffered, server.bufferedBytes());
      await new Promise((r) => setImmediate(r)); // lets the fast client read
    }
    expect(server.clientCount).toBe(1); // the slow one was dropped
    expect(sent).toBeLessThan(2000);
    expect(maxBuffered).toBeLessThanOrEqual(2 * limit + 2 * size); // slow (≤ limit) + fast (≤ limit)
    server.broadcast({ type: 'event', event: notice('last') });
    await until(() => fastCount === sent + 1, 'the fast client to get everything');
    slow.destroy();
  });
});

describe('socket file', () => {
  it('is owner-only, and removed on close', async () => {
    const server = await startServer();
    const file = path.join(stateDir, 'control.sock');
    expect(server.socketPath).toBe(file);
    const st = fs.statSync(file);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.close();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('falls back to a private temp folder when the state folder path is too long', async () => {
    const deep = path.join(root, 'x'.repeat(60), 'y'.repeat(60), '.muster');
    expect(controlSocketPath(deep, root).startsWith(path.join(root, `muster-${process.getuid!()}`))).toBe(true);
    const server = await startServer(deep);
    const file = server.socketPath;
    expect(Buffer.byteLength(file)).toBeLessThanOrEqual(107);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(deep, 'control.path'), 'utf8').trim()).toBe(file);
    // A client whose TMPDIR differs still finds it through control.path.
    expect(findControlSocket(deep, path.join(root, 'elsewhere'))).toBe(file);
    server.onCommand(handlersWith({ nudge: () => ({ agents: ['pong'] }) }));
    expect(await (await connect(deep)).request('nudge', { agent: 'a' })).toEqual({ agents: ['pong'] });
    await server.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.join(deep, 'control.path'))).toBe(false);
  });

  it('replaces a stale socket left by a killed server', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    const file = controlSocketPath(stateDir, root);
    const code = `require('net').createServer().listen(${JSON.stringify(file)}, () => console.log('up'))`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise((r) => child.stdout!.once('data', r));
    // While it is alive, a second server must refuse to start.
    await expect(startServer()).rejects.toThrow(/already answers/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.statSync(file).isSocket()).toBe(true); // left behind
    await expect(connect()).rejects.toThrow('no supervisor is running for this project');

    const server = await startServer();
    server.onCommand(handlersWith({ nudge: () => ({ agents: ['fresh'] }) }));
    expect(await (await connect()).request('nudge', { agent: 'a' })).toEqual({ agents: ['fresh'] });
  });

  it('refuses to remove a file that is not a socket', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'control.sock'), 'mine');
    await expect(startServer()).rejects.toThrow(/is not a socket/);
    expect(fs.readFileSync(path.join(stateDir, 'control.sock'), 'utf8')).toBe('mine');
  });

  it('says clearly when no supervisor is running', async () => {
    const err = await connectControl(stateDir, { tmpDir: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MusterError);
    expect(err).toMatchObject({ message: 'no supervisor is running for this project', hint: 'start one with `muster up`', exitCode: 1 });
  });
});
