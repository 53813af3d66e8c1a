/**
 * Restarts that keep the conversation, and state from the agents' own hooks, with the real
 * CLIs under a real muster (README, "Sessions, resume and hooks"). One team of one agent
 * runs the pinned CLI against the scripted model server; the server's records tell what
 * the CLI sent: a resumed CLI's next request carries the earlier messages, and the first
 * prompt reaches the model once.
 *
 * Each CLI is checked the same way, in order: the first prompt is typed once, hooks report
 * busy (a held turn) and idle, the session id is known; a crash (SIGKILL of the CLI) and a
 * memory-limit kill (a scripted shell call that allocates) each restart it into the same
 * conversation without typing the prompt again; the session's files deleted before a
 * restart make the CLI refuse: a new conversation, an event saying why, the prompt typed
 * again; `muster restart` starts a new conversation.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../../helpers/project.js';
import { prepareCli, shellCommand, type CliLaunch, type CliName } from '../cli-env.js';
import { markedProcesses } from '../driver.js';
import { ModelServer } from '../model-server/server.js';
import { SCREENS } from '../screens.js';

interface AgentView {
  id: string;
  state: string;
  attempt: number;
  restarts: number;
  pane: string | null;
  activity: string | null;
  activitySource?: string | null;
  session?: { id: string | null; resumes: boolean; resumed: boolean };
}

const ID = 'crew/agent';
const PROMPT = 'first prompt, remember FIRST-MARK';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export function describeSessions(cli: CliName): void {
  describe(`${cli}: restarts keep the conversation, hooks tell the state (real CLI under muster)`, () => {
    let p: TestProject;
    let server: ModelServer;
    let launch: CliLaunch;
    let runId: string;

    const agent = async (): Promise<AgentView> => {
      const s = (await p.status()) as unknown as { agents: AgentView[] };
      return s.agents.find((a) => a.id === ID) as AgentView;
    };
    const events = () => {
      const f = path.join(p.dir, '.muster', 'events.jsonl');
      return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    };
    const running = (attempt: number) =>
      waitFor(`attempt ${attempt} running`, async () => {
        const a = await agent();
        return a.attempt === attempt && a.state === 'running' ? a : null;
      }, 120_000);
    // Every CLI under test reports itself through its preset's hooks.
    const hookSays = (activity: string) =>
      waitFor(`the hooks report ${activity}`, async () => {
        const a = await agent();
        return a.activity === activity && a.activitySource === 'hook' ? a : null;
      }, 120_000);
    /** Ready for text, however it is known (a resumed CLI's hooks have not spoken of a turn yet). */
    const idle = () => waitFor('idle', async () => ((await agent()).activity === 'idle' ? true : null), 120_000);
    /** The last turn that carried `text` as new input, once it has ended. */
    const turnWith = (text: string) => waitFor(`a turn with ${text}`, () => server.turns().find((t) => t.userText.includes(text) && t.endedAt) ?? null, 120_000);
    const kill = () => {
      const pids = markedProcesses(runId);
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    };

    beforeAll(async () => {
      server = await ModelServer.start();
      p = makeProject(`sessions-${cli}`);
      runId = `sessions-${cli}-${process.pid}`;
      launch = prepareCli({ cli, serverUrl: server.url, projectDir: path.join(p.dir, 'work'), root: path.join(p.dir, 'cli'), runId });
      p.write('muster.yaml', 'pulse: 1s\n');
      p.write(
        'teams/crew.yaml',
        `name: crew
agents:
  agent:
    run: ${JSON.stringify(shellCommand(launch, { inherit: true }))}
    preset: ${cli}
    cwd: work
    env: { HOME: ${JSON.stringify(launch.home)} }
    prompt: ${JSON.stringify(PROMPT)}
    limits: { memory: 1500MiB }
    restart: { backoff: 200ms, max: 20 }
`,
      );
      p.headless([], { MUSTER_CGROUPS: 'off' });
    });

    afterAll(async () => {
      await p?.destroy();
      await server?.close();
    });

    it('types the first prompt once; its hooks report busy, then idle; the session id is known', async () => {
      server.script({ text: 'First answer, FIRST-REPLY.', hold: true });
      await waitFor('the first prompt at the model', () => server.timesReceived('FIRST-MARK') === 1, 180_000);
      await hookSays('busy');
      server.release();
      const idle = await hookSays('idle');
      expect(idle.session?.id).toMatch(cli === 'opencode' ? /^ses_[A-Za-z0-9]+$/ : /^[0-9a-f-]{36}$/);
      expect(idle.session?.resumes).toBe(true);
      expect(server.timesReceived('FIRST-MARK')).toBe(1);
    });

    it('a crash restarts it into the same conversation; the prompt is not typed again', async () => {
      const before = await agent();
      kill();
      const a = await running(before.attempt + 1);
      expect(a.session?.id).toBe(before.session?.id);
      expect(a.session?.resumed).toBe(true);
      await idle();
      server.script({ text: 'Second answer.' });
      await p.muster(['send', 'agent', 'after the crash, SECOND-MARK']);
      const turn = await turnWith('SECOND-MARK');
      expect(JSON.stringify(turn.body)).toContain('FIRST-MARK');
      expect(server.timesReceived('FIRST-MARK')).toBe(1);
      expect(events()).toMatch(/restarting into its conversation/);
    });

    // Killed in the middle of its approved shell call, a resumed opencode shows the call still
    // spinning in its transcript and takes input all the same (its preset: quiet 0s).
    it('a memory-limit kill restarts it into the same conversation', async () => {
      const before = await agent();
      const hog = `node -e "const a=[];const t=setInterval(()=>{a.push(Buffer.alloc(100e6,1));if(a.length>=25)clearInterval(t)},100);setTimeout(()=>{},600e3)"`;
      server.script({ text: 'Running it.', toolCall: { shell: hog, escalate: cli === 'codex' } }, { text: 'Done.' });
      await p.muster(['send', 'agent', 'run the hog please, HOG-MARK']);
      // answer the CLI's permission prompt with its keys, again while it stays
      const screens = SCREENS[cli];
      await waitFor('the memory kill', async () => {
        const a = await agent();
        if (a.attempt > before.attempt) return a;
        if (a.pane) {
          const screen = execFileSync('tmux', ['-L', p.socket, 'capture-pane', '-p', '-t', a.pane], { encoding: 'utf8' });
          if (screens.permission.test(screen)) execFileSync('tmux', ['-L', p.socket, 'send-keys', '-t', a.pane, ...screens.approve]);
        }
        return null;
      }, 180_000);
      expect(events()).toMatch(/memory .* over its .* limit/);
      const a = await running(before.attempt + 1);
      expect(a.session?.id).toBe(before.session?.id);
      expect(a.session?.resumed).toBe(true);
      server.script({ text: 'Third answer.' });
      await p.muster(['send', 'agent', 'after the memory kill, THIRD-MARK']);
      const turn = await turnWith('THIRD-MARK');
      expect(JSON.stringify(turn.body)).toContain('SECOND-MARK');
      expect(JSON.stringify(turn.body)).toContain('FIRST-MARK');
      expect(server.timesReceived('FIRST-MARK')).toBe(1);
    });

    it("the session's files deleted before a restart: a new conversation, an event says why, the prompt typed again", async () => {
      const before = await agent();
      const id = before.session?.id as string;
      if (cli === 'opencode') {
        // opencode keeps its sessions in a database: its own command deletes one
        execFileSync(launch.argv[0] as string, ['session', 'delete', id], { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: 'ignore', timeout: 60_000 });
      } else {
        const key = cli === 'gemini' ? id.slice(0, 8) : id;
        const files = [...listFiles(path.join(p.dir, 'cli')), ...listFiles(path.join(p.dir, '.muster', 'homes'))].filter((f) => path.basename(f).includes(key) && f.endsWith('.jsonl'));
        expect(files.length, `session files of ${id}`).toBeGreaterThan(0);
        for (const f of files) fs.rmSync(f);
      }
      server.script({ text: 'Fresh answer.' });
      kill();
      await waitFor('the refused resume', () => /could not resume session/.test(events()), 120_000);
      await waitFor('the prompt typed again', () => server.timesReceived('FIRST-MARK') === 2, 180_000);
      const turn = await turnWith('FIRST-MARK');
      const last = server.turns().filter((t) => t.userText.includes('FIRST-MARK')).at(-1);
      expect(JSON.stringify(last?.body ?? turn.body)).not.toContain('THIRD-MARK');
      const a = await hookSays('idle');
      expect(a.session?.id).not.toBe(id);
    });

    it('muster restart starts a new conversation', async () => {
      const before = await agent();
      server.script({ text: 'After the reset.' });
      const r = await p.muster(['restart', 'agent']);
      expect(r.code, r.stderr).toBe(0);
      await waitFor('the prompt typed a third time', () => server.timesReceived('FIRST-MARK') === 3, 180_000);
      const a = await hookSays('idle');
      expect(a.session?.id).not.toBe(before.session?.id);
      expect(a.session?.resumed).toBe(false);
      const last = server.turns().filter((t) => t.userText.includes('FIRST-MARK')).at(-1);
      expect(JSON.stringify(last?.body), `${server.describe()}\n${events()}`).not.toContain('Fresh answer');
    });
  });
}
