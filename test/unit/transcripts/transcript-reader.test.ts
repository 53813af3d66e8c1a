/**
 * The reader on a real HOME tree: the transcript found by the session id (never by the
 * folder), read incrementally, summed over sessions, never counting a record twice when
 * the file is replaced, and keeping what it counted when the file goes.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateTranscripts } from '../../../src/transcripts/locate.js';
import { LOOK_EVERY_MS, TranscriptReader } from '../../../src/transcripts/transcript-reader.js';

const FIX = fileURLToPath(new URL('../../fixtures/transcripts/', import.meta.url));
let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'muster-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const claudeLine = (id: string, input: number, output: number) =>
  `${JSON.stringify({ type: 'assistant', message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 7 } } })}\n`;

describe('locateTranscripts', () => {
  it('finds each CLI\'s transcript by its session id, under the agent\'s HOME or the CLI\'s own variable', () => {
    const put = (rel: string, from: string) => {
      const to = path.join(home, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(path.join(FIX, from), to);
      return to;
    };
    const c = put('.claude/projects/-some-project/2a60df91-04d1-4385-a97a-087732a036bb.jsonl', 'claude.jsonl');
    put('.claude/projects/-other/ffffffff-04d1-4385-a97a-087732a036bb.jsonl', 'claude.jsonl');
    const x = put('codex-home/sessions/2026/12/02/rollout-2026-12-02T13-47-49-01a23702-f25c-7fa3-9ce6-e2cdcb4f4a68.jsonl', 'codex.jsonl');
    const g = put('.gemini/tmp/project/chats/session-2026-12-02T13-48-a4733518.jsonl', 'gemini.jsonl');
    // same first 8 characters, another session: not it
    writeFileSync(path.join(home, '.gemini/tmp/project/chats/session-2026-12-03T10-00-a4733518.jsonl'), '{"sessionId":"a4733518-0000-0000-0000-000000000000"}\n');
    const q = put('.qwen/projects/-p/chats/162c6a37-34fb-49fd-a005-dc4fcb6a82f5.jsonl', 'qwen.jsonl');
    expect(locateTranscripts({ format: 'claude', session: '2a60df91-04d1-4385-a97a-087732a036bb', env: { HOME: home } })).toEqual([c]);
    expect(locateTranscripts({ format: 'codex', session: '01a23702-f25c-7fa3-9ce6-e2cdcb4f4a68', env: { HOME: home, CODEX_HOME: path.join(home, 'codex-home') } })).toEqual([x]);
    expect(locateTranscripts({ format: 'gemini', session: 'a4733518-d286-4fe2-9119-b8af0ee7ae55', env: { HOME: home } })).toEqual([g]);
    expect(locateTranscripts({ format: 'qwen', session: '162c6a37-34fb-49fd-a005-dc4fcb6a82f5', env: { HOME: home } })).toEqual([q]);
    expect(locateTranscripts({ format: 'claude', session: 'nope', env: { HOME: home } })).toEqual([]);
    expect(locateTranscripts({ format: 'codex', session: 'x', env: { HOME: path.join(home, 'missing') } })).toEqual([]);
  });
});

describe('TranscriptReader', () => {
  const session = '11111111-2222-4333-8444-555555555555';
  const file = () => path.join(home, '.claude/projects/-p', `${session}.jsonl`);
  const ref = (s = session) => ({ format: 'claude' as const, session: s, env: { HOME: home } });

  it('nothing before the CLI writes its transcript; looked for again every few seconds', () => {
    const r = new TranscriptReader();
    expect(r.read('t/a', ref(), 0)).toMatchObject({ tokens: { input: 0, output: 0 }, files: [] });
    mkdirSync(path.dirname(file()), { recursive: true });
    writeFileSync(file(), claudeLine('m1', 100, 10));
    expect(r.read('t/a', ref(), 1000).calls).toBe(0); // not looked for yet
    expect(r.read('t/a', ref(), LOOK_EVERY_MS).tokens).toEqual({ input: 100, output: 10, cacheWrite: 0, cacheRead: 7 });
  });

  it('appended records add; a torn last line waits; a replaced file counts nothing twice; a removed one keeps its count', () => {
    mkdirSync(path.dirname(file()), { recursive: true });
    writeFileSync(file(), claudeLine('m1', 100, 10));
    const r = new TranscriptReader();
    expect(r.read('t/a', ref(), 0).tokens.input).toBe(100);
    const torn = claudeLine('m2', 50, 5);
    appendFileSync(file(), torn.slice(0, 20));
    expect(r.read('t/a', ref(), 1).tokens.input).toBe(100);
    appendFileSync(file(), torn.slice(20));
    expect(r.read('t/a', ref(), 2).tokens.input).toBe(150);
    // replaced: the same records and one more, in a new file
    const all = readFileSync(file(), 'utf8');
    writeFileSync(`${file()}.new`, all + claudeLine('m3', 1, 1));
    renameSync(`${file()}.new`, file());
    expect(r.read('t/a', ref(), 3)).toMatchObject({ tokens: { input: 151, output: 16, cacheRead: 21 }, calls: 3 });
    rmSync(file());
    expect(r.read('t/a', ref(), 4).tokens.input).toBe(151);
  });

  it('a new session adds to what the old one spent', () => {
    mkdirSync(path.dirname(file()), { recursive: true });
    writeFileSync(file(), claudeLine('m1', 100, 10));
    const other = '99999999-2222-4333-8444-555555555555';
    writeFileSync(path.join(home, '.claude/projects/-p', `${other}.jsonl`), claudeLine('n1', 5, 5));
    const r = new TranscriptReader();
    r.read('t/a', ref(), 0);
    expect(r.read('t/a', ref(other), 1).tokens).toMatchObject({ input: 105, output: 15 });
  });
});
