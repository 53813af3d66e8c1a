/**
 * "It needs you", end to end (docs/needs-you.md): the real `muster up` in a pty over a crew
 * with a stand-in agent CLI (test/fixtures/standin/fake-cli.mjs) that asks for permission.
 * One prompt makes exactly one notification on every channel — the TUI's bell and OSC 9 /
 * OSC 777 sequences read back from the pty, the notify command's stdin, the header badge and
 * the row mark; `w` selects the agent; someone attached to the agent's pane suppresses it;
 * `muster wait` returns on the condition, times out, and refuses bad usage and a missing
 * supervisor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { tuiEnv } from '../helpers/tmux.js';
import { PtyScreen } from '../ui/pty-screen.js';

const STANDIN = fileURLToPath(new URL('../fixtures/standin/', import.meta.url));
const CLI = path.join(STANDIN, 'fake-cli.mjs');

let p: TestProject;
const ptys: PtyScreen[] = [];

interface Notified {
  kind: string;
  agent: string | null;
  reason: string;
  detail: string | null;
  message: string;
}
const notified = (): Notified[] => {
  const f = path.join(p.dir, 'notified.jsonl');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Notified) : [];
};
const count = (text: string, part: string) => text.split(part).length - 1;

interface AgentView {
  id: string;
  pane: string | null;
  activity: string | null;
  needsYou: { kind: string; reason: string } | null;
}
const agentView = async (id: string) => ((await p.status()).agents as unknown as AgentView[]).find((a) => a.id === id) as AgentView;

let tui: PtyScreen;
/** the TUI's whole output counted as it comes (the screen keeps only its latest part) */
const seen = { osc9: 0, osc777: 0, bellThenOsc: 0 };

function countAsItComes(screen: PtyScreen): void {
  const parts: [keyof typeof seen, string][] = [
    ['osc9', '\x1b]9;muster: ny/asker'],
    ['osc777', '\x1b]777;notify;muster: ny/asker'],
    ['bellThenOsc', '\x07\x1b]9;'],
  ];
  let carry = '';
  screen.child.onData((d) => {
    const text = carry + d;
    for (const [key, part] of parts) seen[key] += count(text, part) - count(carry, part);
    carry = text.slice(-64);
  });
}

beforeAll(async () => {
  p = makeProject('needs-you');
  p.write('muster.yaml', 'pulse: 500ms\nnotify:\n  command: cat >> notified.jsonl\n  on: [waiting, failed]\n');
  p.write('presets/fakecli.yaml', fs.readFileSync(path.join(STANDIN, 'fakecli.yaml'), 'utf8'));
  p.write(
    'teams/ny.yaml',
    `name: ny
agents:
  idler:
    run: exec sleep 600
  asker:
    preset: fakecli
    run: FAKE_EVENTS=${path.join(p.dir, 'asker.events')} FAKE_BUSY_MS=800 exec ${process.execPath} ${CLI}
`,
  );
  tui = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'up'], { cols: 140, rows: 30, env: tuiEnv(), cwd: p.dir });
  countAsItComes(tui);
  ptys.push(tui);
}, 60_000);

afterAll(async () => {
  for (const s of ptys) s.child.kill();
  await p.destroy();
}, 60_000);

describe('needs you', () => {
  it('a permission prompt: one notification on every channel, the badge, the row mark, and w selects it', async () => {
    await tui.waitFor('the TUI connected, the asker idle', (_t, lines) => lines.some((l) => /connected to the supervisor/.test(l)) && lines.some((l) => /ny\s+asker\s+running\s+idle/.test(l)), 90_000);
    expect((await p.muster(['send', 'asker', 'please ASK'])).code).toBe(0);
    await waitFor('the notify command ran', () => notified().length >= 1 || null, 60_000);
    await new Promise((r) => setTimeout(r, 2000)); // the prompt stays: no second notification
    const got = notified();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'waiting', agent: 'ny/asker', reason: 'permission' });
    expect(got[0]?.detail).toContain('Do you want to proceed?');

    await tui.waitFor('the badge', (text) => text.includes('1 needs you'), 30_000);
    expect(seen).toEqual({ osc9: 1, osc777: 1, bellThenOsc: 1 }); // the bell, then the notifications
    expect((await agentView('ny/asker')).needsYou).toEqual({ kind: 'waiting', reason: 'permission' });

    tui.write('w');
    await tui.waitFor('the asker selected and marked', (_t, lines) => lines.some((l) => /^>!ny\s+asker\s/.test(l)), 20_000);
  });

  it('muster wait returns once the condition holds, times out, and refuses bad usage', async () => {
    const ok = await p.muster(['wait', 'asker', '--until', 'waiting', '--timeout', '30s']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('ny/asker: running, waiting (permission)');

    const late = await p.muster(['wait', 'asker', 'idler', '--until', 'done', '--timeout', '1500ms']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/timed out after 1500ms waiting for done/);
    expect(late.stdout).toContain('ny/idler: running');

    const unknown = await p.muster(['wait', 'nobody', '--until', 'idle']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no agent "nobody"/);
    const bad = await p.muster(['wait', 'asker', '--until', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown condition "soon"/);
    for (const r of [late, unknown, bad]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('nobody is notified while someone is attached to the agent’s pane', async () => {
    const pane = (await agentView('ny/asker')).pane as string;
    // answer the prompt, and wait for the agent to be back at its input
    const tmux = (args: string[]) => new PtyScreen('tmux', ['-L', p.socket, ...args], { env: tuiEnv() });
    await tmux(['send-keys', '-t', pane, 'Enter']).exited;
    await waitFor('the prompt answered', async () => ((await agentView('ny/asker')).activity === 'idle' ? true : null), 30_000);
    const client = tmux(['select-window', '-t', pane, ';', 'select-pane', '-t', pane, ';', 'attach-session', '-t', pane]);
    ptys.push(client);
    await waitFor('a client on the pane', async () => ((await p.muster(['status', '--json'])).code === 0 && client.output().length > 0) || null, 20_000);
    const sent = await p.muster(['send', 'asker', 'ASK once more']);
    expect(sent.code).toBe(0);
    await waitFor('waiting again', async () => ((await agentView('ny/asker')).activity === 'waiting' ? true : null), 30_000);
    const events = path.join(p.dir, '.muster/events.jsonl');
    const lines = () => fs.readFileSync(events, 'utf8').split('\n').filter((l) => l.includes('"needs-you"')).map((l) => JSON.parse(l) as { needs: { suppressed: boolean } });
    await waitFor('the second needs-you line', () => lines().length >= 2 || null, 20_000);
    expect(lines().map((l) => l.needs.suppressed)).toEqual([false, true]);
    expect(notified()).toHaveLength(1);
    expect(seen.osc9).toBe(1);
    client.child.kill();
  });

  it('muster wait without a supervisor says so', async () => {
    expect((await p.muster(['down'], { timeoutMs: 120_000 })).code).toBe(0);
    const r = await p.muster(['wait', 'asker', '--until', 'idle']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no supervisor is running for this project/);
  }, 150_000);
});
