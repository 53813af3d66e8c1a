/**
 * The capped log writer (a shell loop around `head -c`) run by a real /bin/sh on real
 * files, and the readers that see one log across its rotated files.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cappedLogScript, LogFollower, logParts, readLogLines, readLogTail } from '../../../src/sys/capped-log.js';
import { waitFor } from '../../helpers/wait.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-capped-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshLog = () => {
  const dir = path.join(root, String(++n));
  fs.mkdirSync(dir);
  return path.join(dir, 'a.log');
};

/** Pipes `input` through the writer under `umask` and waits for it to end. */
function write(file: string, cap: { maxBytes: number; keep: number }, input: Buffer | string, umask = '022'): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `umask ${umask}; ${cappedLogScript(file, cap)}`], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (err ? reject(new Error(err)) : resolve(code)));
    child.stdin.end(input);
  });
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`).join('\n') + '\n';

describe('the capped log writer', () => {
  it('rotates at max, keeps `keep` old files, and loses nothing it keeps', async () => {
    const file = freshLog();
    const input = Buffer.from(numbered(1, 40_000)); // ~430 KiB
    expect(await write(file, { maxBytes: 64 * 1024, keep: 3 }, input)).toBe(0);
    const parts = logParts(file);
    expect(parts.map((p) => path.basename(p))).toEqual(['a.log.3', 'a.log.2', 'a.log.1', 'a.log']);
    for (const p of parts) expect(fs.statSync(p).size).toBeLessThanOrEqual(64 * 1024);
    const kept = Buffer.concat(parts.map((p) => fs.readFileSync(p)));
    expect(kept.length).toBeGreaterThan(3 * 64 * 1024);
    expect(input.subarray(input.length - kept.length).equals(kept)).toBe(true);
  });

  it('keep: 0 starts the log afresh at max', async () => {
    const file = freshLog();
    await write(file, { maxBytes: 10_000, keep: 0 }, 'x'.repeat(25_000));
    expect(logParts(file)).toEqual([file]);
    expect(fs.statSync(file).size).toBe(5_000);
  });

  it('creates every file owner-only whatever the umask', async () => {
    const file = freshLog();
    await write(file, { maxBytes: 4096, keep: 2 }, 'y\n'.repeat(5000), '000');
    for (const p of logParts(file)) expect(fs.statSync(p).mode & 0o777).toBe(0o600);
  });

  it('writes what arrives at once, while the pane is quiet (nothing held in a buffer)', async () => {
    const file = freshLog();
    const child = spawn('/bin/sh', ['-c', cappedLogScript(file, { maxBytes: 1 << 20, keep: 1 })], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      child.stdin.write('a short line\n');
      await waitFor('the line in the log', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'a short line\n', 10_000);
    } finally {
      child.stdin.end();
      await exited;
    }
  });

  it('appends to a log that is already there', async () => {
    const file = freshLog();
    fs.writeFileSync(file, 'before\n');
    await write(file, { maxBytes: 1 << 20, keep: 1 }, 'after\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('before\nafter\n');
  });
});

describe('reading a rotated log', () => {
  it('readLogLines and readLogTail see the rotated files as one log', async () => {
    const file = freshLog();
    await write(file, { maxBytes: 8192, keep: 5 }, numbered(1, 3000));
    expect(logParts(file).length).toBeGreaterThan(2);
    expect(readLogLines(file, 3)).toEqual(['line 2998', 'line 2999', 'line 3000']);
    const all = readLogLines(file, null);
    const first = Number(all[0]?.split(' ')[1]);
    expect(all).toEqual(numbered(first, 3000).trimEnd().split('\n'));
    // more lines than one file holds
    expect(readLogLines(file, 1500)).toEqual(numbered(1501, 3000).trimEnd().split('\n'));
    expect(readLogTail(file, 10).toString()).toBe('line 3000\n'.slice(-10));
  });

  it('a follower reads through a rotation without losing or repeating a byte', async () => {
    const file = freshLog();
    fs.writeFileSync(file, 'old\n');
    const f = new LogFollower(file);
    fs.appendFileSync(file, 'one\n');
    expect(f.read().toString()).toBe('one\n');
    fs.appendFileSync(file, 'two\n');
    fs.renameSync(file, `${file}.1`); // rotated before the follower saw "two"
    fs.writeFileSync(file, 'three\n');
    expect(f.read().toString()).toBe('two\nthree\n');
    expect(f.read().toString()).toBe('');
    // two rotations between reads: the whole file in the middle is read too
    fs.appendFileSync(file, 'four\n');
    fs.renameSync(`${file}.1`, `${file}.2`);
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'five\n');
    fs.renameSync(`${file}.2`, `${file}.3`);
    fs.renameSync(`${file}.1`, `${file}.2`);
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'six\n');
    expect(f.read().toString()).toBe('four\nfive\nsix\n');
    f.close();
  });
});
