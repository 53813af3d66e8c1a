/**
 * Tokens and budgets end to end (docs/needs-you.md): a real Claude Code, started by muster
 * with a session id of its own, answers scripted turns whose usage the scripted model
 * server reports; `muster status --json` shows those figures to the token, and a token
 * budget pauses the agent once they reach it; `muster resume` thaws it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UsageView } from '../../src/supervisor/control/contract.js';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { prepareCli } from './cli-env.js';
import { ModelServer } from './model-server/server.js';

let server: ModelServer;
let p: TestProject;
const session = randomUUID();
const TURN_1 = { input: 1201, output: 17, cacheWrite: 300, cacheRead: 4000 };
const TURN_2 = { input: 2500, output: 40, cacheWrite: 0, cacheRead: 5100 };

type Agent = { id: string; state: string; reason: string | null; activity: string | null; usage?: UsageView };
const agentOf = async () => (await p.status()).agents[0] as unknown as Agent;
const yamlString = (s: string) => JSON.stringify(s);

beforeAll(async () => {
  server = await ModelServer.start();
  p = makeProject('usage');
  const launch = prepareCli({ cli: 'claude', serverUrl: server.url, projectDir: path.join(p.dir, 'work'), root: path.join(p.dir, 'claude-root'), runId: `usage-${session.slice(0, 8)}` });
  p.write('muster.yaml', 'pulse: 500ms\nprices:\n  claude-opus-5*: { input: 10, output: 50, cache_write: 12.5, cache_read: 1 }\n');
  const env = Object.entries(launch.env)
    .map(([k, v]) => `      ${k}: ${yamlString(v)}`)
    .join('\n');
  // budget: the first turn counts 1201 + 17 + 300 = 1518 tokens (cache reads left out); the second passes 3000
  p.write(
    'teams/t.yaml',
    `name: t\nagents:\n  claude:\n    preset: claude\n    cwd: work\n    run: ${yamlString(`${launch.argv.join(' ')} --session-id ${session}`)}\n    env:\n${env}\n    budget: { tokens: 3000, on_exceed: pause }\n`,
  );
  p.headless();
  await waitFor('claude idle under muster', async () => (await agentOf()).activity === 'idle', 180_000);
  // Claude Code animates its logo for a few seconds after it shows its input: a key typed meanwhile is lost
  await new Promise((r) => setTimeout(r, 6000));
}, 300_000);

afterAll(async () => {
  await p?.destroy();
  await server?.close();
});

it('status --json shows the tokens the server reported, by kind, to the token, and the cost at the project\'s price', async () => {
  server.script({ text: 'First usage answer.', usage: TURN_1 }, { text: 'Second usage answer.', usage: TURN_2, hold: true });
  expect((await p.muster(['send', 't/claude', 'the first usage prompt'])).code).toBe(0);
  const first = await waitFor('the first turn counted', async () => {
    const a = await agentOf();
    return a.usage && a.usage.calls >= 1 ? a : null;
  }, 120_000);
  expect(first.usage?.session).toBe(session);
  expect(first.usage?.tokens).toEqual({ input: 1201, output: 17, cache_write: 300, cache_read: 4000 });
  expect(first.usage?.cost).toBeCloseTo((1201 * 10 + 17 * 50 + 300 * 12.5 + 4000 * 1) / 1e6, 9);
  expect(first.usage?.budget).toMatchObject({ tokens: 3000, used_tokens: 1518, reached: null });
  expect(first.state).toBe('running');
});

it('a token budget pauses the agent once its figures reach it; muster resume thaws it and it finishes its turn', async () => {
  await waitFor('idle again', async () => (await agentOf()).activity === 'idle', 60_000);
  expect((await p.muster(['send', 't/claude', 'the second usage prompt'])).code).toBe(0);
  await server.waitForTurn(2);
  server.release();
  const paused = await waitFor('paused by its budget', async () => {
    const a = await agentOf();
    return a.state === 'paused' ? a : null;
  }, 120_000);
  expect(paused.reason).toBe('budget');
  expect(paused.usage?.tokens).toEqual({ input: 3701, output: 57, cache_write: 300, cache_read: 9100 });
  expect(paused.usage?.budget?.reached).toBe('4.1K tokens of its 3K budget');
  const events = readFileSync(path.join(p.dir, '.muster', 'events.jsonl'), 'utf8');
  expect(events).toContain('reached 4.1K tokens of its 3K budget: paused');
  expect((await p.muster(['resume', 't/claude'])).code).toBe(0);
  await waitFor('running again', async () => (await agentOf()).state === 'running', 30_000);
  // reached once in this window: resuming keeps it running
  await new Promise((r) => setTimeout(r, 2000));
  expect((await agentOf()).state).toBe('running');
});
