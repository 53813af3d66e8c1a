/**
 * Tokens from the CLIs muster reads through files of its own making, end to end
 * (docs/needs-you.md, "Tokens and cost"): a real CLI started by muster answers scripted
 * turns whose usage the scripted model server reports, and `muster status --json` shows
 * those figures to the token, for the session the CLI's hooks named.
 * - opencode keeps its sessions in a database, so muster's plugin
 *   (supervisor/hook-plugin.ts) records each finished model call's tokens;
 * - Gemini CLI writes its transcript under the home muster gives it for its hooks
 *   (`GEMINI_CLI_HOME`, presets/gemini.yaml), not under the user's.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageView } from '../../src/supervisor/control/contract.js';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { prepareCli, shellCommand, type CliName } from './cli-env.js';
import { ModelServer } from './model-server/server.js';

// OpenAI chat completions carry cached tokens inside prompt_tokens; a cache write has no field there
const TURN_1 = { input: 1201, output: 17, cacheWrite: 0, cacheRead: 4000 };
const TURN_2 = { input: 2500, output: 40, cacheWrite: 0, cacheRead: 5100 };

type Agent = { id: string; state: string; activity: string | null; session?: { id: string | null }; usage?: UsageView };

/** How each CLI names a session. */
const sessionId: Record<'opencode' | 'gemini', RegExp> = { opencode: /^ses_\w+$/, gemini: /^[0-9a-f-]{36}$/ };

for (const cli of ['opencode', 'gemini'] as const satisfies readonly CliName[]) {
  describe(`tokens of ${cli}`, () => {
    let server: ModelServer;
    let p: TestProject;
    const agentOf = async () => (await p.status()).agents[0] as unknown as Agent;

    beforeAll(async () => {
      server = await ModelServer.start();
      p = makeProject(`usage-${cli}`);
      const launch = prepareCli({ cli, serverUrl: server.url, projectDir: path.join(p.dir, 'work'), root: path.join(p.dir, `${cli}-root`), runId: `usage-${cli}-${process.pid}` });
      p.write('muster.yaml', 'pulse: 500ms\n');
      p.write(
        'teams/t.yaml',
        `name: t
agents:
  ${cli}:
    preset: ${cli}
    cwd: work
    run: ${JSON.stringify(shellCommand(launch, { inherit: true }))}
    env: { HOME: ${JSON.stringify(launch.home)} }
`,
      );
      p.headless();
      await waitFor(`${cli} idle under muster`, async () => (await agentOf()).activity === 'idle', 180_000);
    }, 300_000);

    afterAll(async () => {
      await p?.destroy();
      await server?.close();
    });

    it("status --json shows the tokens the server reported, by kind, to the token, for the session the CLI's hooks named", async () => {
      server.script({ text: 'First usage answer.', usage: TURN_1 }, { text: 'Second usage answer.', usage: TURN_2 });
      expect((await p.muster(['send', `t/${cli}`, 'the first usage prompt'])).code).toBe(0);
      const first = await waitFor('the first turn counted', async () => {
        const a = await agentOf();
        return a.usage && a.usage.calls >= 1 ? a : null;
      }, 120_000);
      expect(first.session?.id).toMatch(sessionId[cli]);
      expect(first.usage?.session).toBe(first.session?.id);
      expect(first.usage?.tokens).toEqual({ input: 1201, output: 17, cache_write: 0, cache_read: 4000 });
      await waitFor('idle again', async () => (await agentOf()).activity === 'idle', 60_000);
      expect((await p.muster(['send', `t/${cli}`, 'the second usage prompt'])).code).toBe(0);
      const second = await waitFor('the second turn counted', async () => {
        const a = await agentOf();
        return a.usage && a.usage.calls >= 2 ? a : null;
      }, 120_000);
      expect(second.usage?.tokens).toEqual({ input: 3701, output: 57, cache_write: 0, cache_read: 9100 });
    });
  });
}
