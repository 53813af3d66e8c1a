/**
 * muster supervising a real agent CLI, end to end (issue contract in README, "Coordination",
 * and docs/presets.md): the real `muster` binary runs a team whose agent is the real CLI,
 * against the scripted model server. One crew per CLI, shared by the checks in order (each
 * starts from the idle input screen: `Crew.settle()`):
 *
 * - the first prompt (`prompt:`) reaches the model exactly once; status says `busy` while the
 *   model holds its first token and while the reply streams (Codex shows no indicator
 *   then), and `idle` after;
 * - an agent left at its first-run dialog shows `waiting`, reason `dialog`, and its prompt
 *   is not typed into the dialog;
 * - a `muster send` that arrives half a second after a message was typed, and a handoff,
 *   are held while the turn runs and reach the model once each, after it;
 * - `waiting` while the CLI's shell tool asks for permission (Codex: a command that asks to
 *   leave its sandbox); a send and a handoff wait, the prompt stays the user's; `busy` again
 *   after the test approves in the pane, and both reach the model once;
 * - a draft the user left in the input is never typed over;
 * - the agent runs `muster checkin "…"` (the command muster puts on the agent's PATH) and
 *   `$MUSTER_BIN checkin "…"` (not Qwen Code: it refuses a command that starts with a
 *   variable) with its own shell tool, and status shows the message;
 * - `muster down` and `muster cleanup --yes` leave no process of the CLI, Codex's
 *   `app-server` daemon included.
 *
 * Waits have generous deadlines: timing is measured by `npm run bench -- --only agents`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { CLIS_WITH_TRUST_DIALOG, type CliName } from './cli-env.js';
import { activityReason, Crew, type AgentView } from './crew.js';
import { QWEN_SUGGESTION } from './model-server/background.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A reply long enough to stream for several seconds in many chunks. */
const LONG_REPLY = Array.from({ length: 48 }, (_, i) => `word${i}`).join(' ');

export function describeMuster(cli: CliName): void {
  const hasDialog = CLIS_WITH_TRUST_DIALOG.includes(cli);
  const escalate = cli === 'codex';
  const mark = (what: string) => `${cli}-${what}-${Math.random().toString(36).slice(2, 7)}`;

  describe(`muster supervising ${cli} (real CLI, scripted model)`, () => {
    let crew: Crew;
    let pulseMs = 2_000;
    const FIRST = mark('first-prompt');
    const FRESH = mark('fresh-prompt');

    beforeAll(async () => {
      crew = await Crew.create({ cli, prompt: `Please start: ${FIRST}`, ...(hasDialog ? { dialogPrompt: `Please start: ${FRESH}` } : {}) });
      // the first prompt's turn: held before its first token, then streamed for a while
      crew.server.script({ text: LONG_REPLY, streamMs: 8_000, chunks: 24, hold: true });
      await crew.up();
      pulseMs = (await crew.statusCli()).pulseMs;
    });

    afterAll(async () => {
      await crew?.destroy();
    });

    const mainActivity = () => crew.agent(crew.main.id);
    /** three pulses and a little: what muster has not done by then it would not do */
    const window = () => 3 * pulseMs + 1_000;

    it('types the first prompt exactly once; busy before the first token and while the reply streams; idle after', async () => {
      const { server } = crew;
      const turn = await server.waitForTurn(1, 300_000);
      expect(turn.userText, server.describe()).toContain(FIRST);
      await crew.waitActivity(crew.main, 'busy', 'the model holds the first token');
      const held = await crew.observe(crew.main, 2 * pulseMs, (a) => (a.activity === 'busy' ? null : `${a.activity} while the model holds the first token`));
      expect(held.length).toBeGreaterThan(0);

      server.release();
      const during: Array<AgentView['activity']> = [];
      await waitFor('the first token', () => turn.firstTokenAt !== undefined, 60_000);
      while (turn.endedAt === undefined) {
        const asked = Date.now();
        const a = await mainActivity();
        // a reading asked for before the stream ended shows a pulse from while it streamed
        if (turn.endedAt === undefined || asked < turn.endedAt) during.push(a.activity);
      }
      expect(during.length, 'status readings while the reply streamed').toBeGreaterThanOrEqual(3);
      expect(during.filter((a) => a !== 'busy'), `activity while the reply streamed: ${during.join(' ')}\n${await crew.context()}`).toEqual([]);

      await crew.waitActivity(crew.main, 'idle', 'the reply has ended');
      await sleep(2 * pulseMs);
      if (server.turns().length !== 1) expect.fail(`the first prompt's turn is not the only one\n${await crew.context()}`);
      expect(server.timesReceived(FIRST), server.describe()).toBe(1);
    });

    if (hasDialog) {
      it('an agent stuck at its first-run dialog shows waiting (dialog), and its prompt is not typed into the dialog', async () => {
        const fresh = crew.fresh!;
        const pane = await crew.pane(fresh);
        await pane.waitForScreen('the first-run dialog', fresh.screens.trustDialog as RegExp, 180_000);
        await crew.waitActivity(fresh, 'waiting', 'at its first-run dialog', { check: (a) => activityReason(a) === 'dialog' });
        await crew.observe(fresh, window(), (a, screen) => {
          if (!(fresh.screens.trustDialog as RegExp).test(screen)) return 'the first-run dialog left the screen: someone answered it';
          if (screen.includes(FRESH)) return 'the prompt was typed into the first-run dialog';
          if (a.activity !== 'waiting') return `${a.activity} at the first-run dialog`;
          return null;
        });
        expect(fresh.server.turns(), fresh.server.describe()).toHaveLength(0);
      });
    }

    it('holds a send and a handoff that arrive half a second after a message was typed, and a handoff while busy, until the turn ends; each reaches the model once, after it', async () => {
      await crew.settle();
      const { server } = crew;
      const A = mark('typed');
      const B = mark('late-send');
      const H1 = mark('late-handoff');
      const H2 = mark('busy-handoff');
      const before = server.turns().length;
      server.script({ text: 'The answer to the first message.', hold: true }, { text: 'Answer two.' }, { text: 'Answer three.' }, { text: 'Answer four.' });
      const sendA = crew.send(crew.main, `Please answer ${A}`);
      const pane = await crew.pane();
      await pane.waitForScreen('the first message typed', (s) => s.includes(A), 60_000);
      await sleep(500);
      // half a second after muster typed the message: the request `muster send` makes, and
      // the record `muster handoff` writes, arriving now
      const sendB = crew.sendNow(crew.main, `Please answer ${B} too`);
      crew.writeHandoff(crew.main, `Take over ${H1}`);
      const turnA = await server.waitForTurn(before + 1, 120_000);
      expect(turnA.userText, server.describe()).toContain(A);
      await crew.handoff(crew.main, `Take over ${H2}`);

      const held = [B, H1, H2];
      await crew.observe(crew.main, window(), (a, screen) => {
        const typed = held.find((t) => screen.includes(t));
        if (typed) return `${typed} was typed while the turn ran (activity ${a.activity})`;
        if (a.activity === 'idle') return 'idle while the model holds its reply';
        return null;
      });
      for (const t of held) expect(server.timesReceived(t), server.describe()).toBe(0);
      const pending = (await crew.status()).handoffs.filter((h) => h.message.includes(H1) || h.message.includes(H2));
      expect(pending.map((h) => h.state)).toEqual(['pending', 'pending']);

      server.release();
      await waitFor(`the held messages at the model\n${server.describe()}`, () => held.every((t) => server.timesReceived(t) >= 1), 180_000);
      await crew.waitActivity(crew.main, 'idle', 'all answered');
      await sleep(2 * pulseMs);
      for (const text of [A, ...held]) expect(server.timesReceived(text), `${text}\n${server.describe()}`).toBe(1);
      for (const text of held) {
        const t = server.turns().find((r) => r.userText.includes(text))!;
        expect(t.at, `${text} reached the model only after the first turn ended`).toBeGreaterThanOrEqual(turnA.endedAt!);
        expect(turnA.userText).not.toContain(text);
      }
      const delivered = (await crew.status()).handoffs.filter((h) => h.message.includes(H1) || h.message.includes(H2));
      expect(delivered.map((h) => h.state)).toEqual(['delivered', 'delivered']);
      for (const r of [await sendA, await sendB]) expect(r.code, `${r.stdout} ${r.stderr}`).toBe(0);
      // Qwen Code: several turns in, and no follow-up suggestion asked for (the preset turns them off)
      if (cli === 'qwen') expect(server.background().filter((r) => QWEN_SUGGESTION.test(r.userText)).map((r) => r.seq), server.describe()).toEqual([]);
    });

    it('waiting while its shell tool asks for permission: a send and a handoff wait, the prompt is left to the user; busy after approval; both reach the model once', async () => {
      await crew.settle();
      const { server } = crew;
      const file = `approved-by-user-${cli}.txt`;
      const P = mark('permission');
      const W = mark('waiting-send');
      const H = mark('waiting-handoff');
      server.script(
        { text: 'I will run it.', toolCall: { shell: `touch ${file}`, escalate } },
        { text: 'Ran it.', hold: true },
        { text: 'Answer two.' },
        { text: 'Answer three.' },
      );
      const sendP = crew.send(crew.main, `Create ${file} with your shell tool (${P})`);
      const pane = await crew.pane();
      await pane.waitForScreen('the permission prompt', crew.main.screens.permission, 120_000);
      await crew.waitActivity(crew.main, 'waiting', 'its permission prompt on screen');
      const turnsAtPrompt = server.turns().length;
      const sendW = crew.send(crew.main, `Also answer ${W}`);
      await crew.handoff(crew.main, `Take over ${H}`);

      await crew.observe(crew.main, window(), (a, screen) => {
        if (existsSync(path.join(crew.project.dir, file))) return 'the command ran: the permission prompt was answered by muster';
        if (!crew.main.screens.permission.test(screen)) return 'the permission prompt left the screen: muster answered it';
        if (server.turns().length !== turnsAtPrompt) return 'the model got a request while the prompt waited for the user';
        if (screen.includes(W) || screen.includes(H)) return 'a message was typed into the permission prompt';
        if (a.activity !== 'waiting') return `${a.activity} while the permission prompt is on screen`;
        return null;
      });

      await crew.approve();
      await waitFor(`${file} created after approval`, () => existsSync(path.join(crew.project.dir, file)), 60_000);
      await crew.waitActivity(crew.main, 'busy', 'approved; the model holds its next reply');
      // the tool result's turn must be at the server (and held) before it is released: on a
      // loaded machine the CLI can show busy well before its request arrives
      await server.waitForRequest('the tool result at the model', (t) => t.kind === 'turn' && server.turns().indexOf(t) >= turnsAtPrompt && t.toolResults.length > 0, 120_000);
      server.release();
      await waitFor(`both held messages at the model\n${server.describe()}`, () => server.timesReceived(W) >= 1 && server.timesReceived(H) >= 1, 180_000);
      await crew.waitActivity(crew.main, 'idle', 'all answered');
      await sleep(2 * pulseMs);
      for (const text of [P, W, H]) expect(server.timesReceived(text), `${text}\n${server.describe()}`).toBe(1);
      const toolResults = server.turns().slice(turnsAtPrompt).filter((t) => t.toolResults.length > 0);
      expect(toolResults, server.describe()).toHaveLength(1);
      for (const text of [W, H]) {
        const at = server.turns().findIndex((t) => t.userText.includes(text));
        expect(at, `${text} reached the model after the tool result`).toBeGreaterThan(server.turns().indexOf(toolResults[0]!));
      }
      expect((await crew.status()).handoffs.find((h) => h.message.includes(H))?.state).toBe('delivered');
      for (const r of [await sendP, await sendW]) expect(r.code, r.stderr).toBe(0);
    });

    it("never types over the user's draft: the message waits while the draft is in the input and goes once it is cleared", async () => {
      await crew.settle();
      const { server } = crew;
      const DRAFT = mark('user-draft');
      const D = mark('draft-send');
      server.script({ text: 'Answer.' });
      const pane = await crew.pane();
      await pane.paste(DRAFT, { keys: true });
      await pane.waitForScreen('the draft in the input', (s) => s.includes(DRAFT), 30_000);
      const sendD = crew.send(crew.main, `Please answer ${D}`);

      await crew.observe(crew.main, window(), (_a, screen) => {
        if (!screen.includes(DRAFT)) return 'the draft left the input';
        if (screen.includes(D)) return 'the message was typed while the draft was in the input';
        if (server.timesReceived(DRAFT) > 0) return 'the draft was submitted';
        return null;
      });

      await pane.press(...Array.from({ length: DRAFT.length }, () => 'BSpace'));
      await pane.waitForScreen('the draft cleared', (s) => !s.includes(DRAFT), 30_000);
      await waitFor(`the message at the model\n${server.describe()}`, () => server.timesReceived(D) >= 1, 120_000);
      await crew.waitActivity(crew.main, 'idle', 'answered');
      await sleep(2 * pulseMs);
      expect(server.timesReceived(D), server.describe()).toBe(1);
      expect(server.timesReceived(DRAFT), server.describe()).toBe(0);
      const r = await sendD;
      expect(r.code, r.stderr).toBe(0);
    });

    // Qwen Code refuses a shell command that starts with a variable ("Could not identify
    // command root"): a Qwen agent checks in with the plain `muster` on its PATH only.
    const checkinForms = cli === 'qwen' ? (['muster'] as const) : (['muster', '$MUSTER_BIN'] as const);
    for (const form of checkinForms) {
      it(`runs \`${form} checkin "…"\` through its own shell tool; status shows the message`, async () => {
        await crew.settle();
        const { server } = crew;
        const M = mark(form === 'muster' ? 'checkin-plain' : 'checkin-bin');
        const before = server.turns().length;
        server.script({ text: 'Checking in.', toolCall: { shell: `${form} checkin "${M}"`, escalate } }, { text: 'Checked in.' });
        const sendC = crew.send(crew.main, `Check in now (${mark('ask')})`);
        const pane = await crew.pane();
        // the CLI asks before it runs the command; the test answers as the user
        const asked = await waitFor(
          'the permission prompt or the tool result',
          async () => (crew.main.screens.permission.test(await pane.screen()) ? 'prompt' : server.turns().slice(before).some((t) => t.toolResults.length > 0) ? 'ran' : null),
          120_000,
          200,
        );
        if (asked === 'prompt') await crew.approve();
        const result = await server.waitForRequest('the tool result', (t) => t.kind === 'turn' && server.turns().indexOf(t) >= before && t.toolResults.length > 0, 120_000);
        await waitFor(
          `status showing the check-in "${M}" (the tool's output: ${JSON.stringify(result.toolResults)})\n${await crew.context()}`,
          async () => (await mainActivity()).checkin?.message === M,
          60_000,
          250,
        );
        expect((await sendC).code).toBe(0);
      });
    }

    it('muster down leaves no process of the CLI', async () => {
      await crew.settle().catch(() => undefined);
      const before = crew.cliProcesses();
      expect(before.length, 'the CLI runs before down').toBeGreaterThan(0);
      const r = await crew.muster(['down'], { timeoutMs: 180_000 });
      expect(r.code, r.stderr).toBe(0);
      await waitFor('every CLI process gone', () => crew.cliProcesses().length === 0, 15_000).catch(() => undefined);
      expect(crew.cliProcesses(), `left after muster down (before: ${JSON.stringify(before)})`).toEqual([]);
    });

    it("muster cleanup --yes leaves no process of the CLI, Codex's app-server daemon included", async () => {
      crew.server.script({ text: 'Started again.' });
      // with muster's hooks Codex serves in-process; without them it starts its daemon
      if (cli === 'codex') crew.useDaemonPreset();
      await crew.up();
      // Codex: the daemon is what this checks; its start can keep Codex's first screen waiting
      // for minutes on a loaded machine, so cleanup runs once the daemon is there
      if (cli === 'codex') await waitFor("Codex's app-server daemon running", () => crew.cliProcesses().some((p) => p.cmd.includes('app-server')), 180_000);
      else await waitFor('the first prompt typed again and answered', () => crew.server.timesReceived(FIRST) >= 2 && crew.server.turns().at(-1)?.endedAt !== undefined, 240_000);
      const before = crew.cliProcesses();
      expect(before.length).toBeGreaterThan(0);
      const r = await crew.muster(['cleanup', '--yes'], { timeoutMs: 180_000 });
      expect(r.code, r.stderr).toBe(0);
      await waitFor('every CLI process gone', () => crew.cliProcesses().length === 0, 15_000).catch(() => undefined);
      expect(crew.cliProcesses(), `left after muster cleanup --yes (before: ${JSON.stringify(before)})`).toEqual([]);
    }, 480_000);
  });
}
