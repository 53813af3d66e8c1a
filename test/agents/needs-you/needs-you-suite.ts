/**
 * "It needs you" with the real agent CLIs (docs/needs-you.md): the real `muster up` in a pty
 * over a crew of one real CLI, pointed at the scripted model server. The model asks for a
 * shell command, the CLI shows its permission prompt, and exactly one needs-you occurrence
 * goes out on every channel: the TUI's bell and OSC 9 / OSC 777 read back from the pty, the
 * notify command's stdin, the event line; status says what the agent needs. Someone attached
 * to the agent's pane suppresses the next one (recorded, nobody notified). One file per CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, makeProject, waitFor, type TestProject } from '../../helpers/project.js';
import { tuiEnv } from '../../helpers/tmux.js';
import { PtyScreen } from '../../ui/pty-screen.js';
import { prepareCli, shellCommand, type CliName } from '../cli-env.js';
import { ModelServer } from '../model-server/server.js';

const ID = 'ny/agent';

interface Notified {
  kind: string;
  agent: string | null;
  reason: string;
  detail: string | null;
}
interface AgentView {
  id: string;
  pane: string | null;
  activity: string | null;
  needsYou: { kind: string; reason: string } | null;
}

const count = (text: string, part: string) => text.split(part).length - 1;

export function describeNeedsYou(cli: CliName): void {
  describe(`${cli}: a permission prompt needs you (real CLI under muster)`, () => {
    let p: TestProject;
    let server: ModelServer;
    let tui: PtyScreen;
    const ptys: PtyScreen[] = [];
    const seen = { osc9: 0, osc777: 0, bell: 0 };

    const notified = (): Notified[] => {
      const f = path.join(p.dir, 'notified.jsonl');
      return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Notified) : [];
    };
    const agent = async () => ((await p.status()).agents as unknown as AgentView[]).find((a) => a.id === ID) as AgentView;
    const needsLines = () => {
      const f = path.join(p.dir, '.muster', 'events.jsonl');
      if (!fs.existsSync(f)) return [];
      return fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"needs-you"'))
        .map((l) => JSON.parse(l) as { needs: { kind: string; reason: string; suppressed: boolean } });
    };
    // a declined call may leave its follow-up unused (Gemini CLI sends nothing after Escape)
    const askForShell = (file: string) =>
      server.clear().script({ text: 'I will run it now.', toolCall: { shell: `touch ${file}`, escalate: cli === 'codex' } }, { text: 'Done.' });

    beforeAll(async () => {
      server = await ModelServer.start();
      p = makeProject(`needs-you-${cli}`);
      const launch = prepareCli({ cli, serverUrl: server.url, projectDir: path.join(p.dir, 'work'), root: path.join(p.dir, 'cli'), runId: `ny-${cli}-${process.pid}` });
      p.write('muster.yaml', 'pulse: 1s\nnotify:\n  command: cat >> notified.jsonl\n  on: [waiting, failed]\n');
      p.write(
        'teams/ny.yaml',
        `name: ny
agents:
  agent:
    run: ${JSON.stringify(shellCommand(launch, { inherit: true }))}
    preset: ${cli}
    cwd: work
    env: { HOME: ${JSON.stringify(launch.home)} }
`,
      );
      tui = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'up'], { cols: 160, rows: 30, env: tuiEnv(), cwd: p.dir });
      ptys.push(tui);
      let carry = '';
      tui.child.onData((d) => {
        const text = carry + d;
        const parts: [keyof typeof seen, string][] = [
          ['osc9', `\x1b]9;muster: ${ID}`],
          ['osc777', `\x1b]777;notify;muster: ${ID}`],
          ['bell', '\x07\x1b]9;'],
        ];
        for (const [key, part] of parts) seen[key] += count(text, part) - count(carry, part);
        carry = text.slice(-64);
      });
      await waitFor(`${cli} idle under muster`, async () => ((await agent())?.activity === 'idle' ? true : null), 240_000);
    }, 300_000);

    afterAll(async () => {
      for (const s of ptys) s.child.kill();
      await p?.destroy();
      await server?.close();
    }, 120_000);

    it('one needs-you on every channel: the notify command, the bell and OSC 9/777, the event line, status', async () => {
      askForShell('first.txt');
      expect((await p.muster(['send', 'agent', 'run the first command'])).code).toBe(0);
      await waitFor('the notify command ran', () => notified().length >= 1 || null, 180_000);
      await new Promise((r) => setTimeout(r, 3000)); // the prompt stays on screen: nothing more is sent
      expect(notified()).toHaveLength(1);
      expect(notified()[0]).toMatchObject({ kind: 'waiting', agent: ID, reason: 'permission' });
      expect(needsLines().map((l) => l.needs)).toEqual([expect.objectContaining({ kind: 'waiting', suppressed: false })]);
      await waitFor('the TUI notified', () => (seen.osc9 >= 1 ? true : null), 30_000);
      expect(seen).toEqual({ osc9: 1, osc777: 1, bell: 1 });
      expect((await agent()).needsYou).toMatchObject({ kind: 'waiting' });
      expect(fs.existsSync(path.join(p.dir, 'work', 'first.txt'))).toBe(false); // muster answered nothing
    });

    it('attached to its pane: the next prompt is recorded as suppressed and nobody is notified', async () => {
      const pane = (await agent()).pane as string;
      const tmux = (args: string[]) => new PtyScreen('tmux', ['-L', p.socket, ...args], { env: tuiEnv() });
      // the user answers the first prompt (Escape declines it in every CLI); the CLI goes back to its input
      await tmux(['send-keys', '-t', pane, 'Escape']).exited;
      await waitFor('the prompt gone', async () => ((await agent()).activity !== 'waiting' ? true : null), 60_000);
      await waitFor('idle again', async () => ((await agent()).activity === 'idle' ? true : null), 120_000);
      const client = tmux(['select-window', '-t', pane, ';', 'select-pane', '-t', pane, ';', 'attach-session', '-t', pane]);
      ptys.push(client);
      await waitFor('a client on the pane', () => (client.output().length > 0 ? true : null), 20_000);
      askForShell('second.txt');
      const sent = await p.muster(['send', 'agent', 'run the second command']);
      expect(sent.code, `${sent.stderr}${sent.stdout}`).toBe(0);
      await waitFor('the second needs-you line', () => needsLines().length >= 2 || null, 180_000);
      expect(needsLines().map((l) => l.needs.suppressed)).toEqual([false, true]);
      expect(notified()).toHaveLength(1);
      expect(seen.osc9).toBe(1);
      client.child.kill();
    });
  });
}
