import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MusterError } from '../../../src/errors.js';
import { connectControl, type ControlClient } from '../../../src/supervisor/control/control-client.js';
import { ControlServer, controlSocketPath } from '../../../src/supervisor/control/control-server.js';
import type { ControlPush } from '../../../src/supervisor/control/protocol.js';
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
  it('round-trips a command, and carries errors with hint and exit code', async () => {
    const server = await startServer();
    server.onCommand(async (cmd, args) => {
      if (cmd === 'echo') return { got: args };
      if (cmd === 'void') return undefined;
      throw new MusterError(`no agent ${String((args as { agent?: string }).agent)}`, { hint: 'see `muster status`', exitCode: 2 });
    });
    const client = await connect();
    expect(await client.request('echo', { a: [1, 'é'] })).toEqual({ got: { a: [1, 'é'] } });
    expect(await client.request('void')).toBeNull();
    const err = await client.request('stop', { agent: 'x/y' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MusterError);
    expect(err).toMatchObject({ message: 'no agent x/y', hint: 'see `muster status`', exitCode: 2 });
  });

  it('answers an unknown command with an error when no handler is set', async () => {
    await startServer();
    const client = await connect();
    await expect(client.request('nope')).rejects.toThrow('unknown command: nope');
  });

  it('matches many concurrent requests to their replies by id', async () => {
    const server = await startServer();
    server.onCommand(async (_cmd, args) => {
      const k = args as number;
      await new Promise((r) => setTimeout(r, (k * 7) % 13)); // replies come back out of order
      return k * 2;
    });
    const [a, b] = [await connect(), await connect()];
    const ks = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(ks.map((k) => (k % 2 ? a : b).request<number>('double', k)));
    expect(results).toEqual(ks.map((k) => k * 2));
  });

  it('rejects pending requests when the server goes away', async () => {
    const server = await startServer();
    server.onCommand(() => new Promise(() => {})); // never answers
    const client = await connect();
    let closedWith: unknown = 'not closed';
    client.onClose((e) => (closedWith = e));
    const pending = client.request('hang');
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
    server.onSubscribe((c) => c.send({ type: 'snapshot', snapshot: { n: 0 } }));
    const sub = await connect();
    // A raw client that never subscribes: everything it receives is recorded.
    const other = net.connect(controlSocketPath(stateDir, root));
    let otherGot = '';
    other.setEncoding('utf8').on('data', (d: string) => (otherGot += d));
    await new Promise((r) => other.once('connect', r));
    const got: ControlPush[] = [];
    await sub.subscribe((m) => got.push(m));
    for (let i = 1; i <= 3; i++) server.broadcast({ type: 'event', event: { i } });
    await until(() => got.length === 4, 'the pushes');
    expect(got).toEqual([
      { type: 'snapshot', snapshot: { n: 0 } },
      { type: 'event', event: { i: 1 } },
      { type: 'event', event: { i: 2 } },
      { type: 'event', event: { i: 3 } },
    ]);
    other.write('{"id":7,"cmd":"unsubscribe"}\n'); // its reply comes after anything broadcast before
    await until(() => otherGot.endsWith('\n'), 'the reply');
    expect(otherGot).toBe('{"id":7,"ok":true,"result":null}\n');
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
    slow.write('{"id":1,"cmd":"subscribe"}\n');
    slow.pause(); // never reads: the kernel buffer fills, then the server's
    await until(() => server.clientCount === 2, 'the slow client');
    await new Promise((r) => setTimeout(r, 50)); // let the subscribe be handled

    const message = { type: 'event' as const, event: { pad: 'z'.repeat(64 * 1024) } };
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
    expect(maxBuffered).toBeLessThanOrEqual(2 * limit + size); // slow (≤ limit) + fast (≤ limit)
    server.broadcast({ type: 'event', event: { last: true } });
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
    server.onCommand(() => 'pong');
    expect(await (await connect(deep)).request('ping')).toBe('pong');
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
    server.onCommand(() => 'fresh');
    expect(await (await connect()).request('x')).toBe('fresh');
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
