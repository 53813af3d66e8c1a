/**
 * `muster mcp` wired into a real Claude Code by muster's claude preset (docs/presets.md,
 * "mcp"): the CLI runs under a real supervisor in the crew's tmux server, the scripted model
 * loads muster's deferred tool and calls `mcp__muster__checkin`, and muster records the
 * check-in exactly once, with no shell command involved.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { prepareCli, shellCommand } from './cli-env.js';
import { reapMarked } from './driver.js';
import { ModelServer } from './model-server/server.js';

type Status = { agents: { id: string; state: string; activity: string | null; checkin: { message: string | null } }[] };

let p: TestProject;
let server: ModelServer;
const runId = `muster-mcp-${process.pid}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  server = await ModelServer.start();
  p = makeProject('agents-mcp');
  const launch = prepareCli({ cli: 'claude', serverUrl: server.url, projectDir: p.dir, root: path.join(p.dir, '.cli'), runId });
  p.write('muster.yaml', 'pulse: 1s\n');
  p.write(
    'teams/ai.yaml',
    `name: ai
agents:
  cc:
    preset: claude
    run: ${JSON.stringify(shellCommand(launch))}
`,
  );
}, 300_000);

afterAll(async () => {
  await p?.destroy();
  await reapMarked(runId);
  await server?.close();
}, 300_000);

describe('muster mcp in Claude Code', () => {
  it('the model calls muster’s checkin tool and muster records it exactly once', async () => {
    server.script(
      { text: 'Loading the tool.', toolCall: { tool: 'ToolSearch', args: { query: 'select:mcp__muster__checkin' } } },
      { text: 'Checking in.', toolCall: { tool: 'mcp__muster__checkin', args: { message: 'checked in through mcp' } } },
      { text: 'Checked in with muster.' },
    );
    p.write('teams/ai.yaml', fs.readFileSync(path.join(p.dir, 'teams/ai.yaml'), 'utf8').replace('run:', 'prompt: please check in with muster\n    run:'));
    p.headless();
    await waitFor('the supervisor', async () => (await p.status()).supervisor.running, 120_000);
    const mcpFile = path.join(p.dir, '.muster', 'mcp', 'ai.cc.json');
    await waitFor('the per-run MCP config', () => fs.existsSync(mcpFile), 120_000);
    expect(JSON.parse(fs.readFileSync(mcpFile, 'utf8'))).toMatchObject({ mcpServers: { muster: { args: ['mcp'], env: { MUSTER_AGENT: 'ai/cc', MUSTER_DIR: path.join(p.dir, '.muster') } } } });
    const checkin = await waitFor(
      'the check-in through MCP',
      async () => {
        const a = ((await p.status()) as unknown as Status).agents.find((x) => x.id === 'ai/cc');
        return a?.checkin.message === 'checked in through mcp' ? a.checkin : null;
      },
      240_000,
    );
    expect(checkin.message).toBe('checked in through mcp');
    await server.waitForTurn(3);
    expect(JSON.stringify(server.turns()[2]?.body)).toContain('muster: checkin recorded for ai/cc');
    const events = fs
      .readFileSync(path.join(p.dir, '.muster', 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('checked in: checked in through mcp'));
    expect(events).toHaveLength(1);
    expect(server.timesReceived('please check in with muster')).toBe(1);
  });
});
