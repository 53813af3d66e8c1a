/**
 * A real child process saves snapshots and appends events in a tight loop and
 * is SIGKILLed at random moments. After every kill the snapshot must parse
 * and be one of the versions written, and every log line must parse (except
 * an incomplete last line, which readers ignore).
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEventLog, rotatedPath } from '../../../src/supervisor/store/event-log.js';
import { killAll, startChild, transpileInto } from './child-modules.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-crash-'));
const started: ChildProcess[] = [];
const script = path.join(root, 'writer.mjs');
const stateDir = path.join(root, 'project', '.muster');

// Version i of the snapshot is fully determined by i, so "one of the written versions" can be checked.
const WRITER = `
import { Ledger } from './src/supervisor/store/ledger.js';
const version = (i) => ({ i, check: i * 31, pad: 'x'.repeat((i * 7919) % 40000) });
const ledger = new Ledger(process.argv[2], { maxBytes: 64 * 1024 });
const prev = ledger.loadSnapshot();
let i = prev ? prev.i + 1 : 1;
process.stdout.write('ready ' + i + '\\n');
for (;;) {
  ledger.saveSnapshot(version(i));
  ledger.appendEvents([{ i, pad: 'y'.repeat(i % 300) }, { i, second: true }]);
  i++;
}
`;

beforeAll(() => {
  transpileInto(root);
  fs.writeFileSync(script, WRITER);
});
afterAll(() => {
  killAll(started);
  fs.rmSync(root, { recursive: true, force: true });
});

function checkSnapshot(): number {
  const snap = JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as {
    i: number;
    check: number;
    pad: string;
  };
  expect(snap.check).toBe(snap.i * 31);
  expect(snap.pad).toBe('x'.repeat((snap.i * 7919) % 40000));
  return snap.i;
}

function checkLogFile(file: string): number[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.pop(); // '' after the last newline, or a torn tail that readers ignore
  return lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
}

it('survives SIGKILL at random moments with a whole snapshot and a parseable log', async () => {
  let lastSnapshot = 0;
  let lastSeq = 0;
  for (let round = 0; round < 6; round++) {
    const child = startChild(script, [stateDir], started);
    await child.waitLine((l) => l.startsWith('ready'));
    // Wait until this run has written something, let it go on for a random while, then kill it mid-whatever.
    const file = path.join(stateDir, 'events.jsonl');
    const deadline = Date.now() + 20_000;
    while ((readEventLog(file).at(-1)?.seq ?? 0) <= lastSeq && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, Math.random() * 150));
    child.proc.kill('SIGKILL');
    await child.exited;

    const snap = checkSnapshot();
    expect(snap).toBeGreaterThanOrEqual(lastSnapshot);
    lastSnapshot = snap;

    const seqs = [...checkLogFile(rotatedPath(file)), ...checkLogFile(file)];
    seqs.forEach((s, k) => k > 0 && expect(s).toBe((seqs[k - 1] ?? 0) + 1));
    const read = readEventLog(file);
    expect(read.map((r) => r.seq)).toEqual(seqs);
    const newest = seqs[seqs.length - 1] ?? 0;
    expect(newest).toBeGreaterThan(lastSeq); // each run wrote something, continuing the numbering
    lastSeq = newest;
  }
  // Each run recovered the previous state: the snapshot counter kept growing across runs.
  expect(lastSnapshot).toBeGreaterThan(6);
});
