/**
 * The transcript formats against real transcripts: each fixture was written by the pinned
 * CLI answering two turns of the scripted model server with known usage
 * (test/agents/capture/transcripts.capture.ts); the figures must come back to the token.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseUsageLine, type TranscriptFormat } from '../../../src/transcripts/formats.js';
import { UsageTally } from '../../../src/usage/agent-usage.js';

const DIR = fileURLToPath(new URL('../../fixtures/transcripts/', import.meta.url));

interface Expected {
  scripted: { input: number; output: number; cacheWrite: number; cacheRead: number }[];
  turns: { model: string }[];
}

function tally(format: TranscriptFormat, text: string): UsageTally {
  const t = new UsageTally();
  const state = { model: null };
  for (const line of text.split('\n')) {
    const rec = parseUsageLine(format, line, state);
    if (rec) t.add(rec);
  }
  return t;
}

/** What the scripted server reported, in muster's kinds. OpenAI and Gemini count cache writes as input. */
function expected(format: TranscriptFormat, turns: Expected['scripted']) {
  const sum = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  for (const u of turns) {
    const writesApart = format === 'claude';
    sum.input += u.input + (writesApart ? 0 : u.cacheWrite);
    sum.output += u.output;
    sum.cacheWrite += writesApart ? u.cacheWrite : 0;
    sum.cacheRead += u.cacheRead;
  }
  return sum;
}

describe.each(['claude', 'codex', 'gemini', 'qwen'] as TranscriptFormat[])('%s transcript', (format) => {
  const text = readFileSync(`${DIR}${format}.jsonl`, 'utf8');
  const exp = JSON.parse(readFileSync(`${DIR}${format}.expected.json`, 'utf8')) as Expected;

  it('gives the tokens the server reported, to the token, by kind and model', () => {
    const t = tally(format, text);
    expect(t.totals()).toEqual(expected(format, exp.scripted));
    expect(t.calls).toBe(2);
    expect(t.byModel().map((m) => m.model)).toEqual([exp.turns[0]?.model]);
  });

  it('counts a record written again once (a transcript read twice, a response split over lines)', () => {
    const t = tally(format, `${text}\n${text}`);
    expect(t.totals()).toEqual(expected(format, exp.scripted));
  });
});

describe('lines that are not usage', () => {
  it('a torn line, a corrupt line, another kind of record: nothing', () => {
    const state = { model: null };
    expect(parseUsageLine('claude', '{"type":"assistant","message":{"id":"m1","usage":{"input_tokens":5', state)).toBeNull();
    expect(parseUsageLine('claude', 'not json "usage"', state)).toBeNull();
    expect(parseUsageLine('claude', '{"type":"user","usage":{}}', state)).toBeNull();
    expect(parseUsageLine('gemini', '{"type":"gemini","id":"x","tokens":"many"}', state)).toBeNull();
    expect(parseUsageLine('codex', '{"type":"token_usage_record","payload":[]}', state)).toBeNull();
  });

  it('negative or missing figures count as 0', () => {
    const rec = parseUsageLine('claude', '{"type":"assistant","message":{"id":"m1","model":"claude-x","usage":{"input_tokens":-5,"output_tokens":3}}}', { model: null });
    expect(rec?.tokens).toEqual({ input: 0, output: 3, cacheWrite: 0, cacheRead: 0 });
  });
});
