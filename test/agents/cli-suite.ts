/**
 * The harness's own checks, the same for every CLI (one test file per CLI so that two run
 * at once): started in tmux against the scripted model server, a typed prompt reaches the
 * model exactly once and the reply shows on screen; a scripted call of the CLI's shell tool
 * raises its permission prompt, and after the test approves with the CLI's key the command
 * runs and the turn ends; stopping leaves no process behind; a CLI left at its first-run
 * dialog waits there until the test accepts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statFields } from '../helpers/proc.js';
import { serverAnswers } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { CLIS_WITH_TRUST_DIALOG, RUN_MARKER, type CliName } from './cli-env.js';
import { markedProcesses } from './driver.js';
import { startAgent, type Agent } from './harness.js';

export function describeCli(cli: CliName): void {
  describe(`${cli} (real CLI, scripted model)`, () => {
    let agent: Agent;

    beforeAll(async () => {
      agent = await startAgent(cli);
    });

    afterAll(async () => {
      await agent?.stop();
    });

    it('takes a typed prompt exactly once and shows the streamed reply', async () => {
      const { server, pane } = agent;
      const before = server.turns().length;
      server.script({ text: `Reply from the scripted model: hello-${cli}-reply, streamed in several chunks.`, streamMs: 600 });
      await pane.type(`Say hello to ${cli}-prompt-one please`);
      await pane.waitForScreen('the reply', new RegExp(`hello-${cli}-reply`));
      await agent.waitIdle();
      expect(server.timesReceived(`${cli}-prompt-one`), server.describe()).toBe(1);
      expect(server.turns().length - before, server.describe()).toBe(1);
      expect(server.pending()).toBe(0);
      expect(server.turns().every((t) => t.reply?.scripted)).toBe(true);
    });

    it('shows its permission prompt for a shell tool call and runs the command once approved', async () => {
      const { server, pane, screens } = agent;
      const file = `made-by-${cli}.txt`;
      const before = server.turns().length;
      server.script(
        { text: 'I will create the file now.', toolCall: { shell: `touch ${file}`, escalate: cli === 'codex' } },
        { text: `Created it: ${cli}-tool-done.` },
      );
      await pane.type(`Create ${file} with your shell tool (${cli}-prompt-two)`);
      await pane.waitForScreen('the permission prompt', screens.permission);
      expect(existsSync(path.join(agent.project, file))).toBe(false);
      await agent.approve();
      await waitFor(`${file} created by ${cli}`, () => existsSync(path.join(agent.project, file)), 60_000);
      await pane.waitForScreen('the reply after the command', new RegExp(`${cli}-tool-done`));
      await agent.waitIdle();
      const turns = server.turns().slice(before);
      expect(turns.length, server.describe()).toBe(2);
      expect(turns[0]?.reply?.toolCall).toBeDefined();
      expect(turns[1]?.toolResults.length, server.describe()).toBeGreaterThan(0);
      expect(server.timesReceived(`${cli}-prompt-two`)).toBe(1);
    });

    it('stop() ends the CLI and every process it started, Codex\'s app-server daemon included', async () => {
      const runId = agent.launch.env[RUN_MARKER] as string;
      const panePid = await agent.pane.pid();
      const marked = markedProcesses(runId);
      expect(marked).toContain(panePid);
      if (cli === 'codex') {
        // the daemon leaves the pane's session (setsid): only the marker finds it
        const daemons = marked.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('app-server'));
        expect(daemons.length).toBeGreaterThan(0);
        for (const pid of daemons) expect(statFields(pid)?.[3]).not.toBe(String(panePid));
      }
      await agent.stop();
      expect(markedProcesses(runId)).toEqual([]);
      expect(await serverAnswers(agent.pane.socket)).toBe(false);
    });

    if (CLIS_WITH_TRUST_DIALOG.includes(cli)) {
      it('started in an untrusted folder, waits at its trust dialog and reaches idle once the test accepts it', async () => {
        const fresh = await startAgent(cli, { firstRun: 'dialog' });
        try {
          const screen = await fresh.pane.waitForScreen('the trust dialog', fresh.screens.trustDialog as RegExp);
          expect(fresh.screens.idle(screen)).toBe(false);
          await fresh.acceptTrustDialog();
          await fresh.waitIdle();
          expect(fresh.server.turns()).toHaveLength(0);
        } finally {
          await fresh.stop();
        }
      });
    }
  });
}
