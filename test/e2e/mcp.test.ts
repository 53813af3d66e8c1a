/**
 * `muster mcp` driven by the MCP SDK's own client over stdio (docs/commands.md, "muster
 * mcp"): the real binary, a real headless supervisor on its own tmux server. Each tool call
 * is recorded exactly like the CLI command — a check-in made while no supervisor runs waits
 * in the inbox and is taken when one starts — and a handoff to an unknown agent is a tool
 * error the agent can read, with nothing recorded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/tmux.js';
import { MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';

type Status = {
  agents: { id: string; state: string; checkin: { message: string | null } }[];
  handoffs: { from: string; to: string; message: string; state: string }[];
};
type CallResult = { content: { type: string; text: string }[]; isError?: boolean };

let p: TestProject;
let client: Client;

const status = async () => (await p.status()) as unknown as Status;
const inboxFiles = () => fs.readdirSync(path.join(p.dir, '.muster', 'inbox')).filter((f) => f.endsWith('.json'));
const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallResult;

beforeAll(async () => {
  p = makeProject('mcp');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/mc.yaml',
    `name: mc
agents:
  lead:
    checkin: { every: 10m }
    run: exec sleep 600
  dev:
    run: exec sleep 600
`,
  );
  p.write('notes.md', 'the plan\n');
  const env = cleanEnv({ MUSTER_AGENT: 'mc/lead', MUSTER_DIR: path.join(p.dir, '.muster') }) as Record<string, string>;
  client = new Client({ name: 'muster-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [MAIN, 'mcp'], env, cwd: p.dir, stderr: 'pipe' }));
}, 180_000);

afterAll(async () => {
  await client?.close();
  await p.destroy();
}, 180_000);

describe('muster mcp', () => {
  it('offers checkin, handoff, done and crew_status', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['checkin', 'crew_status', 'done', 'handoff']);
    expect(tools.find((t) => t.name === 'handoff')?.inputSchema.required).toEqual(['to', 'message']);
  });

  it('a check-in while no supervisor runs waits in the inbox and is taken once one starts', async () => {
    const r = await call('checkin', { message: 'before the supervisor' });
    expect(r.isError).toBeFalsy();
    expect(r.content[0]?.text).toBe('muster: checkin recorded for mc/lead');
    expect(inboxFiles()).toHaveLength(1);
    p.headless();
    await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
    await waitFor('the check-in taken', async () => (await status()).agents.find((a) => a.id === 'mc/lead')?.checkin.message === 'before the supervisor');
    await waitFor('the inbox emptied', () => inboxFiles().length === 0);
  });

  it('a handoff is recorded once and shown, like `muster handoff`', async () => {
    const r = await call('handoff', { to: 'dev', message: 'build the page', file: 'notes.md' });
    expect(r.isError).toBeFalsy();
    expect(r.content[0]?.text).toBe('muster: handoff recorded for mc/lead → dev');
    const hs = await waitFor('the handoff shown', async () => {
      const h = (await status()).handoffs;
      return h.length > 0 ? h : null;
    });
    expect(hs).toHaveLength(1);
    expect(hs[0]).toMatchObject({ from: 'mc/lead', to: 'mc/dev', message: 'build the page' });
  });

  it('a handoff to an unknown agent is a readable tool error and records nothing', async () => {
    const before = fs.readdirSync(path.join(p.dir, '.muster', 'inbox'), { recursive: true }).length;
    const r = await call('handoff', { to: 'ghost', message: 'boo' });
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/^muster: no agent "ghost" in this crew: nothing was recorded\nhint: Hand off to one of: mc\/dev\.$/);
    expect(fs.readdirSync(path.join(p.dir, '.muster', 'inbox'), { recursive: true }).length).toBe(before);
    expect((await status()).handoffs).toHaveLength(1);
    const outside = await call('handoff', { to: 'dev', message: 'x', file: '/etc/hostname' });
    expect(outside.isError).toBe(true);
    expect(outside.content[0]?.text).toMatch(/outside the project/);
  });

  it('crew_status shows the crew as the agent may see it; done is recorded', async () => {
    const r = await call('crew_status');
    const crew = JSON.parse(r.content[0]?.text ?? '{}') as { you: string; supervisor: string; agents: { id: string; checkin: string | null }[]; handoffs: unknown[] };
    expect(crew.you).toBe('mc/lead');
    expect(crew.supervisor).toBe('running');
    expect(crew.agents.map((a) => a.id).sort()).toEqual(['mc/dev', 'mc/lead']);
    expect(crew.handoffs).toHaveLength(1);
    const d = await call('done', { message: 'all finished' });
    expect(d.content[0]?.text).toBe('muster: done recorded for mc/lead');
    await waitFor('lead done', async () => (await status()).agents.find((a) => a.id === 'mc/lead')?.state === 'done');
  });
});
