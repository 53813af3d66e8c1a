/**
 * Typing into agents, end to end, with a stand-in CLI (test/fixtures/standin/fake-cli.mjs:
 * a full-screen program with an input line, a busy line and a permission prompt that an
 * Enter would answer) under its preset: a prompt seen while the output never goes quiet,
 * nothing typed into a prompt or over a draft, a message held while the agent is busy,
 * delivery confirmed from the screen, and every message submitted exactly once. Generous
 * deadlines: several test files share a loaded machine.
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
  p.write(
    'teams/dl.yaml',
    `name: dl\nagents:\n${standin('asker', {}, 'please ASK BLINK')}${standin('slow', { FAKE_NO_DRAW_PASTE_MS: '800' })}${standin('swallow', { FAKE_SWALLOW_ENTERS: '1' })}${standin('deaf', { FAKE_SWALLOW_ENTERS: '100000' })}`,
  );
  sup = p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running, 90_000);
}, 60_000);

const idle = (id: string) => waitFor(`${id} idle`, async () => ((await agentView(id)).activity === 'idle' ? true : null), 30_000);
interface EventLine {
  kind: string;
  agent: string | null;
  message: string;
}
const events = (): EventLine[] =>
  fs
    .readFileSync(path.join(p.dir, '.muster/events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventLine);

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
  }, 240_000);
});

describe('muster explain', () => {
  it('shows the live region, the rule that matched with its file and line, and the verdict', async () => {
    await waitFor('asker waiting', async () => ((await agentView('dl/asker')).activity === 'waiting' ? true : null), 60_000);
    const r = await p.muster(['explain', 'asker']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dl\/asker: waiting \(permission\)/);
    expect(r.stdout).toMatch(/live region \(the last 10 non-blank lines/);
    expect(r.stdout).toMatch(/│ +Do you want to proceed\?/);
    expect(r.stdout).toMatch(/rule presets\/fakecli\.yaml:\d+ +waiting: permission/);
    const j = await p.muster(['explain', 'dl/asker', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const reply = JSON.parse(j.stdout) as { activity: string; reason: string; rule: { file: string; line: number }; live: string[] };
    expect(reply).toMatchObject({ activity: 'waiting', reason: 'permission', rule: { file: 'presets/fakecli.yaml' } });
    expect(reply.rule.line).toBeGreaterThan(0);
    expect(reply.live.some((l) => l.includes('Do you want to proceed?'))).toBe(true);
    const bad = await p.muster(['explain', 'nobody']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')[0]).toMatch(/nobody/);
  }, 240_000);
});

describe('delivery confirmed from the screen', () => {
  it('waits until the typed text shows before Enter (an Enter too soon would be a newline)', async () => {
    await idle('dl/slow');
    const r = await p.muster(['send', 'dl/slow', 'a message that shows late'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    await waitFor('submitted', () => submitted('slow').length === 1 || null, 20_000);
    expect(submitted('slow')).toEqual(['a message that shows late']);
  }, 240_000);

  it('presses Enter again when the first one did nothing, and submits exactly once', async () => {
    await idle('dl/swallow');
    const r = await p.muster(['send', 'dl/swallow', 'one message, two Enters'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 3000)); // any extra Enter would submit a blank line or twice
    expect(submitted('swallow')).toEqual(['one message, two Enters']);
  }, 240_000);

  it('never presses Enter into a permission prompt, forced or not', async () => {
    await waitFor('asker waiting', async () => ((await agentView('dl/asker')).activity === 'waiting' ? true : null), 60_000);
    const r = await p.muster(['send', 'dl/asker', '--force', 'typed into a prompt?'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dl\/asker: it shows a permission prompt; the message is queued/);
    await new Promise((res) => setTimeout(res, 2000));
    expect(eventsOf('asker').filter((e) => e.type === 'answered')).toEqual([]);
  }, 240_000);

  it('a handoff the agent never takes is reported not delivered with what the screen showed, stays pending, and its text is cleared', async () => {
    await idle('dl/deaf');
    const h = await p.muster(['handoff', 'deaf', 'please review the parser'], { env: { MUSTER_AGENT: 'dl/swallow', MUSTER_DIR: path.join(p.dir, '.muster') } });
    expect(h.code, h.stderr).toBe(0);
    const line = await waitFor('not-delivered', () => events().find((e) => e.kind === 'not-delivered' && e.agent === 'dl/deaf') ?? null, 120_000);
    expect(line.message).toMatch(/handoff from dl\/swallow not delivered after 3 tries/);
    expect(line.message).toContain('its input shows');
    expect(line.message).toContain('stays pending');
    const st = await p.status();
    const handoffs = (st as unknown as { handoffs: Array<{ to: string; state: string }> }).handoffs;
    expect(handoffs.find((x) => x.to === 'dl/deaf')?.state).toBe('pending');
    expect(submitted('deaf')).toEqual([]);
    // the clear keys (C-u) emptied its input: idle again, not a draft
    await waitFor('deaf idle without a draft', async () => {
      const v = await agentView('dl/deaf');
      return v.activity === 'idle' && v.activityReason !== 'draft' ? true : null;
    }, 30_000);
  }, 240_000);
});
