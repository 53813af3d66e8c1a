/**
 * `npm run agents:capture` (this file): each CLI that keeps a transcript muster reads for
 * tokens (src/usage/transcript-sources.ts) answers two scripted turns with known usage
 * figures, and its transcript is copied to test/fixtures/transcripts/<cli>.jsonl with the
 * figures the server reported (`<cli>.expected.json`). The unit tests read these real
 * files; the figures must come back to the token.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPin, type CliName } from '../cli-env.js';
import { startAgent } from '../harness.js';

const OUT = fileURLToPath(new URL('../../fixtures/transcripts/', import.meta.url));

const TURNS = [
  { text: 'First scripted answer.', usage: { input: 1201, output: 17, cacheWrite: 300, cacheRead: 4000 } },
  { text: 'Second scripted answer.', usage: { input: 250, output: 23, cacheWrite: 0, cacheRead: 5100 } },
];

/** Every file under dir whose name ends with `.jsonl`, newest last. */
function jsonlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.jsonl')) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

const SESSION_ARGS: Partial<Record<CliName, (id: string) => string[]>> = {
  claude: (id) => ['--session-id', id],
  gemini: (id) => ['--session-id', id],
  qwen: (id) => ['--session-id', id],
};

describe.each(['claude', 'codex', 'gemini', 'qwen'] as CliName[])('%s transcript', (cli) => {
  it('two turns with known usage, copied as a fixture', async () => {
    const session = randomUUID();
    const agent = await startAgent(cli, { args: SESSION_ARGS[cli]?.(session) ?? [] });
    try {
      agent.server.script(...TURNS);
      await agent.pane.type('the first prompt for the transcript');
      await agent.pane.waitForScreen('the first answer', /First scripted answer\./);
      await agent.waitIdle();
      await agent.pane.type('the second prompt for the transcript');
      await agent.pane.waitForScreen('the second answer', /Second scripted answer\./);
      await agent.waitIdle();
      // a CLI may write its record of a turn a little after the screen shows it
      const marks: Record<string, RegExp> = { claude: /"usage"/g, codex: /"token_usage_record"/g, gemini: /"type":"gemini"/g, qwen: /"usageMetadata"/g };
      for (let waited = 0; waited < 60_000; waited += 1000) {
        const all = jsonlFiles(agent.root).map((f) => readFileSync(f, 'utf8')).join('\n');
        if ((all.match(marks[cli] as RegExp) ?? []).length >= 2) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const files = jsonlFiles(agent.root).filter((f) => !f.includes('node_modules'));
      const transcript = files.filter((f) => (SESSION_ARGS[cli] ? f.includes(cli === 'gemini' ? session.slice(0, 8) : session) : /rollout-/.test(f))).at(-1);
      expect(transcript, `a transcript among ${files.join(', ')}`).toBeTruthy();
      mkdirSync(OUT, { recursive: true });
      copyFileSync(transcript as string, path.join(OUT, `${cli}.jsonl`));
      const turns = agent.server.turns().map((t) => ({ model: t.model, scripted: t.reply?.scripted ?? false }));
      writeFileSync(
        path.join(OUT, `${cli}.expected.json`),
        `${JSON.stringify({ cli, version: cliPin(cli).pin.version, session, path: path.relative(agent.root, transcript as string), home: 'relative to the throwaway root', scripted: TURNS.map((t) => t.usage), turns, background: agent.server.background().length }, null, 2)}\n`,
      );
    } finally {
      await agent.stop();
    }
  });
});
